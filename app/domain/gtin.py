"""Barcode numbers (GTIN-8/12/13/14: EAN, UPC) as EU customs' standardized product id."""

from __future__ import annotations


def gtin_problem(code: str) -> str | None:
    """Why `code` is not a GTIN (None when it is): 8, 12, 13 or 14 digits, valid check digit."""
    digits = code.replace(" ", "").replace("-", "")
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        return f"barcode {code!r} must have 8, 12, 13 or 14 digits"
    body, check = digits[:-1], int(digits[-1])
    # GS1: from the right, weights 3, 1, 3, ... over the digits before the check digit.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    if (10 - total % 10) % 10 != check:
        return f"barcode {code!r} has a wrong check digit"
    return None
