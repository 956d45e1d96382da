"""Argument types shared by the commands (decimals, dimensions, range-checked whole numbers)."""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from app.domain.errors import AppError
from app.domain.limits import MAX_RECORD_ID, whole_number

#: The largest weight (oz), value (USD) or dimension (in) a command accepts: past it, a typo.
MAX_DECIMAL_ARG = Decimal(1_000_000)
_PLAIN_DECIMAL = re.compile(r"[+-]?(\d{1,12}(\.\d{0,6})?|\.\d{1,6})")


def decimal_arg(text: str) -> Decimal:
    """A plain decimal number such as 5.3 (no units, no currency symbol, no exponent)."""
    cleaned = text.strip()
    if not _PLAIN_DECIMAL.fullmatch(cleaned):
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise argparse.ArgumentTypeError(
            f"{shown!r} is not a plain number (write e.g. 5.3; no 1e3, at most 6 decimals)"
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above only lets numbers through
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= MAX_DECIMAL_ARG:
        raise argparse.ArgumentTypeError(
            f"{cleaned} is out of range (give a number from 0 to {MAX_DECIMAL_ARG})"
        )
    return value


def dimensions_arg(text: str) -> tuple[Decimal, Decimal, Decimal]:
    """Length x width x height in inches, written LxWxH (e.g. 10x8x4 or 9.5x6x0.75)."""
    parts = text.lower().replace("×", "x").replace("*", "x").split("x")
    if len(parts) != 3:
        raise argparse.ArgumentTypeError(f"{text!r} is not LxWxH, e.g. 10x8x4")
    length, width, height = (decimal_arg(part) for part in parts)
    return length, width, height


def number(value: Decimal | None) -> float | int | None:
    """A decimal as a JSON number (ints stay ints)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def bounded_int(low: int, high: int, what: str = "") -> Callable[[str], int]:
    """An argparse type: a plain whole number from `low` to `high` (no 1e3, no 2.0)."""

    def parse(text: str) -> int:
        try:
            return whole_number(text, what=what or "value", low=low, high=high)
        except AppError as error:
            raise argparse.ArgumentTypeError(f"{error.message} ({error.hint})") from None

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


#: An argparse type for a record id (order, label, print job, SCAN form, pickup).
record_id_arg = bounded_int(1, MAX_RECORD_ID, "id")
