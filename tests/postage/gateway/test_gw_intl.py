"""The gateway (official client inside) against the sandbox for issue 12's operations and
fields: SmartRate transit times and dates, tax identifiers, EU product ids, verify_carrier,
delivery targets; error paths as AppErrors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from gw_support import ABROAD, DESK, HOME, PARCEL, make_gateway

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.domain.tax_ids import TaxIdentifier, TaxIdType
from app.postage.gateway import EasyPostGateway
from app.postage.models import CustomsLine, CustomsSpec, RateRequest
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CUSTOMS = CustomsSpec(
    lines=(
        CustomsLine(
            "Board game", 1, Decimal("40.00"), Decimal("12.0"), "950490", "US",
            sku="GAME-1", manufacturer_product_id="MFR-GAME-1", barcode="0850000000018",
        ),
    ),
    signer="Ann Example",
)  # fmt: skip
IOSS = TaxIdentifier("IM2760000742", TaxIdType.IOSS, "DE")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    clock = SandboxClock(MONDAY, frozen=True)
    with SandboxServer(tmp_path / "sandbox-state.json", clock=clock) as server:
        yield server


@pytest.fixture
def gateway(sandbox: SandboxServer) -> Iterator[EasyPostGateway]:
    gw = make_gateway(sandbox.api_base)
    yield gw
    gw.close()


def test_smart_rates_and_delivery_dates(gateway: EasyPostGateway) -> None:
    quote = gateway.create_shipment(to_address=HOME, from_address=DESK, parcel=PARCEL)
    transit = gateway.smart_rates(quote.shipment_id)
    assert {t.service for t in transit} == set(quote.services)
    for times in transit:
        assert list(times.days) == sorted(times.days) and times.at(50) >= 1
    dates = gateway.estimated_delivery_dates(quote.shipment_id, date(2026, 3, 2))
    assert set(dates) == set(quote.services) and min(dates.values()) > date(2026, 3, 2)
    ship_on = gateway.recommended_ship_dates(quote.shipment_id, date(2026, 3, 10))
    assert all(date(2026, 3, 2) <= d < date(2026, 3, 10) for d in ship_on.values())


def test_smartrate_errors_become_app_errors(gateway: EasyPostGateway) -> None:
    abroad = gateway.create_shipment(
        to_address=ABROAD, from_address=DESK, parcel=PARCEL, customs=CUSTOMS
    )
    with pytest.raises(AppError) as refused:
        gateway.smart_rates(abroad.shipment_id)
    assert "only available for domestic US shipments" in refused.value.message
    assert refused.value.details["code"] == "SHIPMENT.SMARTRATE.UNAVAILABLE"
    with pytest.raises(AppError):
        gateway.smart_rates("shp_does_not_exist")


def test_quote_with_transit_answers_a_delivery_target(gateway: EasyPostGateway) -> None:
    request = RateRequest(DESK, HOME, PARCEL, with_transit=True)
    quote = gateway.quote(request)
    assert quote.transit and quote.choose("within:5d@90").service in quote.services
    assert "arrive within" in quote.explain("within:5d@90").explanation
    plain = gateway.quote(RateRequest(DESK, HOME, PARCEL))
    assert plain.transit == ()
    with pytest.raises(AppError):
        plain.choose("within:5d@90")  # no transit times: nothing qualifies


def test_tax_identifiers_and_product_ids_reach_easypost(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    quote = gateway.create_shipment(
        to_address=ABROAD,
        from_address=DESK,
        parcel=PARCEL,
        customs=CUSTOMS,
        tax_identifiers=(IOSS,),
    )
    stored = sandbox.store.objects["shipments"][quote.shipment_id]
    assert stored["tax_identifiers"] == [IOSS.to_params()]
    item = stored["customs_info"]["customs_items"][0]
    assert (item["code"], item["manufacturer_product_id"], item["standardized_product_id"]) == (
        "GAME-1",
        "MFR-GAME-1",
        "0850000000018",
    )
    with pytest.raises(AppError) as refused:
        gateway.create_shipment(
            to_address=ABROAD,
            from_address=DESK,
            parcel=PARCEL,
            customs=CUSTOMS,
            tax_identifiers=(TaxIdentifier("", TaxIdType.IOSS, "DE"),),
        )
    assert refused.value.details["code"] == "SHIPMENT.INVALID_PARAMS"
    assert "tax_identifiers[0].tax_id: cannot be blank" in refused.value.message
    assert refused.value.kind is ErrorKind.CUSTOMS and "tax-ids show" in (refused.value.hint or "")


def test_verify_carrier_reports_inside_the_verification(gateway: EasyPostGateway) -> None:
    nowhere = Address("Nobody", "Main St", "Nowhere", "00001", "US", state="ZZ")
    checked = gateway.create_address(nowhere, verify=True, carrier="usps")
    assert not checked.verified and checked.errors
    with pytest.raises(AppError):
        gateway.create_address(nowhere, strict=True)  # without a carrier: 422, as before
    apt = Address("Jack", "388 Townsend St", "San Francisco", "94107", "US", state="CA",
                  street2="Apt 20")  # fmt: skip
    folded = gateway.create_address(apt, verify=True, carrier="usps")
    assert folded.verified and folded.address.street1 == "388 TOWNSEND ST APT 20"
    assert not folded.address.street2
