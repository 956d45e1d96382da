"""Every gateway operation, through the official client over HTTP, against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import zxingcpp  # noqa: F401  (imported so a missing test dependency fails loudly)
from gw_support import ABROAD, DESK, HOME, PARCEL, purchases

from app.domain.errors import AppError, ErrorKind
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderLine, SourcePlatform
from app.domain.packages import PackageType
from app.postage.gateway import EasyPostGateway
from app.postage.models import ParcelSpec, ShipmentOptions, customs_for_order
from app.postage.sandbox.server import SandboxServer
from tests.dates import every_moment, next_pickup_day


def buy_one(gateway: EasyPostGateway, reference: str = "KS-1", fmt: str = "PNG", **kw: object):
    quote = gateway.create_shipment(
        to_address=HOME,
        from_address=DESK,
        parcel=PARCEL,
        options=ShipmentOptions(label_format=fmt, print_custom_1=reference),  # type: ignore[arg-type]
        reference=reference,
    )
    rate = quote.rate_for("GroundAdvantage")
    assert rate is not None
    return quote, gateway.buy(quote.shipment_id, rate.id, reference=reference, **kw)  # type: ignore[arg-type]


def test_address_verify_with_corrections_and_errors(gateway: EasyPostGateway) -> None:
    good = gateway.verify_address(HOME)
    assert good.verified and good.id.startswith("adr_")
    assert ("zip", "90277", good.address.postal_code) in good.corrections
    bad = Address("X", "1 Nowhere Rd", "Springfield", "00001", "US", state="ZZ")
    soft = gateway.verify_address(bad)
    assert not soft.verified and soft.errors
    with pytest.raises(AppError) as caught:
        gateway.verify_address(bad, strict=True)
    assert caught.value.kind is ErrorKind.ADDRESS
    assert caught.value.details["http_status"] == 422
    assert caught.value.details["field_errors"]
    plain = gateway.create_address(DESK)
    assert not plain.verified and plain.errors == ()


def test_parcel_from_package_type_and_customs_from_order(gateway: EasyPostGateway) -> None:
    box = PackageType("Small box", length_in=Decimal(9), width_in=Decimal(6), height_in=Decimal(2),
                      empty_weight_oz=Decimal("2.5"))  # fmt: skip
    spec = ParcelSpec.from_package(box, Decimal("9.5"))
    assert spec.weight_oz == Decimal("12.0") and spec.length_in == Decimal(9)
    assert gateway.create_parcel(spec).startswith("prcl_")
    flat = ParcelSpec.from_package(
        PackageType("Flat rate", predefined="SmallFlatRateBox"), Decimal(5)
    )
    assert gateway.create_parcel(flat).startswith("prcl_")
    items = {
        "TSHIRT": Item("TSHIRT", "Shirt", Decimal("5.5"), Decimal("12.50"), "6109.10.0012",
                       "Cotton T-shirt", "us"),
        "PIN": Item("PIN", "Pin", Decimal("0.5"), Decimal("3"), "711719", "Enamel pin", "CN"),
    }  # fmt: skip
    lines = (OrderLine("TSHIRT", 2), OrderLine("PIN", 3), OrderLine("TSHIRT", 1))
    order = Order(SourcePlatform.SHOPIFY, "1001", ABROAD, lines)
    customs = customs_for_order(order, items, signer="Pat Packer")
    shirt = next(line for line in customs.lines if line.sku == "TSHIRT")
    assert shirt.quantity == 3 and shirt.value_usd == Decimal("37.50")
    assert shirt.weight_oz == Decimal("16.5") and shirt.hs_tariff_number == "6109100012"
    assert shirt.origin_country == "US" and customs.total_value_usd == Decimal("46.50")
    assert gateway.create_customs_info(customs, reference="1001").startswith("cstinfo_")


def test_rates_come_from_the_shipment(gateway: EasyPostGateway, desk_moment: datetime) -> None:
    quote = gateway.create_shipment(
        to_address=HOME, from_address=DESK, parcel=PARCEL,
        options=ShipmentOptions(label_date=desk_moment.date() + timedelta(days=1), machinable=True,
                                print_custom_1="KS-7"),
        reference="KS-7",
    )  # fmt: skip
    assert quote.shipment_id.startswith("shp_") and quote.reference == "KS-7"
    assert {"GroundAdvantage", "Priority", "Express"} <= set(quote.services)
    assert "MediaMail" not in quote.services
    assert [r.amount for r in quote.rates] == sorted(r.amount for r in quote.rates)
    media = gateway.create_shipment(
        to_address=HOME, from_address=DESK, parcel=PARCEL, options=ShipmentOptions(media_mail=True)
    )
    assert "MediaMail" in media.services
    letter = gateway.create_shipment(
        to_address=HOME, from_address=DESK, parcel=ParcelSpec(Decimal(2), "Letter")
    )
    assert letter.services == ("First",)
    rerated = gateway.regenerate_rates(quote.shipment_id)
    assert {r.service for r in rerated} == set(quote.services)
    assert all(r.shipment_id == quote.shipment_id for r in rerated)


def test_buy_with_insurance_then_labels_in_every_format(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    quote, label = buy_one(gateway, fmt="ZPL", insurance=Decimal("50"))
    assert label.tracking_code and label.label_format == "ZPL" and not label.reconciled
    assert label.insurance == Decimal("50.00") and label.fees_total > label.rate.amount
    assert label.reference == "KS-1"
    zpl = gateway.download(label.label_url)
    assert zpl.lstrip().startswith(b"^XA") and label.tracking_code.encode() in zpl
    pdf = gateway.convert_label(quote.shipment_id, "pdf")
    assert pdf.label_format == "PDF" and gateway.download(pdf.label_url).startswith(b"%PDF")
    png = gateway.convert_label(quote.shipment_id, "PNG")
    assert gateway.download(png.label_url).startswith(b"\x89PNG")
    epl = gateway.convert_label(quote.shipment_id, "EPL2")
    assert set(epl.label_urls) >= {"ZPL", "PDF", "PNG", "EPL2"}
    with pytest.raises(AppError):
        gateway.convert_label(quote.shipment_id, "GIF")
    assert len(purchases(sandbox, quote.shipment_id)) == 1
    record = gateway.retrieve_shipment(quote.shipment_id)
    assert record.purchased and record.tracking_code == label.tracking_code


def test_buying_twice_returns_the_same_label_without_a_second_purchase(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    quote, label = buy_one(gateway)
    again = gateway.buy(quote.shipment_id, quote.rates[-1].id)
    assert again.reconciled and again.tracking_code == label.tracking_code
    assert len(purchases(sandbox, quote.shipment_id)) == 1


def test_refund_one_and_many(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    quote, _ = buy_one(gateway, "R1")
    status = gateway.refund(quote.shipment_id)
    assert status.status == "submitted" and status.shipment_id == quote.shipment_id
    labels = [buy_one(gateway, f"R{n}")[1] for n in (2, 3)]
    refunds = gateway.refund_many([label.tracking_code for label in labels])
    assert [r.status for r in refunds] == ["submitted", "submitted"]
    assert {r.tracking_code for r in refunds} == {label.tracking_code for label in labels}
    assert all(r.refund_id.startswith("rfnd_") for r in refunds)


def test_batches_and_scan_forms(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    bought = [buy_one(gateway, f"B{n}")[0].shipment_id for n in range(3)]
    batch = gateway.create_batch(bought[:2], reference="day-1")
    assert batch.id.startswith("batch_")
    batch = gateway.add_to_batch(batch.id, bought[2:])
    sandbox.advance(120)
    batch = gateway.retrieve_batch(batch.id)
    assert batch.num_shipments == 3 and {s.shipment_id for s in batch.shipments} == set(bought)
    batch = gateway.remove_from_batch(batch.id, bought[2:])
    assert {s.shipment_id for s in batch.shipments} == set(bought[:2])
    # a SCAN form for loose shipments: created asynchronously, then a PDF
    form = gateway.create_scan_form([bought[2]])
    sandbox.advance(120)
    done = gateway.wait_for_scan_form(form.id, timeout=10, poll_interval=0.05)
    assert done.status == "created" and done.form_url
    assert gateway.download(done.form_url).startswith(b"%PDF")
    with pytest.raises(AppError) as twice:  # a shipment may be on one form only
        gateway.create_scan_form([bought[2]])
    assert twice.value.details["http_status"] == 422
    # the batch's own form
    with_form = gateway.create_batch_scan_form(batch.id)
    sandbox.advance(120)
    form_id = with_form.scan_form or gateway.retrieve_batch(batch.id).scan_form
    assert form_id is not None
    assert gateway.wait_for_scan_form(form_id.id, timeout=10, poll_interval=0.05).finished


def test_failed_scan_form_is_reported(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    shipment_id = buy_one(gateway, "F1")[0].shipment_id
    sandbox.set_faults(scan_form_fail=1)
    form = gateway.create_scan_form([shipment_id])
    sandbox.advance(120)
    done = gateway.wait_for_scan_form(form.id, timeout=10, poll_interval=0.05)
    assert done.status == "failed" and done.message


@pytest.mark.parametrize("desk_moment", **every_moment())
def test_pickup_lifecycle(gateway: EasyPostGateway, desk_moment: datetime) -> None:
    shipment_id = buy_one(gateway, "P1")[0].shipment_id
    day = next_pickup_day(desk_moment)  # USPS does not pick up on Sundays
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    pickup = gateway.create_pickup(
        DESK, min_datetime=start, max_datetime=start + timedelta(hours=8),
        instructions="Side door, ring twice", reference="pickup-1", shipment_id=shipment_id,
    )  # fmt: skip
    assert pickup.id.startswith("pickup_") and pickup.rates
    assert pickup.rates[0].service == "NextDay" and pickup.instructions == "Side door, ring twice"
    bought = gateway.buy_pickup(pickup.id, service=pickup.rates[0].service)
    assert bought.status == "scheduled" and bought.confirmation
    assert gateway.retrieve_pickup(pickup.id).status == "scheduled"
    assert gateway.cancel_pickup(pickup.id).status == "canceled"


def test_trackers_progress(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    label = buy_one(gateway, "T1")[1]
    tracker = gateway.create_tracker(label.tracking_code)
    assert tracker.id.startswith("trk_") and tracker.tracking_code == label.tracking_code
    before = tracker.status
    sandbox.advance(7 * 24 * 3600)
    later = gateway.retrieve_tracker(tracker.id)
    assert later.status == "delivered" and later.status != before
    assert later.first_scan_at is not None and len(later.events) > len(tracker.events)
    test_code = gateway.create_tracker("EZ4000000004")
    assert test_code.status == "delivered"


def test_list_shipments_pages_and_finds_by_reference(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    start = sandbox.clock.now() - timedelta(minutes=5)
    ids = [buy_one(gateway, f"L{n}")[0].shipment_id for n in range(5)]
    unbought = gateway.create_shipment(to_address=HOME, from_address=DESK, parcel=PARCEL,
                                       reference="L-unbought")  # fmt: skip
    end = sandbox.clock.now() + timedelta(minutes=5)
    listed = list(gateway.list_shipments(start, end, purchased=True, page_size=2))
    assert [r.shipment_id for r in listed] == list(reversed(ids))  # newest first, all pages
    assert all(r.purchased for r in listed)
    found = gateway.find_by_reference("L-unbought", start, end)
    assert [r.shipment_id for r in found] == [unbought.shipment_id] and not found[0].purchased
    assert [r.shipment_id for r in gateway.find_by_reference("L3", start, end)] == [ids[3]]


def test_batch_buy_and_batch_label(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    quotes = [
        gateway.create_shipment(
            to_address=HOME, from_address=DESK, parcel=PARCEL, reference=f"BB{n}"
        )
        for n in range(3)
    ]
    batch = gateway.create_batch([q.shipment_id for q in quotes], reference="batch-buy")
    sandbox.advance(120)
    batch = gateway.wait_for_batch(batch.id, {"created"}, timeout=10, poll_interval=0.05)
    gateway.buy_batch(batch.id)
    sandbox.advance(120)
    bought = gateway.wait_for_batch(batch.id, {"purchased"}, timeout=10, poll_interval=0.05)
    assert all(s.batch_status == "postage_purchased" and s.tracking_code for s in bought.shipments)
    assert len(purchases(sandbox)) == 3
    gateway.batch_label(bought.id, "ZPL")
    sandbox.advance(120)
    labelled = gateway.wait_for_batch(
        bought.id, {"label_generated"}, timeout=10, poll_interval=0.05, label=True
    )
    zpl = gateway.download(labelled.label_url)
    assert zpl.count(b"^XA") == 3
    with pytest.raises(AppError) as png:  # EasyPost offers no PNG for batch labels
        gateway.batch_label(bought.id, "PNG")
    assert png.value.details["http_status"] == 422


def test_choose_a_service_from_the_rates(gateway: EasyPostGateway) -> None:
    quote = gateway.create_shipment(to_address=HOME, from_address=DESK, parcel=PARCEL)
    assert quote.choose("cheapest") == quote.rates[0]
    assert quote.choose("Priority").service == "Priority"
    with pytest.raises(AppError) as retired:
        quote.choose("ParcelSelect")
    assert retired.value.details["replacement"] == "GroundAdvantage"
    with pytest.raises(AppError) as missing:
        quote.choose("MediaMail")  # not asked for: no special rates
    assert missing.value.kind is ErrorKind.RATE and "GroundAdvantage" in missing.value.message
    with pytest.raises(AppError, match="letters and flats"):
        quote.choose("First")


@pytest.mark.parametrize("desk_moment", **every_moment())
def test_label_date_and_reference_are_kept(gateway: EasyPostGateway, desk_moment: datetime) -> None:
    tomorrow = desk_moment.date() + timedelta(days=1)
    quote = gateway.create_shipment(
        to_address=HOME, from_address=DESK, parcel=PARCEL, reference="LD-1",
        options=ShipmentOptions(label_date=tomorrow, print_custom_1="LD-1"),
    )  # fmt: skip
    label = gateway.buy(quote.shipment_id, quote.choose("GroundAdvantage").id)
    assert label.label_date is not None and label.label_date.date() == tomorrow
    assert label.reference == "LD-1"


def test_unknown_sku_in_customs_is_named() -> None:
    order = Order(SourcePlatform.MANUAL, "77", ABROAD, (OrderLine("GHOST", 1),))
    with pytest.raises(AppError) as caught:
        customs_for_order(order, {}, signer="Pat")
    assert caught.value.kind is ErrorKind.CUSTOMS and caught.value.details["sku"] == "GHOST"
