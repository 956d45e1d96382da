"""The demo seeder over a real SQLite file: orders, SKU data, packages, groups; idempotent."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.orders import OrderStatus
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.buy_plan import CHEAPEST, Selection
from app.services.demo import (
    ASSIGNED_GROUPS,
    DEMO_PACKAGES,
    DEMO_PRINTER_URI,
    DEMO_SHIP_FROM_LABEL,
    FIRST_CLASS_INTERNATIONAL_MAX_OZ,
    DemoSeeder,
    PrinterSetup,
    demo_printer_setup,
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as context:
        yield context


def _seeder(ctx: AppContext, setup_printer: PrinterSetup | None = None) -> DemoSeeder:
    return DemoSeeder(
        importer=ctx.import_service,
        catalog=ctx.catalog_service,
        orders=ctx.order_service,
        groups=ctx.grouping_service,
        ship_from=ctx.ship_from_service,
        setup_printer=setup_printer,
        tax_ids=ctx.tax_ids_service,
    )


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def test_seed_fills_a_fresh_profile_and_a_second_run_changes_nothing(ctx: AppContext) -> None:
    steps: list[tuple[int, int, str]] = []
    report = ctx.demo_seeder.seed(lambda step, total, text: steps.append((step, total, text)))

    assert report.seeded
    assert report.orders_created == 500
    assert report.import_errors > 0  # the sample has deliberately bad rows
    assert [s[0] for s in steps] == list(range(1, DemoSeeder.STEPS + 1))
    orders = ctx.order_service.list_orders()
    assert len(orders) == 500
    assert {o.status for o in orders} == {OrderStatus.READY_TO_SHIP}

    items = {i.sku: i for i in ctx.catalog_service.list_items()}
    assert all(i.weight_oz > 0 and i.value_usd > 0 for i in items.values())
    assert not items["NEOPRENE-PLAYMAT"].hts_code  # left incomplete on purpose
    assert not items["ENAMEL-PIN"].origin_country
    assert items["T-SHIRT-M"].customs_complete
    blocked = ctx.grouping_service.customs_blocked()
    assert blocked, "the customs check has something to show"
    blocked_skus = {gap.sku for order in blocked for gap in order.gaps}
    assert blocked_skus == {"NEOPRENE-PLAYMAT", "ENAMEL-PIN"}

    names = {pt.name for pt in ctx.catalog_service.list_package_types()}
    assert names == {p.name for p in DEMO_PACKAGES}
    groups = ctx.grouping_service.groups()
    assigned = [g for g in groups if g.package_type and g.service]
    assert len(assigned) == ASSIGNED_GROUPS
    assert assigned == groups[:ASSIGNED_GROUPS]  # the biggest ones
    assert not any(g.skus_without_weight for g in groups)

    sender = ctx.ship_from_service.default()
    assert sender is not None and sender.label == DEMO_SHIP_FROM_LABEL
    assert (sender.address.state, sender.address.postal_code[:3]) == ("OR", "972")

    assert report.printer == DEMO_PRINTER_URI
    printers = ctx.settings_store.load().printers
    assert printers.resolve(None).uri == DEMO_PRINTER_URI
    assert printers.resolve(None).model == "zd421-203"

    before = _dump(ctx.database_file)
    settings_before = ctx.paths.settings.read_bytes()
    again = ctx.demo_seeder.seed()
    assert not again.seeded
    assert _dump(ctx.database_file) == before
    assert ctx.paths.settings.read_bytes() == settings_before


def test_the_seeded_groups_can_buy_their_international_orders_but_customs_gaps_stay_blocked(
    ctx: AppContext,
) -> None:
    ctx.demo_seeder.seed()
    groups = ctx.grouping_service.groups()
    assigned = groups[:ASSIGNED_GROUPS]
    assert sum(g.international for g in assigned) > 0
    for group in assigned:
        assert group.international_service is not None, group
        light = group.estimated_weight_oz <= FIRST_CLASS_INTERNATIONAL_MAX_OZ
        flat_rate = group.package_type == "Medium Flat Rate Box"
        assert group.international_service == (
            "FirstClassPackageInternationalService"
            if light and not flat_rate
            else "PriorityMailInternational"
        ), group
    assert {g.international_service for g in assigned} == {
        "FirstClassPackageInternationalService",
        "PriorityMailInternational",
    }

    # Each group's own services: every order of the seeded groups passes pre-flight.
    selection = Selection(groups=tuple(g.group_id for g in assigned))
    plan = ctx.purchase_service.plan(selection)
    report = ctx.preflight_service.check(plan, verify_addresses=False)
    assert report.blocked == ()
    abroad = [p for p in report.ready if not p.order.recipient.is_domestic]
    assert len(abroad) == sum(g.international for g in assigned)
    assert {p.service for p in abroad} == {
        "FirstClassPackageInternationalService",
        "PriorityMailInternational",
    }

    # The orders with deliberately incomplete customs data stay blocked, whatever the service.
    gaps = {o.order_id for o in ctx.grouping_service.customs_blocked()}
    with_gaps = tuple(g.group_id for g in groups if g.group_id not in selection.groups)
    everything = ctx.purchase_service.plan(
        Selection(groups=with_gaps, package_type="Box 14x10x6", service=CHEAPEST)
    )
    rest = ctx.preflight_service.check(everything, verify_addresses=False)
    customs = {b.order_id for b in rest.blocked if "customs data missing" in b.reason}
    assert customs == gaps and gaps


def test_the_demo_printer_setup_keeps_a_chosen_default(ctx: AppContext) -> None:
    chosen = ConfiguredPrinter("Zebra desk", "tcp://127.0.0.1:9100", "zd421-203")
    ctx.settings_store.update_printers(PrinterSettings((chosen,), default="Zebra desk"))
    assert demo_printer_setup(ctx.settings_store)() == DEMO_PRINTER_URI
    printers = ctx.settings_store.load().printers
    assert printers.default == "Zebra desk"
    assert [p.uri for p in printers.configured] == ["tcp://127.0.0.1:9100", DEMO_PRINTER_URI]


def test_seed_interrupted_before_its_last_step_finishes_on_the_next_run(ctx: AppContext) -> None:
    def broken_printer() -> str | None:
        raise RuntimeError("printer settings could not be written")

    with pytest.raises(RuntimeError):
        _seeder(ctx, broken_printer).seed()
    assert ctx.ship_from_service.default() is None  # not marked as seeded

    report = _seeder(ctx, lambda: "virtual://demo").seed()
    assert report.seeded
    assert report.orders_created == 0  # the import was done; nothing doubled
    assert report.package_types_added == ()
    assert report.skus_updated == ()
    assert report.groups_assigned == ()
    assert report.printer == "virtual://demo"
    assert len(ctx.catalog_service.list_package_types()) == len(DEMO_PACKAGES)
    assert _seeder(ctx).is_seeded()


def test_cli_demo_seed_prints_json_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main

    argv = ["--home", str(tmp_path), "--profile", "demo", "demo-seed", "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["seeded"] is True and first["orders_created"] == 500
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["seeded"] is False
