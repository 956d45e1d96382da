"""Which preset a file is, from its header alone."""

from __future__ import annotations

from app.domain.errors import AppError
from app.imports import backerkit, kickstarter, shopify
from app.imports.table import Table

#: Every preset name `read_order_file` accepts, besides "auto".
PRESETS: tuple[str, ...] = ("kickstarter", "backerkit", "shopify", "generic")

_LOOKED_FOR = (
    "kickstarter: 'Backer Number' (or 'Backer Id') and 'Pledged Status'",
    "shopify: 'Name', 'Lineitem quantity' and 'Lineitem sku' or 'Lineitem name'",
    "backerkit: 'Pledge Level' or 'BackerKit ID', an id column ('Backer ID', 'Order ID', "
    "'Backer Number') and a shipping address column",
    "generic: any header, with --mapping MAPPING.json",
)


def detect_preset(table: Table, *, has_mapping: bool = False) -> str:
    """The preset that reads `table`; a mapping file means generic.

    Raises:
        AppError: the header matches no preset; the message lists what was looked for.
    """
    if has_mapping:
        return "generic"
    keys = frozenset(table.keys)
    if kickstarter.matches(keys):
        return "kickstarter"
    if shopify.matches(keys):
        return "shopify"
    if backerkit.matches(keys):
        return "backerkit"
    shown = ", ".join(table.header[:12]) + (" ..." if len(table.header) > 12 else "")
    raise AppError(
        f"{table.path.name}: cannot tell which kind of order file this is from its header "
        f"({shown})",
        hint="Looked for " + "; ".join(_LOOKED_FOR) + ". Pass --preset, or --mapping for a "
        "generic CSV.",
        details={"file": str(table.path), "header": list(table.header)},
    )
