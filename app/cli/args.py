"""Argument types shared by the foundation's commands (decimals, dimensions)."""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation


def decimal_arg(text: str) -> Decimal:
    """A plain decimal number such as 5.3 (no units, no currency symbol)."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
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
