"""Items (SKUs) with the weight, value and customs data postage needs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

_HTS = re.compile(r"^\d{6,10}$")


def normalize_hts(code: str) -> str:
    """Return an HTS code as bare digits, accepting the dotted form (6109.10.0012).

    Raises:
        ValueError: when the code does not have 6 to 10 digits.
    """
    digits = code.replace(".", "").replace(" ", "").strip()
    if not _HTS.match(digits):
        raise ValueError(f"HTS code {code!r} must have 6 to 10 digits")
    return digits


@dataclass(frozen=True, slots=True)
class Item:
    """A SKU. Weight in ounces and value in US dollars are per unit."""

    sku: str
    name: str = ""
    weight_oz: Decimal = Decimal(0)
    value_usd: Decimal = Decimal(0)
    hts_code: str = ""
    customs_description: str = ""
    origin_country: str = ""
    media_mail_eligible: bool = False
    # EU customs' product identifiers from November 2026 (the SKU itself is the `code`).
    manufacturer_product_id: str = ""
    barcode: str = ""  # GTIN/EAN/UPC, sent as EasyPost's standardized_product_id

    @property
    def customs_complete(self) -> bool:
        """True when the SKU can go on a customs form (HTS code, description and origin)."""
        return bool(self.hts_code and self.customs_description and self.origin_country)
