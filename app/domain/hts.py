"""HTS (Harmonized Tariff Schedule) codes: shape and chapter checks for a SKU's customs code."""

from __future__ import annotations

#: Chapter 77 is reserved for future use in the Harmonized System; 98-99 are US-only special
#: provisions that never go on a foreign customs form. Valid chapters: 01-97 without 77.
RESERVED_CHAPTERS = frozenset({77})
LAST_CHAPTER = 97


def hts_problem(code: str) -> str | None:
    """Why `code` does not look like an HTS code (None when it does), in plain words."""
    digits = code.replace(".", "").replace(" ", "").strip()
    if not digits:
        return "no HTS code"
    if not digits.isdigit():
        return f"HTS code {code!r} must contain only digits (and dots)"
    if not 6 <= len(digits) <= 10:
        return f"HTS code {code!r} must have 6 to 10 digits, it has {len(digits)}"
    chapter = int(digits[:2])
    if chapter < 1 or chapter > LAST_CHAPTER or chapter in RESERVED_CHAPTERS:
        return f"HTS code {code!r} starts with chapter {digits[:2]}, which does not exist"
    return None
