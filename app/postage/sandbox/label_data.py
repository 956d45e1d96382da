"""What the sandbox needs to draw a label: plain data, filled from a bought shipment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

LabelFormat = Literal["PNG", "PDF", "ZPL", "EPL2"]


@dataclass(frozen=True, slots=True)
class LabelAddress:
    """An address as printed on a label."""

    name: str
    street1: str
    city: str
    state: str
    zip: str
    country: str
    company: str = ""
    street2: str = ""


@dataclass(frozen=True, slots=True)
class LabelCustomsItem:
    """One line of a customs declaration (value and weight are line totals)."""

    description: str
    quantity: int
    value_usd: Decimal
    weight_oz: Decimal
    hs_tariff_number: str
    origin_country: str


@dataclass(frozen=True, slots=True)
class LabelData:
    """Everything printed on a sandbox label."""

    from_address: LabelAddress
    to_address: LabelAddress
    service: str  # EasyPost's name, e.g. "GroundAdvantage"
    weight_oz: Decimal
    tracking_code: str  # the bare USPS tracking number (IMpb payload adds 420 + ZIP)
    label_date: date
    reference: str = ""  # print_custom / order reference
    shipment_id: str = ""
    customs_items: tuple[LabelCustomsItem, ...] = ()
    customs_signer: str = ""
    contents_type: str = "merchandise"
    tax_ids: tuple[str, ...] = ()  # "IOSS IM2760000742" etc. (shipment tax_identifiers)
    incoterm: str = ""  # "DDP" when the sender prepays duties and taxes

    @property
    def is_international(self) -> bool:
        return self.to_address.country.upper() not in {"US", "PR", "GU", "VI", "AS", "MP"}
