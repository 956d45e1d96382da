"""Shipments through the official client: create, rates, buy, labels, refunds, lists."""

from __future__ import annotations

import io
import re

import easypost
import pytest
import requests
import zxingcpp
from PIL import Image
from sandbox_shapes import assert_shape
from sandbox_support import (
    CUSTOMS,
    FROM_ADDRESS,
    PARCEL,
    TO_ADDRESS,
    TO_CANADA,
    TO_NEW_YORK,
    bought_shipment,
    create_shipment,
)

from app.domain.tracking import is_valid_s10, is_valid_usps_tracking
from app.postage.sandbox.server import SandboxServer


def test_create_returns_usps_rates_shaped_like_easypost(client: easypost.EasyPostClient) -> None:
    shipment = create_shipment(client, reference="ORDER-1", options={"print_custom_1": "ORD 1"})

    assert re.fullmatch(r"shp_[0-9a-f]{32}", shipment.id)
    assert isinstance(shipment, easypost.models.Shipment)
    assert {r.service for r in shipment.rates} == {"GroundAdvantage", "Priority", "Express"}
    assert all(re.fullmatch(r"rate_[0-9a-f]{32}", r.id) for r in shipment.rates)
    assert shipment.lowest_rate().service == "GroundAdvantage"
    assert shipment.mode == "test" and shipment.reference == "ORDER-1"
    assert shipment.to_dict()["options"]["print_custom"] == [{"value": "ORD 1"}]
    assert shipment.options.currency == "USD"
    body = shipment.to_dict()
    assert_shape(body, "shipments_shipments-create")
    assert_shape(body["rates"][0], "rates_rates-retrieve")


def test_rate_model_uses_zone_and_weight(client: easypost.EasyPostClient) -> None:
    near = create_shipment(client)  # SF -> Redondo Beach
    far = create_shipment(client, to_address=TO_NEW_YORK)
    heavy = create_shipment(client, to_address=TO_NEW_YORK, parcel={**PARCEL, "weight": 160})

    def price(shipment: object, service: str) -> float:
        return float(next(r.rate for r in shipment.rates if r.service == service))  # type: ignore[attr-defined]

    assert near.usps_zone < far.usps_zone
    assert price(near, "GroundAdvantage") < price(far, "GroundAdvantage")
    assert price(far, "GroundAdvantage") < price(heavy, "GroundAdvantage")
    for rate in far.rates:
        assert float(rate.rate) <= float(rate.list_rate) <= float(rate.retail_rate)
        assert rate.delivery_days == rate.est_delivery_days


def test_special_services_depend_on_package_and_eligibility(
    client: easypost.EasyPostClient,
) -> None:
    plain = create_shipment(client)
    media = create_shipment(
        client, options={"special_rates_eligibility": "USPS.MEDIAMAIL,USPS.LIBRARYMAIL"}
    )
    letter = create_shipment(client, parcel={"predefined_package": "Letter", "weight": 1})
    flat_box = create_shipment(
        client, parcel={"predefined_package": "MediumFlatRateBox", "weight": 200}
    )
    too_heavy = create_shipment(client, parcel={**PARCEL, "weight": 71 * 16})

    assert "MediaMail" not in {r.service for r in plain.rates}
    assert {"MediaMail", "LibraryMail"} <= {r.service for r in media.rates}
    assert [r.service for r in letter.rates] == ["First"]
    assert [r.service for r in flat_box.rates] == ["Priority"]
    assert too_heavy.rates == []
    assert too_heavy.messages[0].type == "rate_error"


def test_buy_produces_label_tracker_and_fees(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    shipment = create_shipment(client)
    bought = client.shipment.buy(shipment.id, rate=shipment.lowest_rate(), insurance="249.99")

    assert is_valid_usps_tracking(bought.tracking_code)
    assert bought.selected_rate.id == shipment.lowest_rate().id
    assert bought.postage_label.label_url.startswith(sandbox.base_url + "/files/")
    assert bought.postage_label.label_file_type == "image/png"
    assert bought.tracker.tracking_code == bought.tracking_code
    assert bought.tracker.status == "pre_transit"
    fees = {fee.type: fee.amount for fee in bought.fees}
    assert fees["PostageFee"] == f"{float(bought.selected_rate.rate):.5f}"
    assert fees["InsuranceFee"] == "1.24995"  # 0.5 %, as EasyPost charged for 249.99
    assert bought.insurance == "249.99"
    assert bought.to_address.street1 == "179 N HARBOR DR"  # verified on purchase
    assert_shape(bought.to_dict(), "shipments_shipments-buy")
    [entry] = sandbox.ledger()
    assert entry["event"] == "purchase" and entry["shipment_id"] == shipment.id


def test_png_label_is_4x6_at_300_dpi_with_a_scannable_impb(
    client: easypost.EasyPostClient, http: requests.Session
) -> None:
    bought = bought_shipment(client)

    image = Image.open(io.BytesIO(http.get(bought.postage_label.label_url).content))
    assert image.size == (1200, 1800)
    payloads = {re.sub(r"\D", "", result.text) for result in zxingcpp.read_barcodes(image)}
    zip9 = bought.to_address.zip.replace("-", "")
    assert f"420{zip9}{bought.tracking_code}" in payloads, payloads


def test_buying_twice_fails_like_easypost(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    shipment = create_shipment(client)
    client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    with pytest.raises(easypost.errors.InvalidRequestError) as caught:
        client.shipment.buy(shipment.id, rate=shipment.rates[0])
    assert caught.value.http_status == 422
    assert caught.value.code == "SHIPMENT.POSTAGE.EXISTS"
    assert len(sandbox.ledger()) == 1


def test_buy_needs_a_rate_of_this_shipment(client: easypost.EasyPostClient) -> None:
    one, other = create_shipment(client), create_shipment(client)
    with pytest.raises(easypost.errors.InvalidRequestError) as caught:
        client.shipment.buy(one.id, rate=other.rates[0])
    assert caught.value.code == "SHIPMENT.POSTAGE.FAILURE"
    assert caught.value.errors[0]["field"] == "rate"


def test_label_in_another_format(client: easypost.EasyPostClient, http: requests.Session) -> None:
    bought = bought_shipment(client)

    converted = client.shipment.label(bought.id, file_format="ZPL")
    epl = client.shipment.label(bought.id, file_format="EPL2")

    assert converted.postage_label.label_zpl_url.endswith(".zpl")
    assert converted.postage_label.label_url == bought.postage_label.label_url
    zpl = http.get(converted.postage_label.label_zpl_url)
    assert zpl.status_code == 200 and zpl.content.startswith(b"^XA")
    assert bought.tracking_code.encode() in zpl.content
    assert http.get(epl.postage_label.label_epl2_url).status_code == 200
    with pytest.raises(easypost.errors.InvalidRequestError) as caught:
        client.shipment.label(bought.id, file_format="GIF")
    assert caught.value.code == "SHIPMENT.POSTAGE.FORMAT_UNAVAILABLE"


def test_label_format_option_at_creation(
    client: easypost.EasyPostClient, http: requests.Session
) -> None:
    bought = bought_shipment(client, options={"label_format": "ZPL", "label_date": "2026-03-04"})
    label = bought.postage_label
    assert label.label_file_type == "application/zpl" and label.label_resolution == 203
    assert label.label_zpl_url and http.get(label.label_zpl_url).content.startswith(b"^XA")
    assert label.label_date == "2026-03-04T00:00:00Z"


def test_one_call_buy_with_carrier_and_service(client: easypost.EasyPostClient) -> None:
    shipment = create_shipment(client, carrier="USPS", service="Priority")
    assert shipment.selected_rate.service == "Priority"
    assert shipment.postage_label is not None


def test_international_needs_complete_customs(
    client: easypost.EasyPostClient, sandbox: SandboxServer, http: requests.Session
) -> None:
    bare = create_shipment(client, to_address=TO_CANADA)
    incomplete = create_shipment(
        client,
        to_address=TO_CANADA,
        customs_info={
            **CUSTOMS,
            "customs_items": [{"description": "Book", "quantity": 1, "value": "ten", "weight": 8}],
        },
    )
    complete = create_shipment(client, to_address=TO_CANADA, customs_info=CUSTOMS)

    assert {r.service for r in bare.rates} >= {
        "FirstClassPackageInternationalService",
        "PriorityMailInternational",
    }
    with pytest.raises(easypost.errors.InvalidRequestError) as missing:
        client.shipment.buy(bare.id, rate=bare.lowest_rate())
    assert missing.value.code == "SHIPMENT.POSTAGE.FAILURE"
    assert missing.value.errors[0]["field"] == "customs_info"
    with pytest.raises(easypost.errors.InvalidRequestError) as partial:
        client.shipment.buy(incomplete.id, rate=incomplete.lowest_rate())
    fields = {error["field"] for error in partial.value.errors}
    assert "customs_info.customs_items[0].hs_tariff_number" in fields
    assert "customs_info.customs_items[0].origin_country" in fields
    assert "customs_info.customs_items[0].value" in fields
    assert sandbox.ledger() == []

    bought = client.shipment.buy(complete.id, rate=complete.lowest_rate())
    assert is_valid_s10(bought.tracking_code) and bought.tracking_code.startswith("LZ")
    assert bought.forms[0].form_type == "cn22"
    form = http.get(bought.forms[0].form_url)
    assert form.status_code == 200 and form.content.startswith(b"%PDF")


def test_regenerate_rates_and_retrieve_rate(client: easypost.EasyPostClient) -> None:
    shipment = create_shipment(client)
    rerated = client.shipment.regenerate_rates(shipment.id)
    assert {r.id for r in rerated.rates}.isdisjoint({r.id for r in shipment.rates})
    rate = client.rate.retrieve(rerated.rates[0].id)
    assert rate.shipment_id == shipment.id
    assert_shape(rate.to_dict(), "rates_rates-retrieve")
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.buy(shipment.id, rate=shipment.rates[0])  # replaced by the rerate


def test_shipment_by_ids_and_empty_objects(client: easypost.EasyPostClient) -> None:
    to_address = client.address.create(**TO_ADDRESS)
    from_address = client.address.create(**FROM_ADDRESS)
    parcel = client.parcel.create(**PARCEL)
    shipment = client.shipment.create(
        to_address=to_address,
        from_address=from_address,
        parcel=parcel,
        options=None,
        customs_info={},
    )
    assert shipment.to_address.id == to_address.id and shipment.parcel.id == parcel.id
    assert shipment.customs_info is None


def test_invalid_shipment_params(client: easypost.EasyPostClient) -> None:
    with pytest.raises(easypost.errors.InvalidRequestError) as blank:
        client.shipment.create()
    assert blank.value.code == "PARAMETER.REQUIRED"
    with pytest.raises(easypost.errors.InvalidRequestError) as missing:
        client.shipment.create(to_address=TO_ADDRESS, parcel=PARCEL)
    assert missing.value.code == "SHIPMENT.INVALID_PARAMS"
    with pytest.raises(easypost.errors.NotFoundError):
        client.shipment.retrieve("shp_" + "0" * 32)


def test_refund_goes_submitted_then_refunded(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    bought = bought_shipment(client)

    refunded = client.shipment.refund(bought.id)
    assert refunded.refund_status == "submitted"
    assert client.shipment.refund(bought.id).refund_status == "submitted"  # idempotent
    sandbox.advance(sandbox.timings.refund_s + 1)
    assert client.shipment.retrieve(bought.id).refund_status == "refunded"
    events = [entry["event"] for entry in sandbox.ledger()]
    assert events == ["purchase", "refund_submitted", "refund_completed"]
    assert_shape(refunded.to_dict(), "shipping-refund_shipping-refund-refund")


def test_bulk_refunds_create_list_retrieve(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    first, second = bought_shipment(client), bought_shipment(client)

    refunds = client.refund.create(
        carrier="USPS", tracking_codes=[first.tracking_code, second.tracking_code]
    )

    assert isinstance(refunds, list) and [r.status for r in refunds] == ["submitted"] * 2
    assert refunds[0].shipment_id == first.id
    assert_shape(refunds[0].to_dict(), "refunds_refunds-retrieve")
    listed = client.refund.all(page_size=5)
    assert {r.id for r in listed.refunds} == {r.id for r in refunds}
    sandbox.advance(sandbox.timings.refund_s + 1)
    assert client.refund.retrieve(refunds[0].id).status == "refunded"


def test_list_shipments_by_date_range_with_pagination(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    made = [create_shipment(client, reference=f"R{i}") for i in range(5)]
    sandbox.advance(3600)
    later = create_shipment(client, reference="late")
    client.shipment.buy(made[0].id, rate=made[0].lowest_rate())

    page = client.shipment.all(
        page_size=2, start_datetime="2026-03-04T14:00:00Z", end_datetime="2026-03-04T15:30:00Z"
    )
    seen = [s.reference for s in page.shipments]
    while page.has_more:
        page = client.shipment.get_next_page(page, page_size=2)
        seen.extend(s.reference for s in page.shipments)
    assert seen == ["R4", "R3", "R2", "R1", "R0"]  # newest first, "late" outside the range

    purchased = client.shipment.all(page_size=100, purchased=True)
    assert [s.id for s in purchased.shipments] == [made[0].id]
    unpurchased = client.shipment.all(page_size=100, purchased=False)
    assert later.id in {s.id for s in unpurchased.shipments}


def test_insure_after_buying(client: easypost.EasyPostClient, sandbox: SandboxServer) -> None:
    bought = bought_shipment(client)
    insured = client.shipment.insure(bought.id, amount="100")
    assert insured.insurance == "100.00"
    assert {fee.type: fee.amount for fee in insured.fees}["InsuranceFee"] == "1.00000"
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.insure(bought.id, amount="100")
    assert [e["event"] for e in sandbox.ledger()] == ["purchase", "insurance"]
