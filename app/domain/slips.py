"""A packing slip's content: who it goes to, what is in the parcel, the barcode to scan."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.orders import Address
from app.domain.tracking import order_barcode_data


@dataclass(frozen=True, slots=True)
class SlipLine:
    """One item line: how many of which SKU, and its name."""

    quantity: int
    sku: str
    name: str


@dataclass(frozen=True, slots=True)
class PackingSlip:
    """One order's packing slip."""

    order_id: int
    external_id: str
    recipient: Address
    lines: tuple[SlipLine, ...]
    group_id: str = ""
    batch: str = ""
    tracking_code: str = ""

    @property
    def barcode(self) -> str:
        """What the slip's Code 128 encodes: the scan station opens the order from it."""
        return order_barcode_data(str(self.order_id))


@dataclass(frozen=True, slots=True)
class SlipDecor:
    """The desk's optional logo (a PNG or JPEG file) and note printed on every slip."""

    logo_path: str = ""
    note: str = ""
