"""EasyPost's documented example responses, converted as the client does, through the parsers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.orders import Address
from app.postage.ep import convert_to_easypost_object
from app.postage.parsing import (
    parse_batch,
    parse_pickup,
    parse_purchased_label,
    parse_rates,
    parse_refund,
    parse_scan_form,
    parse_shipment_quote,
    parse_shipment_record,
    parse_tracker,
    parse_verified_address,
)

DOCS = Path(__file__).parents[1] / "easypost_examples"


def example(name: str) -> Any:
    """The example body as the official client returns it (EasyPostObject or list)."""
    data = json.loads((DOCS / name).read_text())
    return convert_to_easypost_object(data)


def test_shipment_create_gives_rates_cheapest_first() -> None:
    quote = parse_shipment_quote(example("shipments_shipments-create.json"))
    assert quote.shipment_id.startswith("shp_")
    amounts = [rate.amount for rate in quote.rates]
    assert amounts == sorted(amounts) and len(amounts) >= 3
    assert {"GroundAdvantage", "Priority", "Express"} <= set(quote.services)
    ground = quote.rate_for("GroundAdvantage")
    assert ground is not None and ground.id.startswith("rate_")
    assert ground.shipment_id == quote.shipment_id and ground.delivery_days


def test_bought_shipment_gives_label_tracking_fees_and_insurance() -> None:
    label = parse_purchased_label(example("shipments_shipments-buy.json"))
    assert label is not None
    assert label.tracking_code == "9434600208303109842228"
    assert label.rate.service == "GroundAdvantage" and label.rate.amount == Decimal("8.20")
    assert label.label_format == "PNG" and label.label_url.endswith(".png")
    assert label.fees_total == Decimal("9.45")  # 8.20 postage + 1.24995 insurance
    assert label.insurance == Decimal("249.99")
    assert label.tracker_id.startswith("trk_") and label.postage_label_id.startswith("pl_")
    assert label.label_date == datetime(2025, 5, 9, 20, 40, 8, tzinfo=UTC)


def test_unbought_shipment_has_no_label() -> None:
    shipment = example("shipments_shipments-retrieve.json")
    assert parse_purchased_label(shipment) is None
    record = parse_shipment_record(shipment)
    assert not record.purchased and record.rates


def test_converted_label_keeps_every_format() -> None:
    label = parse_purchased_label(example("shipments_shipments-label.json"), wanted_format="ZPL")
    assert label is not None
    assert label.label_format == "ZPL" and label.label_url.endswith(".zpl")
    assert set(label.label_urls) == {"PNG", "ZPL"}


def test_one_call_buy_and_insured_and_refunded_shapes() -> None:
    for name in (
        "shipments_shipments-one-call-buy.json",
        "shipping-insurance_shipping-insurance-insure.json",
    ):
        label = parse_purchased_label(example(name))
        assert label is not None and label.tracking_code
    refund = parse_refund(example("shipping-refund_shipping-refund-refund.json"))
    assert refund.status == "submitted" and refund.shipment_id.startswith("shp_")


def test_shipment_list_pages() -> None:
    for name in ("shipments_shipments-list.json", "pagination_pagination-get-next-page.json"):
        page = example(name)
        records = [parse_shipment_record(s) for s in page["shipments"]]
        assert records and all(r.shipment_id.startswith("shp_") for r in records)
        assert all(r.created_at is not None for r in records)


def test_verified_address_and_corrections() -> None:
    sent = Address(
        name="",
        company="EasyPost",
        street1="417 montgomery street",
        street2="FL 5",
        city="San Francisco",
        state="CA",
        postal_code="94104",
        country="US",
    )
    result = parse_verified_address(example("addresses_addresses-verify.json"), sent=sent)
    assert result.verified and result.id.startswith("adr_")
    assert result.address.postal_code == "94104-1129"
    corrected = {field: after for field, _, after in result.corrections}
    assert corrected["zip"] == "94104-1129" and corrected["street1"] == "417 MONTGOMERY ST FL 5"
    assert result.time_zone == "America/Los_Angeles"


def test_failed_soft_verification_lists_field_errors() -> None:
    result = parse_verified_address(example("addresses_addresses-verify-param.json"))
    assert not result.verified
    assert result.errors and result.errors[0].code == "E.ADDRESS.NOT_FOUND"
    assert result.errors[0].field == "address"


def test_unverified_address() -> None:
    result = parse_verified_address(example("addresses_addresses-create.json"))
    assert not result.verified and result.errors == ()


def test_regenerated_rates() -> None:
    rates = parse_rates(example("rates_rates-regenerate.json")["rates"])
    assert [r.service for r in rates] == ["GroundAdvantage", "Priority", "Express"]


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("batches_batches-create.json", "creating"),
        ("batches_batches-buy.json", "created"),
        ("batches_batches-add-shipments.json", None),
        ("batches_batches-label.json", None),
        ("batches_batches-scan-forms.json", None),
        ("batches_batches-retrieve.json", None),
    ],
)
def test_batches(name: str, state: str | None) -> None:
    batch = parse_batch(example(name))
    assert batch.id.startswith("batch_")
    if state:
        assert batch.state == state
    assert set(batch.status_counts) <= {
        "created",
        "queued_for_purchase",
        "creation_failed",
        "postage_purchased",
        "postage_purchase_failed",
    }
    for shipment in batch.shipments:
        assert shipment.shipment_id.startswith("shp_")


def test_scan_form() -> None:
    form = parse_scan_form(example("scan-form_scan-form-create.json"))
    assert form.finished and form.status == "created"
    assert form.form_url.endswith(".pdf") and form.tracking_codes == ("9405500208303109884151",)
    assert form.batch_id.startswith("batch_")


def test_pickups() -> None:
    created = parse_pickup(example("pickups_pickups-create.json"))
    assert created.status == "unknown" and created.rates[0].service == "NextDay"
    assert created.rates[0].amount == Decimal("0.00")
    assert created.min_datetime == datetime(2025, 5, 12, tzinfo=UTC)
    bought = parse_pickup(example("pickups_pickups-buy.json"))
    assert bought.status == "scheduled" and bought.confirmation
    assert parse_pickup(example("pickups_pickups-cancel.json")).status == "canceled"


def test_refunds_array() -> None:
    refunds = [parse_refund(r) for r in example("refunds_refunds-create.json")]
    assert refunds[0].status == "submitted" and refunds[0].refund_id.startswith("rfnd_")
    assert refunds[0].tracking_code == "9405500208303109884137"


def test_trackers() -> None:
    tracker = parse_tracker(example("trackers_trackers-create.json"))
    assert tracker.status == "pre_transit" and tracker.tracking_code == "EZ1000000001"
    assert tracker.events[0].message == "Pre-Shipment Info Sent to USPS"
    assert tracker.events[-1].city == "HOUSTON"
    assert tracker.first_scan_at is None
    listed = example("trackers_trackers-list.json")
    for entry in listed["trackers"]:
        assert parse_tracker(entry).id.startswith("trk_")
