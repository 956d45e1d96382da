"""Insurance: the declared value (the items' by default), its fee in the estimate and the
confirmation, and the amount bought through EasyPost with each label."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.domain.insurance import declared_value, insurance_fee, insured_amount, parse_choice
from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection, resolve_plan
from app.services.group_insurance import GroupInsuranceService
from app.store import Store, open_store
from tests.services.purchase_world import ITEMS, make_gateway, purchase_service, seed, us_order

TEE = group_id_for((("TEE-M", 1),))
BOOKS = group_id_for((("BOOK", 2), ("TEE-M", 1)))


def test_choices_values_and_fees() -> None:
    assert parse_choice("AUTO") == "auto"
    assert parse_choice(" none ") == "" and parse_choice(None) == ""
    assert parse_choice("$49.5") == "49.50"
    for bad in ("lots", "-3", "0", "9000"):
        with pytest.raises(ValueError):
            parse_choice(bad)
    items = {item.sku: item for item in ITEMS}
    order = us_order(1, [("BOOK", 2), ("TEE-M", 1), ("NEW-SKU", 3)])
    assert declared_value(order, items) == Decimal("80.00")  # 2 x 30 + 20; unknown SKU 0
    assert insured_amount("auto", order, items) == Decimal("80.00")
    assert insured_amount("", order, items) is None
    assert insured_amount("120.00", order, items) == Decimal("120.00")
    assert insurance_fee(Decimal("80")) == Decimal("1.00")  # the $1 minimum
    assert insurance_fee(Decimal("450")) == Decimal("2.25")
    assert insurance_fee(Decimal("450.10")) == Decimal("2.26")  # rounded up to the cent
    assert insurance_fee(None) == Decimal(0)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[Store, EasyPostGateway, SandboxServer]]:
    store = open_store(tmp_path / "packdesk.sqlite3")
    with SandboxServer(tmp_path / "sandbox.json") as sandbox:
        gateway = make_gateway(sandbox.api_base)
        try:
            seed(store, [us_order(1), us_order(2), us_order(3, [("BOOK", 2), ("TEE-M", 1)])])
            yield store, gateway, sandbox
        finally:
            gateway.close()
            store.close()


def test_a_group_setting_and_the_buy_option_reach_easypost(
    desk: tuple[Store, EasyPostGateway, SandboxServer], tmp_path: Path
) -> None:
    store, gateway, _sandbox = desk
    GroupInsuranceService(store).set([BOOKS], "auto")
    plan = resolve_plan(store, Selection(groups=(TEE, BOOKS)))
    assert [p.insurance_usd for p in plan.orders] == [None, None, Decimal("80.00")]
    forced = resolve_plan(store, Selection(groups=(TEE,), insurance="25"))
    assert {p.insurance_usd for p in forced.orders} == {Decimal("25.00")}
    with pytest.raises(AppError, match="insurance"):
        resolve_plan(store, Selection(groups=(TEE,), insurance="plenty"))

    result = purchase_service(store, gateway, tmp_path / "labels").buy(
        Selection(groups=(TEE, BOOKS))
    )
    insured = {}
    with store.transaction() as tx:
        shipments = {label.id: label.shipment_id for label in tx.labels.list()}
    for label in result.bought:
        record = gateway.retrieve_shipment(shipments[label.label_id])
        assert record.label is not None
        insured[label.external_id] = record.label.insurance
    assert insured == {"#1001": None, "#1002": None, "#1003": Decimal("80.00")}


def test_estimate_and_confirmation_show_the_insurance(
    desk: tuple[Store, EasyPostGateway, SandboxServer],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    store, gateway, _sandbox = desk
    base = ["--home", str(tmp_path / "home"), "--db", str(store.path), "--sandbox"]
    base += ["--api-base", gateway.api_base]
    capsys.readouterr()
    code = main([*base, "estimate", "--group", TEE, "--insurance", "450", "--json"])
    assert code == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["insurance"] == "4.50"  # 2 parcels x $2.25
    assert shown["insured_value"] == "900.00"
    assert Decimal(shown["total_with_insurance"]) == Decimal(shown["total"]) + Decimal("4.50")
    assert main([*base, "insurance", "set", "--group", BOOKS, "auto"]) == 0
    capsys.readouterr()
    assert main([*base, "buy", "--group", BOOKS, "--no-verify"]) == 3  # not confirmed
    out = capsys.readouterr().out
    assert "insurance $1.00 on $80.00 declared" in out
