"""The official client against the sandbox's issue-12 endpoints, shaped like EasyPost's examples."""

from __future__ import annotations

from typing import Any

import easypost
import pytest
import requests
from sandbox_shapes import assert_shape
from sandbox_support import (
    CUSTOMS,
    FROM_ADDRESS,
    PARCEL,
    TO_ADDRESS,
    TO_CANADA,
    bought_shipment,
    create_shipment,
)

from app.postage.sandbox.server import SandboxServer

END_SHIPPER = {
    "name": "Foo Bar",
    "company": "Baz",
    "street1": "164 Townsend Street Unit 1",
    "city": "San Francisco",
    "state": "CA",
    "zip": "94107",
    "country": "US",
    "phone": "555 555-5555",
    "email": "foo@example.com",
}
IOSS = {
    "entity": "SENDER",
    "tax_id": "IM2760000742",
    "tax_id_type": "IOSS",
    "issuing_country": "DE",
}
TO_GERMANY = {
    "name": "Greta Gerwig",
    "street1": "Unter den Linden 77",
    "city": "Berlin",
    "zip": "10117",
    "country": "DE",
    "phone": "+4930555000",
}


def body(obj: Any) -> Any:
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


# -- standalone insurance -------------------------------------------------------------------


def test_insurance_create_list_retrieve_refund(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    insurance = client.insurance.create(
        to_address=TO_ADDRESS,
        from_address=FROM_ADDRESS,
        tracking_code="9400110898825022579493",
        carrier="USPS",
        amount="100.00",
        reference="",
    )
    assert_shape(body(insurance), "insurance_insurance-create")
    assert insurance.id.startswith("ins_") and insurance.status == "pending"
    assert insurance.amount == "100.00000" and insurance.fee.amount == "0.50000"
    assert insurance.reference is None  # an empty string comes back as null, as at EasyPost
    sandbox.advance(5)
    retrieved = client.insurance.retrieve(insurance.id)
    assert_shape(body(retrieved), "insurance_insurance-create")
    assert retrieved.status == "purchased"
    listed = client.insurance.all(page_size=5)
    assert [i.id for i in listed["insurances"]] == [insurance.id]
    assert_shape(body(listed["insurances"][0]), "insurance_insurance-create")
    refunded = client.insurance.refund(insurance.id)
    assert_shape(body(refunded), "insurance_insurance-refund")
    assert refunded.status == "cancelled"
    assert refunded.messages == ["Insurance was cancelled by the user."]
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.insurance.refund(insurance.id)
    assert [e["event"] for e in sandbox.ledger()] == ["insurance", "insurance_refund"]


def test_insurance_errors(client: easypost.EasyPostClient) -> None:
    with pytest.raises(easypost.errors.InvalidRequestError) as missing:
        client.insurance.create(to_address=TO_ADDRESS, from_address=FROM_ADDRESS, amount="10")
    fields = {e["field"] for e in missing.value.errors}
    assert {"insurance.tracking_code", "insurance.carrier"} <= fields
    with pytest.raises(easypost.errors.NotFoundError):
        client.insurance.retrieve("ins_nope")


def test_insurance_links_a_sandbox_shipment(client: easypost.EasyPostClient) -> None:
    bought = bought_shipment(client)
    insurance = client.insurance.create(
        to_address=TO_ADDRESS,
        from_address=FROM_ADDRESS,
        tracking_code=bought.tracking_code,
        carrier="USPS",
        amount="50",
    )
    assert insurance.shipment_id == bought.id and insurance.tracker.id == bought.tracker.id


# -- SmartRate ------------------------------------------------------------------------------


def test_smartrate_percentiles_on_every_rate(client: easypost.EasyPostClient) -> None:
    shipment = create_shipment(client)
    smart = client.shipment.get_smart_rates(shipment.id)
    assert_shape(
        {"result": [body(r) for r in smart]},
        "smartrate_smartrate-retrieve-time-in-transit-statistics",
    )
    assert {r.service for r in smart} == {r.service for r in shipment.rates}
    for rate in smart:
        days = [rate.time_in_transit[f"percentile_{p}"] for p in (50, 75, 85, 90, 95, 97, 99)]
        assert days == sorted(days) and days[0] >= 1
    fastest = client.shipment.lowest_smart_rate(shipment.id, 2, "percentile_90")
    assert fastest.time_in_transit["percentile_90"] <= 2
    with pytest.raises(easypost.errors.FilteringError):
        client.shipment.lowest_smart_rate(shipment.id, 0, "percentile_90")


def test_smartrate_refuses_an_international_shipment(client: easypost.EasyPostClient) -> None:
    shipment = create_shipment(client, to_address=TO_CANADA, customs_info=CUSTOMS)
    with pytest.raises(easypost.errors.InvalidRequestError) as refused:
        client.shipment.get_smart_rates(shipment.id)
    assert refused.value.http_status == 422


def test_estimated_delivery_date_and_recommended_ship_date(
    client: easypost.EasyPostClient,
) -> None:
    shipment = create_shipment(client)
    estimates = client.shipment.retrieve_estimated_delivery_date(shipment.id, "2026-03-05")
    assert_shape(
        {"rates": [body(e) for e in estimates]},
        "smartrate_smartrate-retrieve-estimated-delivery-date",
    )
    ground = next(e for e in estimates if e.rate.service == "GroundAdvantage")
    data = ground.easypost_time_in_transit_data
    assert data.planned_ship_date == "2026-03-05"
    assert data.easypost_estimated_delivery_date > "2026-03-05"
    plans = client.shipment.recommend_ship_date(shipment.id, "2026-03-13")
    assert_shape(
        {"rates": [body(p) for p in plans]}, "smartrate_smartrate-retrieve-recommend-ship-date"
    )
    for plan in plans:
        info = plan.easypost_time_in_transit_data
        assert "2026-03-04" <= info.ship_on_date < "2026-03-13"
        assert 0 < info.delivery_date_confidence <= 1
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.retrieve_estimated_delivery_date(shipment.id, "next tuesday")
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.recommend_ship_date(shipment.id, "2026-03-01")  # in the past


# -- tax identifiers ------------------------------------------------------------------------


def test_tax_identifiers_are_kept_and_returned(client: easypost.EasyPostClient) -> None:
    shipment = create_shipment(
        client, to_address=TO_GERMANY, customs_info=CUSTOMS, tax_identifiers=[IOSS]
    )
    assert [dict(t) for t in body(shipment)["tax_identifiers"]] == [IOSS]
    again = client.shipment.retrieve(shipment.id)
    assert body(again)["tax_identifiers"] == [IOSS]
    plain = create_shipment(client)
    assert plain.tax_identifiers is None


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({**IOSS, "tax_id": ""}, "tax_id"),
        ({**IOSS, "tax_id_type": "SSN"}, "tax_id_type"),
        ({**IOSS, "entity": "COURIER"}, "entity"),
        ({**IOSS, "issuing_country": "Germany"}, "issuing_country"),
        ({}, "tax_id"),
    ],
)
def test_invalid_tax_identifiers_answer_422(
    client: easypost.EasyPostClient, entry: dict[str, str], field: str
) -> None:
    with pytest.raises(easypost.errors.InvalidRequestError) as refused:
        create_shipment(
            client, to_address=TO_GERMANY, customs_info=CUSTOMS, tax_identifiers=[entry]
        )
    assert refused.value.code == "SHIPMENT.INVALID_PARAMS"
    assert any(e["field"].endswith(field) for e in refused.value.errors)


def test_blank_reference_comes_back_null(client: easypost.EasyPostClient) -> None:
    assert create_shipment(client, reference="").reference is None
    assert create_shipment(client, reference="ORD-7").reference == "ORD-7"


# -- forms ----------------------------------------------------------------------------------


def test_generate_forms_after_buying(
    client: easypost.EasyPostClient, http: requests.Session
) -> None:
    shipment = create_shipment(client)
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.generate_form(shipment.id, "return_packing_slip")
    bought = client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    with_form = client.shipment.generate_form(bought.id, "return_packing_slip", {"line_items": []})
    assert_shape(body(with_form), "forms_forms-create")
    form = with_form.forms[-1]
    assert form.form_type == "return_packing_slip"
    pdf = http.get(form.form_url, timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.generate_form(bought.id, "selfie")


# -- end shippers ---------------------------------------------------------------------------


def test_end_shipper_create_list_retrieve_update_and_buy(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    shipper = client.end_shipper.create(**END_SHIPPER)
    assert_shape(body(shipper), "endshipper_endshipper-create")
    assert shipper.id.startswith("es_") and shipper.street1 == "164 TOWNSEND ST UNIT 1"
    assert client.end_shipper.retrieve(shipper.id).id == shipper.id
    assert_shape(body(client.end_shipper.retrieve(shipper.id)), "endshipper_endshipper-create")
    assert [s.id for s in client.end_shipper.all(page_size=5)["end_shippers"]] == [shipper.id]
    updated = client.end_shipper.update(shipper.id, **{**END_SHIPPER, "name": "Quux"})
    assert_shape(body(updated), "endshipper_endshipper-create")
    assert updated.name == "QUUX"
    shipment = create_shipment(client)
    bought = client.shipment.buy(
        shipment.id, rate=shipment.lowest_rate(), end_shipper_id=shipper.id
    )
    assert bought.postage_label is not None
    assert sandbox.ledger()[-1]["end_shipper_id"] == shipper.id
    other = create_shipment(client)
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.shipment.buy(other.id, rate=other.lowest_rate(), end_shipper_id="es_missing")
    with pytest.raises(easypost.errors.InvalidRequestError) as missing:
        client.end_shipper.create(name="Only A Name")
    assert any(e["field"] == "address.street1" for e in missing.value.errors)


# -- orders ---------------------------------------------------------------------------------


def test_multi_parcel_order_rates_and_buy(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    order = client.order.create(
        to_address=TO_ADDRESS,
        from_address=FROM_ADDRESS,
        shipments=[
            {"parcel": PARCEL},
            {"parcel": {"weight": 40, "length": 12, "width": 9, "height": 6}},
        ],
    )
    assert_shape(body(order), "orders_orders-create")
    assert order.id.startswith("order_") and len(order.shipments) == 2
    assert all(s.order_id == order.id for s in order.shipments)
    ground = next(r for r in order.rates if r.service == "GroundAdvantage")
    per_parcel = [
        float(next(r.rate for r in s.rates if r.service == "GroundAdvantage"))
        for s in order.shipments
    ]
    assert float(ground.rate) == pytest.approx(sum(per_parcel))
    rerated = client.order.get_rates(order.id)
    assert {r.service for r in rerated.rates} == {r.service for r in order.rates}
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.order.buy(order.id, carrier="USPS", service="CriticalMail")
    bought = client.order.buy(order.id, carrier="USPS", service="GroundAdvantage")
    assert_shape(body(bought), "orders_orders-create")
    assert_shape(body(bought.shipments[0]), "shipments_shipments-buy")
    assert all(s.postage_label and s.tracking_code for s in bought.shipments)
    assert [e["source"] for e in sandbox.ledger()] == ["order", "order"]
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.order.buy(order.id, carrier="USPS", service="GroundAdvantage")
    assert client.order.retrieve(order.id).shipments[0].postage_label is not None


def test_order_needs_parcels(client: easypost.EasyPostClient) -> None:
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.order.create(to_address=TO_ADDRESS, from_address=FROM_ADDRESS, shipments=[])


# -- carrier metadata and stateless rates ---------------------------------------------------


def test_carrier_metadata(client: easypost.EasyPostClient) -> None:
    carriers = client.carrier_metadata.retrieve(carriers=["usps"])
    assert_shape(
        {"carriers": [body(c) for c in carriers]}, "carrier-metadata_carrier-metadata-retrieve"
    )
    usps = carriers[0]
    names = {level.name for level in usps.service_levels}
    assert {"GroundAdvantage", "Priority", "Express", "PriorityMailInternational"} <= names
    assert "ParcelSelect" not in names and "CriticalMail" not in names
    only_services = client.carrier_metadata.retrieve(types=["service_levels"])[0]
    assert "predefined_packages" not in body(only_services)
    assert client.carrier_metadata.retrieve(carriers=["fedex"]) == []
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.carrier_metadata.retrieve(types=["colours"])


def test_stateless_rates_keep_nothing(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    rates = client.beta_rate.retrieve_stateless_rates(
        to_address=TO_ADDRESS, from_address=FROM_ADDRESS, parcel=PARCEL
    )
    assert_shape(
        {"rates": [body(r) for r in rates], "messages": []},
        "rates_rates-retrieve-stateless",
        skip=("$.rates[0].mode",),
    )
    shipment = create_shipment(client)
    assert {r["service"]: r["rate"] for r in rates} == {r.service: r.rate for r in shipment.rates}
    assert client.shipment.all(page_size=10).shipments == [shipment]  # no hidden shipment
    lowest = (
        client.beta_rate.get_lowest_stateless_rate(rates)
        if hasattr(client.beta_rate, "get_lowest_stateless_rate")
        else None
    )
    assert lowest is None or lowest["service"] == "GroundAdvantage"
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.beta_rate.retrieve_stateless_rates(to_address=TO_ADDRESS, from_address=FROM_ADDRESS)


# -- HTTP details and faults ----------------------------------------------------------------


def test_created_objects_carry_location(sandbox: SandboxServer, http: requests.Session) -> None:
    answer = http.post(
        f"{sandbox.api_base}/insurances",
        json={
            "insurance": {
                "to_address": TO_ADDRESS,
                "from_address": FROM_ADDRESS,
                "tracking_code": "EZ1000000001",
                "carrier": "USPS",
                "amount": "20",
            }
        },
        headers={"Authorization": "Bearer EZTK_test"},
        timeout=10,
    )
    assert answer.status_code == 201
    assert answer.headers["Location"] == f"{sandbox.api_base}/insurances/{answer.json()['id']}"


@pytest.mark.parametrize(
    "op",
    [
        "insurance.create",
        "shipment.smartrate",
        "order.create",
        "end_shipper.create",
        "beta_rate.retrieve",
    ],
)
def test_faults_are_injectable_per_new_endpoint(
    client: easypost.EasyPostClient, sandbox: SandboxServer, op: str
) -> None:
    sandbox.set_faults(error_rate=1.0, error_ops=[op], error_status=503)
    calls = {
        "insurance.create": lambda: client.insurance.create(
            to_address=TO_ADDRESS,
            from_address=FROM_ADDRESS,
            tracking_code="EZ1000000001",
            carrier="USPS",
            amount="5",
        ),
        "shipment.smartrate": lambda: client.shipment.get_smart_rates(create_shipment(client).id),
        "order.create": lambda: client.order.create(
            to_address=TO_ADDRESS, from_address=FROM_ADDRESS, shipments=[{"parcel": PARCEL}]
        ),
        "end_shipper.create": lambda: client.end_shipper.create(**END_SHIPPER),
        "beta_rate.retrieve": lambda: client.beta_rate.retrieve_stateless_rates(
            to_address=TO_ADDRESS, from_address=FROM_ADDRESS, parcel=PARCEL
        ),
    }
    with pytest.raises(easypost.errors.ServiceUnavailableError):
        calls[op]()
    sandbox.set_faults(error_rate=0.0, error_ops=[])
    calls[op]()


# -- verification like EasyPost ---------------------------------------------------------------


def test_secondary_line_is_folded_into_street1(client: easypost.EasyPostClient) -> None:
    """Cassette test_address_verify: "388 Townsend St" + "Apt 20" -> one line, street2 ""."""
    fields = {
        "name": "Jack Sparrow",
        "street1": "388 Townsend St",
        "street2": "Apt 20",
        "city": "San Francisco",
        "state": "CA",
        "zip": "94107",
        "country": "US",
    }
    verified = client.address.create_and_verify(**fields)
    assert verified.street1 == "388 TOWNSEND ST APT 20" and verified.street2 == ""
    plain = client.address.create(**fields)
    assert plain.street2 == "Apt 20"  # no verification asked: kept as sent
    assert client.address.verify(plain.id).street1 == "388 TOWNSEND ST APT 20"


def test_verify_carrier_answers_with_errors_inside(client: easypost.EasyPostClient) -> None:
    bad = {"street1": "000 unknown street", "city": "Not A City", "state": "ZZ", "zip": "00001"}
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.address.create_and_verify(**bad)
    answered = client.address.create_and_verify(verify_carrier="usps", **bad)
    assert answered.verifications.delivery.success is False
    assert answered.verifications.delivery.errors[0].code == "E.ADDRESS.NOT_FOUND"
    strict = client.address.create(verify_strict=True, verify_carrier="usps", **bad)
    assert strict.verifications.zip4.success is False


def test_customs_items_keep_eu_product_identifiers(client: easypost.EasyPostClient) -> None:
    item = client.customs_item.create(
        description="Board game",
        quantity=1,
        value=59.99,
        weight=48,
        hs_tariff_number="950490",
        origin_country="CN",
        code="GAME-1",
        manufacturer_product_id="MFR-GAME-001",
        standardized_product_id="0850000000016",
    )
    assert (item.code, item.manufacturer_product_id, item.standardized_product_id) == (
        "GAME-1",
        "MFR-GAME-001",
        "0850000000016",
    )


def test_ddp_only_where_usps_offers_it_and_printed(
    client: easypost.EasyPostClient, sandbox: SandboxServer
) -> None:
    from app.postage.sandbox.label_files import label_data_for

    germany = create_shipment(
        client,
        to_address=TO_GERMANY,
        customs_info=CUSTOMS,
        tax_identifiers=[IOSS],
        options={"incoterm": "DDP"},
    )
    bought = client.shipment.buy(germany.id, rate=germany.lowest_rate())
    data = label_data_for(sandbox.store.objects["shipments"][bought.id])
    assert data.incoterm == "DDP" and data.tax_ids == ("IOSS IM2760000742",)
    france = create_shipment(
        client,
        to_address={**TO_GERMANY, "city": "Paris", "zip": "75001", "country": "FR"},
        customs_info=CUSTOMS,
        options={"incoterm": "DDP"},
    )
    with pytest.raises(easypost.errors.InvalidRequestError) as refused:
        client.shipment.buy(france.id, rate=france.lowest_rate())
    assert "not available to FR" in refused.value.message


def test_blank_batch_reference_comes_back_null(client: easypost.EasyPostClient) -> None:
    assert client.batch.create(reference="").reference is None
    assert client.batch.create(reference="wave-1").reference == "wave-1"


def test_new_objects_survive_a_restart(tmp_path: Any) -> None:
    from sandbox_support import START, make_client

    from app.postage.sandbox.clock import SandboxClock

    state = tmp_path / "restart.json"
    with SandboxServer(state, clock=SandboxClock(START, frozen=True)) as first:
        client = make_client(first.api_base)
        insurance = client.insurance.create(
            to_address=TO_ADDRESS, from_address=FROM_ADDRESS, tracking_code="EZ1000000001",
            carrier="USPS", amount="20",
        )  # fmt: skip
        shipper = client.end_shipper.create(**END_SHIPPER)
        order = client.order.create(
            to_address=TO_ADDRESS, from_address=FROM_ADDRESS, shipments=[{"parcel": PARCEL}]
        )
    with SandboxServer(state, clock=SandboxClock(START, frozen=True)) as second:
        client = make_client(second.api_base)
        assert client.insurance.retrieve(insurance.id).amount == "20.00000"
        assert client.end_shipper.retrieve(shipper.id).name == "FOO BAR"
        assert client.order.retrieve(order.id).shipments[0].id == order.shipments[0].id


def test_a_zip_in_another_state_suggests_that_state(client: easypost.EasyPostClient) -> None:
    answered = client.address.create_and_verify(
        verify_carrier="usps", **{**TO_ADDRESS, "state": "NV"}
    )
    zip_error = next(e for e in answered.verifications.delivery.errors if e.field == "zip")
    assert zip_error.code == "E.ZIP.INVALID" and zip_error.suggestion == "CA"
