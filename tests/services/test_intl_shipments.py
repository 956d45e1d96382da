"""Packdesk's own shipments to the EU, UK, Canada and Australia carry the right tax identifiers
and EU product identifiers (seen in the sandbox), and pre-flight blocks the ones that cannot go."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import Order, SourcePlatform
from app.domain.tax_ids import SenderTaxIds
from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection, rate_request_for, resolve_plan
from app.services.intl_report import InternationalReportService
from app.services.preflight import PreflightService
from app.services.tax_ids import TaxIdsService
from app.store import Store
from app.store.orders_repo import OrderWrite
from tests.services.purchase_world import foreign_order, purchase_service, seed

IOSS, KS_IOSS, UK_VAT = "IM2760000742", "IM5280000001", "GB123456789"


def _world(store: Store) -> dict[str, int]:
    orders = {
        "DE": foreign_order(1, [("TEE-M", 1)], "DE"),
        "DE-KS": replace(foreign_order(2, [("TEE-M", 1)], "FR"), source=SourcePlatform.KICKSTARTER),
        "GB": foreign_order(3, [("TEE-M", 1)], "GB"),
        "CA": foreign_order(4, [("TEE-M", 1)], "CA"),
        "AU": foreign_order(5, [("TEE-M", 1)], "AU"),
    }
    ids = seed(store, list(orders.values()), international_service="PriorityMailInternational")
    with store.transaction(write=True) as tx:
        tee = tx.items.get("TEE-M")
        assert tee is not None
        tx.items.save(replace(tee, manufacturer_product_id="MFR-TEE-M", barcode="0850000000018"))
    return dict(zip(orders, ids, strict=True))


def test_each_destination_carries_its_identifiers(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    order_ids = _world(store)
    TaxIdsService(store).set(ioss=IOSS, kickstarter_ioss=KS_IOSS, uk_vat=UK_VAT, eori="")
    plan = resolve_plan(store, Selection(order_ids=tuple(order_ids.values())))
    report = PreflightService(store, gateway).check(plan, verify_addresses=False)
    assert report.blocked == ()
    sent: dict[str, list[tuple[str, str]]] = {}
    for name, planned in zip(order_ids, plan.orders, strict=True):
        quote = gateway.quote(rate_request_for(planned, plan))
        shipment = sandbox.store.objects["shipments"][quote.shipment_id]
        sent[name] = [(t["tax_id_type"], t["tax_id"]) for t in shipment["tax_identifiers"] or []]
        item = shipment["customs_info"]["customs_items"][0]
        assert (item["code"], item["manufacturer_product_id"], item["standardized_product_id"]) == (
            "TEE-M",
            "MFR-TEE-M",
            "0850000000018",
        )
    assert sent == {
        "DE": [("IOSS", IOSS)],
        "DE-KS": [("IOSS", KS_IOSS)],  # the Kickstarter campaign's IOSS, automatically
        "GB": [("VAT", UK_VAT)],
        "CA": [],
        "AU": [],
    }


def test_preflight_blocks_eu_and_uk_without_identifiers(
    store: Store, gateway: EasyPostGateway
) -> None:
    order_ids = _world(store)
    TaxIdsService(store).set(ioss="", uk_vat="")
    plan = resolve_plan(store, Selection(order_ids=tuple(order_ids.values())))
    report = PreflightService(store, gateway).check(plan, verify_addresses=False)
    reasons = {b.external_id: b.reason for b in report.blocked}
    assert set(reasons) == {"#1001", "#1002", "#1003"}  # DE, FR (Kickstarter), GB
    assert "tax-ids set --ioss" in reasons["#1001"]
    assert "tax-ids set --kickstarter-ioss" in reasons["#1002"]
    assert "tax-ids set --uk-vat" in reasons["#1003"]


def test_preflight_names_a_wrong_hts_code(store: Store, gateway: EasyPostGateway) -> None:
    order_ids = _world(store)
    with store.transaction(write=True) as tx:
        tx.items.save(
            Item("TEE-M", "T-shirt M", Decimal("5.5"), Decimal(20), "770910", "Tee", "US")
        )
    plan = resolve_plan(store, Selection(order_ids=(order_ids["CA"],)))
    report = PreflightService(store, gateway).check(plan, verify_addresses=False)
    assert "chapter 77" in report.blocked[0].reason and "skus set" in report.blocked[0].reason


def test_tax_ids_service_refuses_a_malformed_number(store: Store) -> None:
    service = TaxIdsService(store)
    with pytest.raises(AppError) as refused:
        service.set(ioss="IM12")
    assert "IOSS" in refused.value.message and refused.value.hint
    assert service.set(eori="gb 123456789000").eori == "GB123456789000"
    assert service.get() == SenderTaxIds(eori="GB123456789000")


def test_international_report_per_group_and_destination(store: Store) -> None:
    order_ids = _world(store)
    with store.transaction(write=True) as tx:  # Thailand: FCPIS has no tracking there
        tx.orders.insert_many(
            [
                OrderWrite(
                    foreign_order(6, [("TEE-M", 1)], "TH"), "hTH", group_id_for((("TEE-M", 1),))
                )
            ],
            datetime(2026, 8, 3, tzinfo=UTC),
        )
    plan = resolve_plan(
        store,
        Selection(
            order_ids=tuple(order_ids.values()),
            service="FirstClassPackageInternationalService",
        ),
    )
    thai = [o.id for o in store_orders(store) if o.recipient.country == "TH"]
    plan_all = resolve_plan(
        store,
        Selection(
            order_ids=(*order_ids.values(), *thai), service="FirstClassPackageInternationalService"
        ),
    )
    report = InternationalReportService(lambda: datetime(2026, 8, 3, tzinfo=UTC)).report(plan_all)
    by_country = {d.country: d for d in report.destinations}
    assert set(by_country) == {"DE", "FR", "GB", "CA", "AU", "TH"}
    assert by_country["DE"].ioss_covers_vat and by_country["DE"].duty_usd == Decimal("3.49")
    assert by_country["DE"].ddp_available and not by_country["FR"].ddp_available
    assert by_country["GB"].backer_pays_usd == 0
    assert "FirstClassPackageInternationalService" in by_country["TH"].untracked_services
    assert [m.country for m in report.manual] == ["TH"]
    assert len(plan.orders) == 5


def store_orders(store: Store) -> list[Order]:
    with store.transaction() as tx:
        return tx.orders.find()


def test_ddp_where_usps_offers_it(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    order_ids = _world(store)
    wanted = tuple(order_ids[name] for name in ("DE", "DE-KS", "GB", "CA", "AU"))
    plan = resolve_plan(store, Selection(order_ids=wanted, ddp=True))
    incoterms: dict[str, str] = {}
    for name, planned in zip(("DE", "FR", "GB", "CA", "AU"), plan.orders, strict=True):
        request = rate_request_for(planned, plan)
        incoterms[name] = request.options.incoterm
        if name == "DE":
            quote = gateway.quote(request)
            gateway.buy(quote.shipment_id, quote.choose("PriorityMailInternational").id)
            stored = sandbox.store.objects["shipments"][quote.shipment_id]
            assert stored["options"]["incoterm"] == "DDP" and stored["postage_label"]
    assert incoterms == {"DE": "DDP", "FR": "", "GB": "DDP", "CA": "DDP", "AU": ""}
    assert Selection(order_ids=wanted).to_json() == Selection(order_ids=wanted, ddp=False).to_json()
    assert '"ddp": true' in Selection(order_ids=wanted, ddp=True).to_json()


def test_the_purchase_path_sends_the_identifiers(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    order_ids = _world(store)
    TaxIdsService(store).set(ioss=IOSS, kickstarter_ioss=KS_IOSS, uk_vat=UK_VAT)
    wanted = (order_ids["DE-KS"], order_ids["GB"], order_ids["CA"])
    result = purchase_service(store, gateway, tmp_path / "labels").buy(
        Selection(order_ids=wanted, service="PriorityMailInternational")
    )
    assert len(result.bought) == 3, result
    sent = {
        s["to_address"]["country"]: [t["tax_id"] for t in s["tax_identifiers"] or []]
        for s in sandbox.store.objects["shipments"].values()
        if s.get("postage_label")
    }
    assert sent == {"FR": [KS_IOSS], "GB": [UK_VAT], "CA": []}
