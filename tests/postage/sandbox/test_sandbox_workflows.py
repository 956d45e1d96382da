"""Batches, SCAN forms, pickups and trackers: asynchronous states on the sandbox clock."""

from __future__ import annotations

import re

import easypost
import pypdfium2 as pdfium
import pytest
import requests
from sandbox_shapes import assert_shape
from sandbox_support import (
    FROM_ADDRESS,
    PARCEL,
    TO_ADDRESS,
    TO_NEW_YORK,
    bought_shipment,
    create_shipment,
)

from app.postage.sandbox.server import SandboxServer


def test_batch_create_buy_label_scan_form(
    client: easypost.EasyPostClient, sandbox: SandboxServer, http: requests.Session
) -> None:
    existing = create_shipment(client)
    batch = client.batch.create(
        shipments=[
            existing,
            {
                "to_address": TO_NEW_YORK,
                "from_address": FROM_ADDRESS,
                "parcel": PARCEL,
                "carrier": "USPS",
                "service": "Priority",
            },
        ]
    )
    assert re.fullmatch(r"batch_[0-9a-f]{32}", batch.id)
    assert batch.state == "creating" and batch.shipments == [] and batch.num_shipments == 2
    assert_shape(batch.to_dict(), "batches_batches-create")
    sandbox.advance(sandbox.timings.batch_s)
    created = client.batch.retrieve(batch.id)
    assert created.state == "created" and created.status.created == 2

    bought = client.batch.buy(batch.id)
    assert {s.batch_status for s in bought.shipments} == {"queued_for_purchase"}
    assert_shape(bought.to_dict(), "batches_batches-buy")
    assert sandbox.ledger() == []
    sandbox.advance(sandbox.timings.batch_s)
    purchased = client.batch.retrieve(batch.id)
    assert purchased.state == "purchased" and purchased.status.postage_purchased == 2
    assert all(s.tracking_code for s in purchased.shipments)
    services = {e["service"] for e in sandbox.ledger() if e["event"] == "purchase"}
    assert services == {"GroundAdvantage", "Priority"}

    labelling = client.batch.label(batch.id, file_format="ZPL")
    assert labelling.state == "label_generating" and labelling.label_url is None
    sandbox.advance(sandbox.timings.batch_s)
    labelled = client.batch.retrieve(batch.id)
    assert labelled.state == "label_generated"
    labels = http.get(labelled.label_url).content
    assert labels.count(b"^XA") == 2

    with_form = client.batch.create_scan_form(batch.id)
    assert with_form.scan_form.status == "creating"
    sandbox.advance(sandbox.timings.scan_form_s)
    form = client.batch.retrieve(batch.id).scan_form
    assert form.status == "created" and len(form.tracking_codes) == 2


def test_batch_add_remove_and_list(client: easypost.EasyPostClient) -> None:
    shipment = bought_shipment(client)
    batch = client.batch.create()
    added = client.batch.add_shipments(batch.id, shipments=[shipment])
    assert [s.batch_status for s in added.shipments] == ["postage_purchased"]
    assert_shape(added.to_dict(), "batches_batches-add-shipments")
    removed = client.batch.remove_shipments(batch.id, shipments=[shipment])
    assert removed.shipments == [] and removed.num_shipments == 0
    assert batch.id in {b.id for b in client.batch.all(page_size=5).batches}


def test_batch_purchase_failure_is_reported_per_shipment(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    abroad = {**TO_NEW_YORK, "country": "DE", "state": "", "zip": "10115", "city": "Berlin"}
    batch = client.batch.create(shipments=[create_shipment(client, to_address=abroad)])
    client.batch.buy(batch.id)
    sandbox.advance(sandbox.timings.batch_s)
    failed = client.batch.retrieve(batch.id)
    assert failed.state == "purchase_failed"
    assert failed.shipments[0].batch_status == "postage_purchase_failed"
    assert "Customs" in failed.shipments[0].batch_message


def test_scan_form_lifecycle_and_pdf(
    client: easypost.EasyPostClient, sandbox: SandboxServer, http: requests.Session
) -> None:
    shipments = [bought_shipment(client) for _ in range(2)]

    form = client.scan_form.create(shipments=shipments)
    assert re.fullmatch(r"sf_[0-9a-f]{32}", form.id) and form.status == "creating"
    assert form.form_url is None
    sandbox.advance(sandbox.timings.scan_form_s)
    done = client.scan_form.retrieve(form.id)
    assert done.status == "created"
    assert sorted(done.tracking_codes) == sorted(s.tracking_code for s in shipments)
    assert_shape(done.to_dict(), "scan-form_scan-form-retrieve")
    pdf = http.get(done.form_url)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.shipment.retrieve(shipments[0].id).scan_form.id == form.id
    assert [f.id for f in client.scan_form.all(page_size=5).scan_forms] == [form.id]


def test_scan_form_rules(client: easypost.EasyPostClient, sandbox: SandboxServer) -> None:
    first, refunded, unbought = bought_shipment(client), bought_shipment(client), None
    unbought = create_shipment(client)
    other_origin = bought_shipment(client, from_address={**FROM_ADDRESS, "street1": "1 Main St"})
    client.shipment.refund(refunded.id)
    client.scan_form.create(shipments=[first])

    for shipments, words in (
        ([first], "already on SCAN form"),
        ([refunded], "refunded"),
        ([unbought], "no postage label"),
        ([{"id": "shp_" + "f" * 32}], "not found"),
    ):
        with pytest.raises(easypost.errors.InvalidRequestError) as caught:
            client.scan_form.create(shipments=shipments)
        assert caught.value.code == "SCAN_FORM.CREATE.FAILURE"
        assert words in caught.value.message
    with pytest.raises(easypost.errors.InvalidRequestError) as mixed:
        client.scan_form.create(shipments=[bought_shipment(client), other_origin])
    assert "same origin address" in mixed.value.message


def test_refund_rejected_once_on_a_scan_form_or_scanned(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    on_form, travelling = bought_shipment(client), bought_shipment(client)
    client.scan_form.create(shipments=[on_form])
    assert client.shipment.refund(on_form.id).refund_status == "rejected"

    sandbox.advance(sandbox.timings.tracker_step_s)  # USPS scanned it: in transit
    assert client.tracker.retrieve(travelling.tracker.id).status == "in_transit"
    assert client.shipment.refund(travelling.id).refund_status == "rejected"
    events = [e["event"] for e in sandbox.ledger()]
    assert events.count("refund_rejected") == 2 and "refund_submitted" not in events


def test_failed_scan_form_by_fault(client: easypost.EasyPostClient, sandbox: SandboxServer) -> None:
    shipment = bought_shipment(client)
    sandbox.set_faults(scan_form_fail=1)
    form = client.scan_form.create(shipments=[shipment])
    sandbox.advance(sandbox.timings.scan_form_s)
    failed = client.scan_form.retrieve(form.id)
    assert failed.status == "failed" and "too many requests" in failed.message
    again = client.scan_form.create(shipments=[shipment])  # the shipment is free again
    sandbox.advance(sandbox.timings.scan_form_s)
    assert client.scan_form.retrieve(again.id).status == "created"


def test_pickup_create_buy_cancel(client: easypost.EasyPostClient, sandbox: SandboxServer) -> None:
    shipment = bought_shipment(client)
    pickup = client.pickup.create(
        address=FROM_ADDRESS,
        shipment=shipment,
        reference="desk-1",
        min_datetime="2026-03-05T09:00:00Z",
        max_datetime="2026-03-05T17:00:00Z",
        instructions="Side door",
        is_account_address=False,
    )
    assert re.fullmatch(r"pickup_[0-9a-f]{32}", pickup.id) and pickup.status == "unknown"
    assert [(r.carrier, r.service, r.rate) for r in pickup.pickup_rates] == [
        ("USPS", "NextDay", "0.00")
    ]
    assert_shape(pickup.to_dict(), "pickups_pickups-create")
    scheduled = client.pickup.buy(pickup.id, carrier="USPS", service="NextDay")
    assert scheduled.status == "scheduled" and re.fullmatch(r"WTC\d{8}", scheduled.confirmation)
    assert_shape(scheduled.to_dict(), "pickups_pickups-buy")
    canceled = client.pickup.cancel(pickup.id)
    assert canceled.status == "canceled"
    assert client.pickup.retrieve(pickup.id).status == "canceled"
    assert [p.id for p in client.pickup.all(page_size=5).pickups] == [pickup.id]
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.pickup.cancel(pickup.id)


def test_pickup_on_sunday_only_has_no_rates(client: easypost.EasyPostClient) -> None:
    shipment = bought_shipment(client)
    pickup = client.pickup.create(
        address=FROM_ADDRESS,
        shipment=shipment,
        min_datetime="2026-03-08",
        max_datetime="2026-03-08",
    )
    assert pickup.pickup_rates == [] and pickup.messages[0].type == "rate_error"
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.pickup.buy(pickup.id, carrier="USPS", service="NextDay")
    with pytest.raises(easypost.errors.InvalidRequestError) as caught:
        client.pickup.create(address=FROM_ADDRESS, shipment=shipment)
    assert {e["field"] for e in caught.value.errors} == {"min_datetime", "max_datetime"}


def test_tracker_progresses_on_the_clock(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    bought = bought_shipment(client, to_address=TO_ADDRESS)
    tracker = client.tracker.create(tracking_code=bought.tracking_code, carrier="USPS")
    assert tracker.id == bought.tracker.id  # one tracker per code
    seen = [tracker.status]
    for _ in range(3):
        sandbox.advance(sandbox.timings.tracker_step_s)
        seen.append(client.tracker.retrieve(tracker.id).status)
    assert seen == ["pre_transit", "in_transit", "out_for_delivery", "delivered"]
    final = client.tracker.retrieve(tracker.id)
    assert [d.status for d in final.tracking_details] == seen
    assert final.tracking_details[-1].tracking_location.city == "Redondo Beach"
    assert client.shipment.retrieve(bought.id).status == "delivered"
    assert final.carrier_detail.destination_location == "REDONDO BEACH CA, 90277"
    assert final.finalized is True
    assert_shape(final.to_dict(), "trackers_trackers-create")


def test_test_codes_unknown_codes_and_lists(client: easypost.EasyPostClient) -> None:
    delivered = client.tracker.create(tracking_code="EZ4000000004", carrier="USPS")
    assert delivered.status == "delivered" and delivered.signed_by == "John Tester"
    assert re.fullmatch(r"trk_[0-9a-f]{32}", delivered.id)
    unknown = client.tracker.create(tracking_code="1Z999", carrier="USPS")
    assert unknown.status == "error"
    assert "only test tracking numbers" in unknown.tracking_details[0].message
    listed = client.tracker.all(tracking_codes=["EZ4000000004"], page_size=5)
    assert [t.id for t in listed.trackers] == [delivered.id]
    client.tracker.delete(unknown.id)
    with pytest.raises(easypost.errors.NotFoundError):
        client.tracker.retrieve(unknown.id)


def test_batch_pdf_label_merges_pages(
    client: easypost.EasyPostClient, sandbox: SandboxServer, http: requests.Session
) -> None:
    batch = client.batch.create(shipments=[create_shipment(client) for _ in range(3)])
    client.batch.buy(batch.id)
    sandbox.advance(sandbox.timings.batch_s)
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.batch.label(batch.id, file_format="PNG")  # EasyPost offers no PNG batch labels
    client.batch.label(batch.id, file_format="PDF")
    sandbox.advance(sandbox.timings.batch_s)
    pdf = http.get(client.batch.retrieve(batch.id).label_url).content
    assert len(pdfium.PdfDocument(pdf)) == 3


UNVERIFIED = ("$.shipments[0].to_address.verifications", "$.shipments[0].buyer_address.verif")


def test_list_bodies_match_easyposts_examples(
    client: easypost.EasyPostClient, sandbox: SandboxServer, http: requests.Session
) -> None:
    shipment = bought_shipment(client)
    client.refund.create(carrier="USPS", tracking_codes=[bought_shipment(client).tracking_code])
    client.batch.create(shipments=[create_shipment(client)])
    client.scan_form.create(shipments=[shipment])
    sandbox.advance(sandbox.timings.scan_form_s)
    client.pickup.create(
        address=FROM_ADDRESS,
        shipment=shipment,
        min_datetime="2026-03-05",
        max_datetime="2026-03-05",
    )
    client.tracker.create(tracking_code="EZ1000000001")
    client.address.create(**TO_ADDRESS)
    http.headers["Authorization"] = "Bearer EZTK_lists"
    for path, example_name in (
        ("shipments", "shipments_shipments-list"),
        ("refunds", "refunds_refunds-list"),
        ("batches", "batches_batches-list"),
        ("scan_forms", "scan-form_scan-form-list"),
        ("pickups", "pickups_pickups-list"),
        ("trackers", "trackers_trackers-list"),
        ("addresses", "addresses_addresses-list"),
    ):
        body = http.get(f"{sandbox.api_base}/{path}", params={"page_size": 5}).json()
        assert body[path], path
        # (an address not yet verified has empty verifications, as at EasyPost)
        assert_shape(body, example_name, skip=UNVERIFIED)
