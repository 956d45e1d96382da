"""Order files in (CSV/XLSX presets and column mappings) -> domain objects.

`read_order_file` reads a whole file or raises AppError; it never returns half a file.
"""

from __future__ import annotations

from pathlib import Path

from app.imports.detect import PRESETS, detect_preset
from app.imports.model import ParsedOrders, RowError
from app.imports.readers import read_table_as

__all__ = [
    "PRESETS",
    "ParsedOrders",
    "RowError",
    "detect_preset",
    "read_order_file",
]


def read_order_file(
    path: Path, *, preset: str = "auto", mapping_path: Path | None = None
) -> ParsedOrders:
    """Read an order file with a preset (`auto` recognises it from the header).

    Presets: kickstarter, backerkit, shopify, generic (needs `mapping_path`, a column mapping
    JSON; see app.imports.generic). With `auto` and a mapping, the mapping is used.

    Raises:
        AppError: unknown preset, unreadable or unrecognised file, bad mapping. Row-level
            problems are not raised: they are in the result's `errors`.
    """
    return read_table_as(Path(path), preset=preset, mapping_path=mapping_path)
