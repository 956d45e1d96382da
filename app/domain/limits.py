"""Bounds on every number and text a user or a file hands Packdesk, and the checks that hold them.

A number past these bounds is a typo or an attack, never a real order: refused with an AppError
that names the argument, row or field and says what would be accepted.
"""

from __future__ import annotations

import re

from app.domain.errors import AppError, ErrorKind

#: SQLite stores an INTEGER in 8 signed bytes; a larger id cannot name any row.
MAX_SQL_INTEGER = 2**63 - 1
#: Record ids (orders, labels, jobs, forms, pickups) are positive and fit SQLite.
MAX_RECORD_ID = MAX_SQL_INTEGER
#: One order line's quantity: more is a typo (a pallet is not a parcel).
MAX_QUANTITY = 10_000
#: One item's weight in ounces (a USPS parcel may weigh 70 lb, 1,120 oz).
MAX_ITEM_WEIGHT_OZ = 100_000
#: One item's value in USD (customs declarations; more is a typo or a hostile cell).
MAX_ITEM_VALUE_USD = 1_000_000

# -- order files -----------------------------------------------------------------------------
#: Data rows one order file may hold (a large campaign has tens of thousands).
MAX_ROWS = 200_000
#: Cells (rows x columns) one order file may hold: what keeps a hostile file's read under 600 MB
#: of memory. A 100,000-backer Kickstarter export with 37 columns holds 3.7 million (its whole
#: import peaks at 384 MB); the earlier 3 million refused it.
MAX_CELLS = 5_000_000
#: Columns one order file may hold (a Kickstarter export with every add-on has a few hundred).
MAX_COLUMNS = 1_000
#: Characters in one cell: a long survey answer fits, a runaway quoted field does not.
MAX_CELL_CHARS = 32_767  # Excel's own limit per cell
#: Characters in one address field (name, street, city, ...): carriers print far fewer.
MAX_ADDRESS_FIELD_CHARS = 200
#: Bytes of one order file: several times a 100,000-backer export.
MAX_FILE_BYTES = 100 * 1024 * 1024

_WHOLE = re.compile(r"[+]?\d+")


def whole_number(text: str, *, what: str, low: int, high: int) -> int:
    """`text` as a plain whole number from `low` to `high`: no exponent, no decimals.

    `what` names the argument, field or row for the message ("--order", "row 12, Quantity").

    Raises:
        AppError: (INVALID_INPUT) the text is not a plain whole number, or is out of range.
    """
    cleaned = text.strip()
    if not _WHOLE.fullmatch(cleaned) or len(cleaned) > 40:
        raise AppError(
            f"{what}: {_shown(text)} is not a whole number",
            hint=f"Write digits only, from {low} to {high} (no decimals, no 1e3).",
            kind=ErrorKind.INVALID_INPUT,
            details={"what": what},
        )
    return in_range(int(cleaned), what=what, low=low, high=high)


def in_range(value: int, *, what: str, low: int, high: int) -> int:
    """`value` itself when `low <= value <= high`; else an AppError naming `what`."""
    if not low <= value <= high:
        raise AppError(
            f"{what}: {_shown(str(value))} is out of range",
            hint=f"Give a number from {low} to {high}.",
            kind=ErrorKind.INVALID_INPUT,
            details={"what": what},
        )
    return value


def record_id(text: str, *, what: str = "id") -> int:
    """A record id (order, label, job ...) that SQLite can hold."""
    return whole_number(text, what=what, low=1, high=MAX_RECORD_ID)


def _shown(text: str) -> str:
    """The offending text, cut short so that a hostile value cannot flood the message."""
    return repr(text if len(text) <= 30 else text[:27] + "...")
