"""SKU codes for item names: Kickstarter's item and add-on columns carry names, not SKUs.

The rule (deterministic, readable, the same on every machine and every run):

1. An add-on column header `[Addon: 10750435] Flitt Locust Pendant` is reduced to its name,
   `Flitt Locust Pendant`; reward item columns already are bare names. So the same physical item
   sold as a reward item and as an add-on gets one SKU, and an order holding both gets the sum.
2. The name is Unicode-normalised (NFKD) and accents are dropped (`Café` -> `Cafe`), then
   upper-cased; every run of characters that is not A-Z or 0-9 becomes one hyphen, and hyphens
   at either end are dropped: `Art Book (Hardcover)` -> `ART-BOOK-HARDCOVER`,
   `T-Shirt – L` -> `T-SHIRT-L`, `Sol: Last Days of a Star` -> `SOL-LAST-DAYS-OF-A-STAR`.
3. A name with no Latin letters or digits at all (`日本語セット`) becomes `ITEM-` + the first 8
   hex digits of the SHA-1 of its UTF-8 text.
4. Codes longer than 40 characters are cut at 31 and get `-` + those 8 hash digits, so two long
   names that share a beginning still get different codes.

The Item keeps the original display name (without the `[Addon: id]` prefix).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_ADDON = re.compile(r"^\s*\[\s*add-?on\s*:?\s*(\d*)\s*\]\s*(.*)$", re.IGNORECASE)
MAX_SKU_LENGTH = 40


def addon_name(header: str) -> str | None:
    """The item name in a `[Addon: <id>] <name>` column header, or None for other headers."""
    match = _ADDON.match(header)
    if not match:
        return None
    return " ".join(match.group(2).split()) or f"Addon {match.group(1)}".strip()


@lru_cache(maxsize=4096)
def sku_from_name(name: str) -> str:
    """The SKU code for an item name (see the module docstring for the rule)."""
    display = " ".join(name.split())
    digest = hashlib.sha1(display.encode("utf-8")).hexdigest()[:8].upper()
    ascii_text = unicodedata.normalize("NFKD", display).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_ALNUM.sub("-", ascii_text.upper()).strip("-")
    if not slug:
        return f"ITEM-{digest}"
    if len(slug) > MAX_SKU_LENGTH:
        return f"{slug[:31].rstrip('-')}-{digest}"
    return slug
