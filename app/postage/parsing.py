"""EasyPost objects (or their JSON) -> the gateway's frozen dataclasses, tolerant of real shapes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.orders import Address
from app.postage.models import (
    BatchInfo,
    BatchShipment,
    FieldError,
    PickupInfo,
    PickupRate,
    PurchasedLabel,
    Rate,
    RateMessage,
    RefundStatus,
    ScanFormInfo,
    ShipmentQuote,
    ShipmentRecord,
    TrackerInfo,
    TrackingEvent,
    VerifiedAddress,
)

Json = Mapping[str, Any]

_LABEL_URL_KEYS = {
    "PNG": "label_url",
    "PDF": "label_pdf_url",
    "ZPL": "label_zpl_url",
    "EPL2": "label_epl2_url",
}
_FILE_TYPES = {
    "image/png": "PNG",
    "application/pdf": "PDF",
    "application/zpl": "ZPL",
    "application/epl2": "EPL2",
}


def plain(obj: Any) -> Any:
    """An EasyPostObject (or list of them) as plain dicts and lists."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    if isinstance(obj, list):
        return [plain(item) for item in obj]
    return obj


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _money(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _int(value: Any) -> int | None:
    try:
        return None if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        return None


def parse_datetime(value: Any) -> datetime | None:
    """EasyPost timestamps: `...Z`, `+00:00`, or a bare date."""
    if not value:
        return None
    text = str(value).replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _dict(value: Any) -> Json:
    value = plain(value)
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    value = plain(value)
    return value if isinstance(value, list) else []


def parse_address_fields(data: Json) -> Address:
    """An EasyPost address as the domain's Address (missing fields become empty)."""
    return Address(
        name=_s(data.get("name")),
        company=_s(data.get("company")),
        street1=_s(data.get("street1")),
        street2=_s(data.get("street2")),
        city=_s(data.get("city")),
        state=_s(data.get("state")),
        postal_code=_s(data.get("zip")),
        country=_s(data.get("country")) or "US",
        phone=_s(data.get("phone")),
        email=_s(data.get("email")),
    )


def _field_errors(entries: Any) -> tuple[FieldError, ...]:
    found = []
    for entry in _list(entries):
        if isinstance(entry, Mapping):
            found.append(
                FieldError(
                    field=_s(entry.get("field")),
                    message=_s(entry.get("message")),
                    code=_s(entry.get("code")),
                    suggestion=_s(entry.get("suggestion")),
                )
            )
        else:
            found.append(FieldError(field="", message=_s(entry)))
    return tuple(found)


_COMPARED = (
    ("street1", "street1"),
    ("street2", "street2"),
    ("city", "city"),
    ("state", "state"),
    ("postal_code", "zip"),
    ("country", "country"),
)


def parse_verified_address(obj: Any, sent: Address | None = None) -> VerifiedAddress:
    """An Address response with its verification result and what EasyPost changed."""
    data = _dict(obj)
    if "address" in data and "object" not in data:  # create_and_verify / verify wrap it
        data = _dict(data["address"])
    verifications = _dict(data.get("verifications"))
    delivery = _dict(verifications.get("delivery"))
    zip4 = _dict(verifications.get("zip4"))
    errors = _field_errors(delivery.get("errors")) + tuple(
        e
        for e in _field_errors(zip4.get("errors"))
        if e not in _field_errors(delivery.get("errors"))
    )
    address = parse_address_fields(data)
    corrections: list[tuple[str, str, str]] = []
    if sent is not None:
        for ours, theirs in _COMPARED:
            before = getattr(sent, ours).strip()
            after = _s(data.get(theirs)).strip()
            if after and before.upper() != after.upper():
                corrections.append((theirs, before, after))
    residential = data.get("residential")
    details = _dict(delivery.get("details"))
    return VerifiedAddress(
        id=_s(data.get("id")),
        address=address,
        verified=bool(delivery.get("success")),
        residential=residential if isinstance(residential, bool) else None,
        errors=errors,
        corrections=tuple(corrections),
        time_zone=_s(details.get("time_zone")),
    )


def parse_rate(obj: Any) -> Rate:
    data = _dict(obj)
    return Rate(
        id=_s(data.get("id")),
        shipment_id=_s(data.get("shipment_id")),
        carrier=_s(data.get("carrier")),
        service=_s(data.get("service")),
        amount=_money(data.get("rate")) or Decimal(0),
        currency=_s(data.get("currency")) or "USD",
        list_amount=_money(data.get("list_rate")),
        retail_amount=_money(data.get("retail_rate")),
        delivery_days=_int(data.get("delivery_days") or data.get("est_delivery_days")),
        delivery_date_guaranteed=bool(data.get("delivery_date_guaranteed")),
    )


def parse_rates(entries: Any) -> tuple[Rate, ...]:
    """Rates cheapest first (then fastest), as the desk wants them listed."""
    rates = [parse_rate(entry) for entry in _list(entries)]
    return tuple(sorted(rates, key=lambda r: (r.amount, r.delivery_days or 99, r.service)))


def _messages(entries: Any) -> tuple[RateMessage, ...]:
    found = []
    for entry in _list(entries):
        if isinstance(entry, Mapping):
            found.append(
                RateMessage(
                    carrier=_s(entry.get("carrier")),
                    type=_s(entry.get("type")),
                    message=_s(entry.get("message")),
                )
            )
        else:
            found.append(RateMessage(carrier="", type="", message=_s(entry)))
    return tuple(found)


def parse_shipment_quote(obj: Any) -> ShipmentQuote:
    data = _dict(obj)
    return ShipmentQuote(
        shipment_id=_s(data.get("id")),
        rates=parse_rates(data.get("rates")),
        messages=_messages(data.get("messages")),
        reference=_s(data.get("reference")),
        usps_zone=_int(data.get("usps_zone")),
    )


def label_urls(postage_label: Json) -> dict[str, str]:
    """Every label format EasyPost has produced so far -> its URL.

    `label_url` is the label in the format it was bought in (PNG unless asked otherwise), so
    its format comes from the file name or `label_file_type`, not from the key.
    """
    urls: dict[str, str] = {}
    for fmt, key in _LABEL_URL_KEYS.items():
        url = _s(postage_label.get(key))
        if not url:
            continue
        if key == "label_url":
            ext = url.rsplit("?", 1)[0].rsplit(".", 1)[-1].upper()
            file_type = _FILE_TYPES.get(_s(postage_label.get("label_file_type")))
            fmt = ext if ext in _LABEL_URL_KEYS else (file_type or "PNG")
        urls.setdefault(fmt, url)
    return urls


def parse_purchased_label(
    obj: Any, *, wanted_format: str | None = None, reconciled: bool = False
) -> PurchasedLabel | None:
    """The label of a bought shipment, or None when the shipment is not bought."""
    data = _dict(obj)
    postage_label = _dict(data.get("postage_label"))
    selected = _dict(data.get("selected_rate"))
    if not postage_label and not data.get("tracking_code"):
        return None
    urls = label_urls(postage_label)
    options = _dict(data.get("options"))
    fmt = (wanted_format or _s(options.get("label_format")) or "").upper()
    if fmt not in urls:
        fmt = _FILE_TYPES.get(_s(postage_label.get("label_file_type")), "PNG")
    if fmt not in urls and urls:
        fmt = next(iter(urls))
    fees = sum(
        (
            _money(_dict(fee).get("amount")) or Decimal(0)
            for fee in _list(data.get("fees"))
            if _dict(fee).get("charged", True) and not _dict(fee).get("refunded")
        ),
        Decimal(0),
    )
    tracker = _dict(data.get("tracker"))
    return PurchasedLabel(
        shipment_id=_s(data.get("id")),
        tracking_code=_s(data.get("tracking_code")),
        rate=parse_rate(selected),
        label_url=urls.get(fmt, ""),
        label_format=fmt,
        label_urls=urls,
        postage_label_id=_s(postage_label.get("id")),
        label_date=parse_datetime(postage_label.get("label_date")),
        fees_total=fees.quantize(Decimal("0.01")),
        insurance=_money(data.get("insurance")),
        tracker_id=_s(tracker.get("id")),
        public_tracking_url=_s(tracker.get("public_url")),
        reference=_s(data.get("reference")),
        reconciled=reconciled,
    )


def parse_shipment_record(obj: Any, *, reconciled: bool = False) -> ShipmentRecord:
    data = _dict(obj)
    scan_form = _dict(data.get("scan_form"))
    return ShipmentRecord(
        shipment_id=_s(data.get("id")),
        reference=_s(data.get("reference")),
        status=_s(data.get("status")),
        created_at=parse_datetime(data.get("created_at")),
        tracking_code=_s(data.get("tracking_code")),
        label=parse_purchased_label(data, reconciled=reconciled),
        refund_status=_s(data.get("refund_status")),
        batch_id=_s(data.get("batch_id")),
        scan_form_id=_s(scan_form.get("id")),
        rates=parse_rates(data.get("rates")),
        forms=tuple(
            (_s(form.get("form_type")), _s(form.get("form_url")))
            for form in (_dict(item) for item in _list(data.get("forms")))
            if form.get("form_url")
        ),
    )


def parse_refund(obj: Any) -> RefundStatus:
    """A Refund object, or a Shipment after `/refund` (its `refund_status`)."""
    data = _dict(obj)
    if _s(data.get("id")).startswith("shp_") or data.get("object") == "Shipment":
        return RefundStatus(
            status=_s(data.get("refund_status")) or "not_applicable",
            shipment_id=_s(data.get("id")),
            tracking_code=_s(data.get("tracking_code")),
        )
    return RefundStatus(
        status=_s(data.get("status")),
        shipment_id=_s(data.get("shipment_id")),
        tracking_code=_s(data.get("tracking_code")),
        refund_id=_s(data.get("id")),
        confirmation_number=_s(data.get("confirmation_number")),
    )


def parse_scan_form(obj: Any) -> ScanFormInfo:
    data = _dict(obj)
    return ScanFormInfo(
        id=_s(data.get("id")),
        status=_s(data.get("status")),
        tracking_codes=tuple(_s(code) for code in _list(data.get("tracking_codes"))),
        form_url=_s(data.get("form_url")),
        message=_s(data.get("message")),
        batch_id=_s(data.get("batch_id")),
        created_at=parse_datetime(data.get("created_at")),
    )


def parse_batch(obj: Any) -> BatchInfo:
    data = _dict(obj)
    shipments = tuple(
        BatchShipment(
            shipment_id=_s(entry.get("id")),
            batch_status=_s(entry.get("batch_status")),
            tracking_code=_s(entry.get("tracking_code")),
            batch_message=_s(entry.get("batch_message")),
            reference=_s(entry.get("reference")),
        )
        for entry in (_dict(e) for e in _list(data.get("shipments")))
    )
    counts = {str(k): _int(v) or 0 for k, v in _dict(data.get("status")).items()}
    scan_form = _dict(data.get("scan_form"))
    return BatchInfo(
        id=_s(data.get("id")),
        state=_s(data.get("state")),
        num_shipments=_int(data.get("num_shipments")) or len(shipments),
        shipments=shipments,
        status_counts=counts,
        label_url=_s(data.get("label_url")),
        scan_form=parse_scan_form(scan_form) if scan_form else None,
        reference=_s(data.get("reference")),
    )


def parse_pickup(obj: Any) -> PickupInfo:
    data = _dict(obj)
    rates = tuple(
        sorted(
            (
                PickupRate(
                    id=_s(rate.get("id")),
                    carrier=_s(rate.get("carrier")),
                    service=_s(rate.get("service")),
                    amount=_money(rate.get("rate")) or Decimal(0),
                    currency=_s(rate.get("currency")) or "USD",
                )
                for rate in (_dict(r) for r in _list(data.get("pickup_rates")))
            ),
            key=lambda r: r.amount,
        )
    )
    return PickupInfo(
        id=_s(data.get("id")),
        status=_s(data.get("status")),
        min_datetime=parse_datetime(data.get("min_datetime")),
        max_datetime=parse_datetime(data.get("max_datetime")),
        instructions=_s(data.get("instructions")),
        confirmation=_s(data.get("confirmation")),
        reference=_s(data.get("reference")),
        rates=rates,
        messages=_messages(data.get("messages")),
    )


def parse_tracker(obj: Any) -> TrackerInfo:
    data = _dict(obj)
    events = []
    for detail in (_dict(d) for d in _list(data.get("tracking_details"))):
        location = _dict(detail.get("tracking_location"))
        events.append(
            TrackingEvent(
                datetime=parse_datetime(detail.get("datetime")),
                status=_s(detail.get("status")),
                message=_s(detail.get("message")),
                status_detail=_s(detail.get("status_detail")),
                city=_s(location.get("city")),
                state=_s(location.get("state")),
                zip=_s(location.get("zip")),
            )
        )
    epoch = datetime.min.replace(tzinfo=UTC)
    events.sort(key=lambda e: e.datetime or epoch)
    return TrackerInfo(
        id=_s(data.get("id")),
        tracking_code=_s(data.get("tracking_code")),
        status=_s(data.get("status")) or "unknown",
        status_detail=_s(data.get("status_detail")),
        carrier=_s(data.get("carrier")) or "USPS",
        shipment_id=_s(data.get("shipment_id")),
        est_delivery_date=parse_datetime(data.get("est_delivery_date")),
        signed_by=_s(data.get("signed_by")),
        public_url=_s(data.get("public_url")),
        events=tuple(events),
    )
