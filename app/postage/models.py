"""Plain frozen data the rest of the app gets from (and gives to) the EasyPost gateway."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from app.domain.delivery_target import TargetChoice, TransitTimes, is_target, parse_target, pick
from app.domain.errors import AppError, ErrorKind
from app.domain.items import Item, normalize_hts
from app.domain.orders import Address, Order
from app.domain.packages import PackageType
from app.domain.tax_ids import TaxIdentifier
from app.domain.usps_services import check_service

LabelFormat = Literal["PNG", "PDF", "ZPL", "EPL2"]
LABEL_FORMATS: tuple[LabelFormat, ...] = ("PNG", "PDF", "ZPL", "EPL2")

# ---------------------------------------------------------------------------------------------
# What the app asks for
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParcelSpec:
    """A parcel: a USPS predefined package or L x W x H inches, and the weight in ounces."""

    weight_oz: Decimal
    predefined_package: str | None = None
    length_in: Decimal | None = None
    width_in: Decimal | None = None
    height_in: Decimal | None = None

    def __post_init__(self) -> None:
        if self.weight_oz <= 0:
            raise ValueError("a parcel needs a positive weight")
        dims = (self.length_in, self.width_in, self.height_in)
        if self.predefined_package is None and any(d is None or d <= 0 for d in dims):
            raise ValueError("a parcel needs a predefined package or L x W x H")

    @classmethod
    def from_package(cls, package: PackageType, contents_weight_oz: Decimal) -> ParcelSpec:
        """The parcel for `package` holding `contents_weight_oz` (the box's own weight is added)."""
        total = (contents_weight_oz + package.empty_weight_oz).quantize(Decimal("0.1"))
        return cls(
            weight_oz=max(total, Decimal("0.1")),
            predefined_package=package.predefined,
            length_in=package.length_in,
            width_in=package.width_in,
            height_in=package.height_in,
        )

    def to_params(self) -> dict[str, object]:
        params: dict[str, object] = {"weight": float(self.weight_oz)}
        if self.predefined_package:
            params["predefined_package"] = self.predefined_package
        for key, value in (
            ("length", self.length_in),
            ("width", self.width_in),
            ("height", self.height_in),
        ):
            if value is not None:
                params[key] = float(value)
        return params


@dataclass(frozen=True, slots=True)
class CustomsLine:
    """One customs item. `value_usd` and `weight_oz` are line totals (unit x quantity)."""

    description: str
    quantity: int
    value_usd: Decimal
    weight_oz: Decimal
    hs_tariff_number: str
    origin_country: str
    sku: str = ""
    manufacturer_product_id: str = ""  # EU customs from November 2026, with `code` (the SKU)
    barcode: str = ""  # EasyPost's standardized_product_id (GTIN/EAN/UPC)

    def to_params(self) -> dict[str, object]:
        params: dict[str, object] = {
            "description": self.description,
            "quantity": self.quantity,
            "value": str(self.value_usd),
            "weight": float(self.weight_oz),
            "hs_tariff_number": self.hs_tariff_number,
            "origin_country": self.origin_country,
            "code": self.sku or None,
            "currency": "USD",
        }
        if self.manufacturer_product_id:
            params["manufacturer_product_id"] = self.manufacturer_product_id
        if self.barcode:
            params["standardized_product_id"] = self.barcode
        return params


@dataclass(frozen=True, slots=True)
class CustomsSpec:
    """A customs declaration (CN22/CP72) for an international parcel."""

    lines: tuple[CustomsLine, ...]
    signer: str
    contents_type: str = "merchandise"
    contents_explanation: str = ""
    non_delivery_option: str = "return"
    restriction_type: str = "none"
    eel_pfc: str = "NOEEI 30.37(a)"

    @property
    def total_value_usd(self) -> Decimal:
        return sum((line.value_usd for line in self.lines), Decimal(0))

    def to_params(self) -> dict[str, object]:
        return {
            "customs_certify": True,
            "customs_signer": self.signer,
            "contents_type": self.contents_type,
            "contents_explanation": self.contents_explanation,
            "non_delivery_option": self.non_delivery_option,
            "restriction_type": self.restriction_type,
            "eel_pfc": self.eel_pfc,
            "customs_items": [line.to_params() for line in self.lines],
        }


def customs_for_order(
    order: Order, items_by_sku: Mapping[str, Item], *, signer: str
) -> CustomsSpec:
    """The customs declaration for `order`: one line per SKU, with line-total value and weight.

    Missing customs data is not refused here (pre-flight reports it per order); the fields go
    out empty and EasyPost (or the sandbox) answers with its field errors.

    Raises:
        AppError: CUSTOMS when a line's SKU is not in `items_by_sku`.
    """
    lines: list[CustomsLine] = []
    for sku, quantity in order.item_multiset:
        item = items_by_sku.get(sku)
        if item is None:
            raise AppError(
                f"Order {order.external_id} holds SKU {sku!r}, which is not in the item list.",
                hint="Add the SKU (with weight, value and customs data) and try again.",
                kind=ErrorKind.CUSTOMS,
                details={"order": order.external_id, "sku": sku},
            )
        try:
            hts = normalize_hts(item.hts_code) if item.hts_code else ""
        except ValueError:
            hts = item.hts_code  # let EasyPost name the field; pre-flight says it first
        lines.append(
            CustomsLine(
                description=(item.customs_description or item.name)[:255],
                quantity=quantity,
                value_usd=(item.value_usd * quantity).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP
                ),
                weight_oz=(item.weight_oz * quantity).quantize(Decimal("0.1")),
                hs_tariff_number=hts,
                origin_country=item.origin_country.upper(),
                sku=sku,
                manufacturer_product_id=item.manufacturer_product_id,
                barcode=item.barcode,
            )
        )
    return CustomsSpec(lines=tuple(lines), signer=signer)


@dataclass(frozen=True, slots=True)
class ShipmentOptions:
    """Shipment options the desk uses. `print_custom_1` carries the order reference."""

    label_format: LabelFormat = "PNG"
    label_date: date | None = None
    machinable: bool | None = None
    print_custom_1: str = ""
    media_mail: bool = False  # ask for Media Mail special rates (eligible contents only)
    library_mail: bool = False
    delivery_confirmation: str = ""
    label_size: str = "4x6"
    incoterm: str = ""  # "DDP": USPS Delivered Duty Paid (the sender prepays duties and taxes)

    @property
    def rating_key(self) -> tuple[object, ...]:
        """The options that can change a price (not the label's format or printed text)."""
        return (
            self.label_date,
            self.machinable,
            self.media_mail,
            self.library_mail,
            self.delivery_confirmation,
            self.incoterm,
        )

    def to_params(self) -> dict[str, object]:
        params: dict[str, object] = {"label_format": self.label_format}
        if self.label_size:
            params["label_size"] = self.label_size
        if self.label_date is not None:
            params["label_date"] = f"{self.label_date.isoformat()}T00:00:00Z"
        if self.machinable is not None:
            params["machinable"] = self.machinable
        if self.print_custom_1:
            params["print_custom_1"] = self.print_custom_1[:60]
        special = [
            code
            for flag, code in (
                (self.media_mail, "USPS.MEDIAMAIL"),
                (self.library_mail, "USPS.LIBRARYMAIL"),
            )
            if flag
        ]
        if special:
            params["special_rates_eligibility"] = ",".join(special)
        if self.delivery_confirmation:
            params["delivery_confirmation"] = self.delivery_confirmation
        if self.incoterm:
            params["incoterm"] = self.incoterm
        return params


@dataclass(frozen=True, slots=True)
class RateRequest:
    """Everything that decides a rate quote. Frozen and hashable: identical requests share a key."""

    from_address: Address
    to_address: Address
    parcel: ParcelSpec
    options: ShipmentOptions = ShipmentOptions()
    customs: CustomsSpec | None = None
    reference: str = field(default="", compare=False)  # not part of the key
    with_transit: bool = False  # also ask SmartRate's transit times (delivery targets)
    # IOSS/VAT/EORI: they change no price, so they are not part of the key either.
    tax_identifiers: tuple[TaxIdentifier, ...] = field(default=(), compare=False)

    @property
    def key(self) -> tuple[object, ...]:
        """What USPS prices on: origin and destination ZIP/country, parcel, options, customs.

        Names, streets, the label format and the printed reference do not change a USPS rate,
        so requests that differ only there share one quote (the shipment behind it belongs to
        the first request: quote from it, don't buy it for another order).
        """
        return (
            _rating_place(self.from_address),
            _rating_place(self.to_address),
            self.parcel,
            self.options.rating_key,
            self.customs,
            self.with_transit,
        )


def _rating_place(address: Address) -> tuple[str, str, str]:
    zip5 = address.postal_code.strip()[:5] if address.is_domestic else address.postal_code.strip()
    return (address.country.upper(), address.state.upper(), zip5.upper())


# ---------------------------------------------------------------------------------------------
# What EasyPost answers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    """One field EasyPost rejected (or a plain message when it names no field)."""

    field: str
    message: str
    code: str = ""
    suggestion: str = ""


@dataclass(frozen=True, slots=True)
class VerifiedAddress:
    """An address as EasyPost stored it, with the verification outcome and what it corrected."""

    id: str
    address: Address
    verified: bool  # True when delivery verification succeeded
    residential: bool | None = None
    errors: tuple[FieldError, ...] = ()
    corrections: tuple[tuple[str, str, str], ...] = ()  # (field, sent, corrected)
    time_zone: str = ""


@dataclass(frozen=True, slots=True)
class Rate:
    """One priced USPS service for a shipment."""

    id: str
    shipment_id: str
    carrier: str
    service: str
    amount: Decimal
    currency: str = "USD"
    list_amount: Decimal | None = None
    retail_amount: Decimal | None = None
    delivery_days: int | None = None
    delivery_date_guaranteed: bool = False


@dataclass(frozen=True, slots=True)
class RateMessage:
    """A carrier message on a shipment (e.g. a `rate_error` explaining a missing service)."""

    carrier: str
    type: str
    message: str


@dataclass(frozen=True, slots=True)
class ShipmentQuote:
    """A created (unbought) shipment and its rates, cheapest first."""

    shipment_id: str
    rates: tuple[Rate, ...]
    messages: tuple[RateMessage, ...] = ()
    reference: str = ""
    usps_zone: int | None = None
    transit: tuple[TransitTimes, ...] = ()  # SmartRate percentiles, when asked for

    @property
    def services(self) -> tuple[str, ...]:
        return tuple(rate.service for rate in self.rates)

    def rate_for(self, service: str) -> Rate | None:
        return next((rate for rate in self.rates if rate.service == service), None)

    @property
    def cheapest(self) -> Rate | None:
        return self.rates[0] if self.rates else None

    def choose(self, service: str, *, predefined_package: str | None = None) -> Rate:
        """The rate for `service` ("cheapest" for the lowest), with a clear error otherwise.

        Raises:
            AppError: RATE for a retired service (with its replacement), or one EasyPost did
                not offer for this parcel (listing what it did offer, and its messages).
        """
        if service.lower() == "cheapest":
            rate = self.cheapest
        elif is_target(service):
            return self._choose_target(service)
        else:
            check_service(service, predefined_package=predefined_package)
            rate = self.rate_for(service)
        if rate is not None:
            return rate
        offered = ", ".join(self.services) or "none"
        notes = "; ".join(m.message for m in self.messages if m.message)
        raise AppError(
            f"USPS {service} is not offered for this parcel (offered: {offered})."
            + (f" EasyPost says: {notes}" if notes else ""),
            hint="Pick one of the offered services, or change the package or weight.",
            kind=ErrorKind.RATE,
            details={"shipment_id": self.shipment_id, "service": service, "offered": offered},
        )

    def explain(self, service: str) -> TargetChoice:
        """Which service a delivery target (within:3d@90) picks here, and why."""
        return pick(
            parse_target(service), [(r.service, r.amount) for r in self.rates], self.transit
        )

    def _choose_target(self, service: str) -> Rate:
        choice = self.explain(service)
        rate = self.rate_for(choice.service) if choice.service else None
        if rate is None:
            raise AppError(
                f"USPS has {choice.explanation}.",
                hint="Allow more days or a lower percentile, or pick a service by name.",
                kind=ErrorKind.RATE,
                details={"shipment_id": self.shipment_id, "service": service},
            )
        return rate


@dataclass(frozen=True, slots=True)
class PurchasedLabel:
    """A bought label: what the journal records and what the print queue fetches."""

    shipment_id: str
    tracking_code: str
    rate: Rate
    label_url: str  # URL of the label in `label_format`
    label_format: str
    label_urls: Mapping[str, str]  # every format available so far -> URL
    postage_label_id: str = ""
    label_date: datetime | None = None
    fees_total: Decimal = Decimal(0)
    insurance: Decimal | None = None
    tracker_id: str = ""
    public_tracking_url: str = ""
    reference: str = ""
    reconciled: bool = False  # True when found by retrieving the shipment after a lost answer


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """A shipment as EasyPost holds it now (for reconciliation and listings)."""

    shipment_id: str
    reference: str
    status: str
    created_at: datetime | None
    tracking_code: str
    label: PurchasedLabel | None
    refund_status: str = ""
    batch_id: str = ""
    scan_form_id: str = ""
    rates: tuple[Rate, ...] = ()
    # (form type, URL) of the shipment's forms: an international label's customs form
    # (cn22 / cp72 / commercial_invoice) as EasyPost made it.
    forms: tuple[tuple[str, str], ...] = ()

    @property
    def purchased(self) -> bool:
        return self.label is not None


@dataclass(frozen=True, slots=True)
class RefundStatus:
    """Where a refund stands: submitted, refunded, rejected (or not_applicable)."""

    status: str
    shipment_id: str = ""
    tracking_code: str = ""
    refund_id: str = ""
    confirmation_number: str = ""


@dataclass(frozen=True, slots=True)
class ScanFormInfo:
    """A SCAN form (USPS manifest): creating, created or failed."""

    id: str
    status: str
    tracking_codes: tuple[str, ...] = ()
    form_url: str = ""
    message: str = ""
    batch_id: str = ""
    created_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in {"created", "failed"}


@dataclass(frozen=True, slots=True)
class BatchShipment:
    """One shipment's place in a batch."""

    shipment_id: str
    batch_status: str
    tracking_code: str = ""
    batch_message: str = ""
    reference: str = ""


@dataclass(frozen=True, slots=True)
class BatchInfo:
    """A batch of shipments and its asynchronous state."""

    id: str
    state: str
    num_shipments: int
    shipments: tuple[BatchShipment, ...] = ()
    status_counts: Mapping[str, int] = field(default_factory=dict)
    label_url: str = ""
    scan_form: ScanFormInfo | None = None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class PickupRate:
    """A price for a pickup service (USPS: NextDay, free)."""

    id: str
    carrier: str
    service: str
    amount: Decimal
    currency: str = "USD"


@dataclass(frozen=True, slots=True)
class PickupInfo:
    """A pickup request: unknown (priced), scheduled (bought) or canceled."""

    id: str
    status: str
    min_datetime: datetime | None
    max_datetime: datetime | None
    instructions: str = ""
    confirmation: str = ""
    reference: str = ""
    rates: tuple[PickupRate, ...] = ()
    messages: tuple[RateMessage, ...] = ()


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One scan event of a tracker."""

    datetime: datetime | None
    status: str
    message: str
    status_detail: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""


@dataclass(frozen=True, slots=True)
class TrackerInfo:
    """A tracker's latest state and its events, oldest first."""

    id: str
    tracking_code: str
    status: str
    status_detail: str = ""
    carrier: str = "USPS"
    shipment_id: str = ""
    est_delivery_date: datetime | None = None
    signed_by: str = ""
    public_url: str = ""
    events: tuple[TrackingEvent, ...] = ()

    @property
    def first_scan_at(self) -> datetime | None:
        """When the carrier first had the parcel (the first event past pre_transit)."""
        moved = [e.datetime for e in self.events if e.status not in {"pre_transit", "unknown"}]
        return min((d for d in moved if d is not None), default=None)
