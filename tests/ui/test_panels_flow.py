"""The real panels over a real SQLite file and the real services: import, ready, groups, SKUs."""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.items import Item
from app.domain.order_flow import StatusAction
from app.domain.orders import OrderStatus
from app.services.orders import OrderSelection
from app.ui.dialogs.sku_dialogs import ApplyHtsDialog, HtsBatch, SkuEditDialog
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.panels.import_panel import ImportPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.panels.skus_panel import SkusPanel
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

HEADER = (
    "Backer Number,Backer Name,Email,Shipping Country,Reward Title,Pledge Amount,"
    "Pledged Status,Notes,Art Book,[Addon: 77] Sticker Pack,Survey Response,Shipping Name,"
    "Shipping Address 1,Shipping Address 2,Shipping City,Shipping State,Shipping Postal Code,"
    "Shipping Country Name,Shipping Country Code"
)
SURVEY = '"2024/01/02, 10:00"'
ROWS = [
    f"1,Ann Lee,a@x.com,US,Tier,$40.00,collected,,1,1,{SURVEY},Ann Lee,1 Main St,Apt 2,"
    "Boston,Massachusetts,2108,United States,US",
    f"2,Bo Chen,b@x.com,US,Tier,$40.00,collected,,1,1,{SURVEY},Bo Chen,2 Oak Ave,,Portland,OR,"
    "97201,United States,US",
    f"3,Zoë Müller,z@x.de,DE,Tier,$45.00,collected,,1,1,{SURVEY},Zoë Müller,Hauptstraße 5,,"
    "Berlin,,10115,Germany,DE",
    f"4,Dee,d@x.com,US,Tier,$30.00,collected,,1,0,{SURVEY},Dee Park,9 Elm Rd,,Austin,TX,78701,"
    "United States,US",
    f"5,Eve,e@x.ca,CA,Tier,$35.00,collected,,1,0,{SURVEY},Eve Roy,12 Rue Sainte,,Montréal,"
    "Quebec,H2X 1Y4,Canada,CA",
    f"6,Fay,f@x.com,XX,Tier,$30.00,collected,,1,0,{SURVEY},Fay Doe,1 Nowhere,,Atlantis,,00000,"
    "Atlantis,ZZ",
]


@pytest.fixture
def backer_report(tmp_path: Path) -> Path:
    path = tmp_path / "backers.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def no_crash(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Any crash dialog fails the test (with its details), instead of blocking it."""
    crashes: list[str] = []

    def fake_exec(self: CrashDialog) -> int:
        crashes.append(self.details.toPlainText())
        return 0

    monkeypatch.setattr(CrashDialog, "exec", fake_exec)
    yield crashes
    assert crashes == [], crashes[0] if crashes else ""


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"))) as context:
        yield context


@pytest.fixture
def window(
    qtbot: QtBot, ctx: AppContext, no_crash: list[str], guard: ThreadGuard
) -> Iterator[MainWindow]:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    assert win.runner.wait_for_idle(10_000)


def _import(qtbot: QtBot, window: MainWindow, path: Path) -> ImportPanel:
    panel = window.show_panel("import")
    assert isinstance(panel, ImportPanel)
    panel.file_edit.setText(str(path))
    with qtbot.waitSignal(panel.import_finished, timeout=15_000):
        qtbot.mouseClick(panel.import_button, Qt.MouseButton.LeftButton)
    return panel


def _show_orders(qtbot: QtBot, window: MainWindow) -> OrdersPanel:
    panel = window.panels["orders"]
    assert isinstance(panel, OrdersPanel)
    with qtbot.waitSignal(panel.orders_loaded, timeout=10_000):
        window.show_panel("orders") if window.current_panel() is not panel else panel.refresh()
    return panel


def _show_groups(qtbot: QtBot, window: MainWindow) -> GroupsPanel:
    panel = window.panels["groups"]
    assert isinstance(panel, GroupsPanel)
    with qtbot.waitSignal(panel.groups_loaded, timeout=10_000):
        window.show_panel("groups") if window.current_panel() is not panel else panel.refresh()
    return panel


def test_import_ready_and_groups_through_the_real_services(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    backer_report: Path,
    tmp_path: Path,
    guard: ThreadGuard,
) -> None:
    # The first panel (Orders) loads an empty, freshly migrated database off the GUI thread.
    orders_panel = window.panels["orders"]
    assert isinstance(orders_panel, OrdersPanel)
    summary = window.statusBar().findChild(QLabel, "panelSummary")
    assert summary is not None
    qtbot.waitUntil(lambda: summary.text().startswith("0 orders"))
    # Setup offers new groups Ground Advantage at home and no international service, so the
    # groups this import makes wait for one (below); each import applies these defaults.
    with guard.paused():
        ctx.settings_store.update_desk(international_service="")

    panel = _import(qtbot, window, backer_report)
    assert panel.stats["created"].number.text() == "5"
    assert panel.stats["errors"].number.text() == "1"
    assert panel.error_model.rowCount() == 1
    error = panel.error_model.record(0)
    assert (error.row, error.column) == (7, "Shipping Country Code")
    assert "ZZ" in error.message
    assert panel.save_errors_button.isEnabled()
    assert "5 new" in panel.message_bar.text()

    target = tmp_path / "rejected.csv"
    with qtbot.waitSignal(window.runner.succeeded, timeout=10_000):
        panel.write_error_csv_to(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.reader(handle))
    assert any("Atlantis" in cell for row in rejected for cell in row)

    # Re-import: nothing changes.
    panel = _import(qtbot, window, backer_report)
    assert panel.stats["created"].number.text() == "0"
    assert panel.stats["unchanged"].number.text() == "5"

    orders = _show_orders(qtbot, window)
    assert orders.model.rowCount() == 5
    assert {o.status for o in orders.model.rows()} == {OrderStatus.IMPORTED}
    orders.view.selectAll()
    assert orders.ready_button.isEnabled()
    with qtbot.waitSignal(orders.orders_loaded, timeout=10_000):
        qtbot.mouseClick(orders.ready_button, Qt.MouseButton.LeftButton)
    assert {o.status for o in orders.model.rows()} == {OrderStatus.READY_TO_SHIP}
    assert "5 orders marked ready" in orders.message_bar.text()

    # Status filter and search work on what was loaded.
    orders.set_status_filter(OrderStatus.ON_HOLD)
    assert orders.model.rowCount() == 0
    orders.set_status_filter(None)
    orders.search.setText("müller")
    assert [o.external_id for o in orders.model.records()] == ["3"]
    orders.search.clear()

    # Hold one, then release it.
    orders.view.clearSelection()
    orders.view.selectRow(0)
    held_id = orders.selected_orders()[0].id
    with qtbot.waitSignal(orders.orders_loaded, timeout=10_000):
        qtbot.mouseClick(orders.hold_button, Qt.MouseButton.LeftButton)
    statuses = {o.id: o.status for o in orders.model.rows()}
    assert statuses[held_id] is OrderStatus.ON_HOLD
    assert orders.release_button.isEnabled()  # the selection survived the reload
    with qtbot.waitSignal(orders.orders_loaded, timeout=10_000):
        qtbot.mouseClick(orders.release_button, Qt.MouseButton.LeftButton)
    assert {o.status for o in orders.model.rows()} == {OrderStatus.READY_TO_SHIP}

    # Groups: two multisets; customs blocks the DE and CA orders.
    with guard.paused():
        ctx.catalog_service.add_package_type(
            "Mailer 10x13",
            dimensions=(Decimal(13), Decimal(10), Decimal(1)),
            empty_weight_oz=Decimal(2),
        )
    groups = _show_groups(qtbot, window)
    by_items = {g.description: g for g in groups.model.rows()}
    assert set(by_items) == {"1 x ART-BOOK + 1 x STICKER-PACK", "1 x ART-BOOK"}
    assert (
        by_items["1 x ART-BOOK + 1 x STICKER-PACK"].orders,
        by_items["1 x ART-BOOK"].orders,
    ) == (
        3,
        2,
    )
    assert by_items["1 x ART-BOOK"].international == 1
    blocked = {(r.sku, r.first_refs, r.countries) for r in groups.customs_model.rows()}
    assert blocked == {("ART-BOOK", ("3", "5"), "CA, DE"), ("STICKER-PACK", ("3",), "DE")}
    assert "2 international orders wait for 2 SKUs" in groups.customs_heading.text()

    # Package type and service persist through the service.
    groups.view.selectRow(0)
    chosen = groups.selected_groups()[0]
    groups.package_combo.setCurrentIndex(groups.package_combo.findData("Mailer 10x13"))
    with qtbot.waitSignal(groups.group_assigned, timeout=10_000):
        groups.package_combo.activated.emit(groups.package_combo.currentIndex())
    groups.service_combo.setCurrentIndex(groups.service_combo.findData("GroundAdvantage"))
    with qtbot.waitSignal(groups.group_assigned, timeout=10_000):
        groups.service_combo.activated.emit(groups.service_combo.currentIndex())
    with guard.paused():
        stored = {g.group_id: g for g in ctx.grouping_service.groups()}[chosen.group_id]
    assert (stored.package_type, stored.service) == ("Mailer 10x13", "GroundAdvantage")
    shown = groups.model.record(groups.model.row_of(chosen.group_id) or 0)
    assert (shown.package_type, shown.service) == ("Mailer 10x13", "GroundAdvantage")
    assert shown.estimated_weight_oz == Decimal(2)  # empty mailer; items have no weight yet
    row = groups.model.row_of(chosen.group_id)
    assert groups.model.index(row or 0, 5).data() == "≥ 2.0"  # SKUs without weight

    # A second service for the group's international orders; each combo lists its own kind.
    domestic = {groups.service_combo.itemData(i) for i in range(groups.service_combo.count())}
    abroad = {
        groups.intl_service_combo.itemData(i) for i in range(groups.intl_service_combo.count())
    }
    assert {"", "GroundAdvantage", "Priority"} <= domestic
    assert "PriorityMailInternational" not in domestic
    assert abroad == {
        "",
        "FirstClassMailInternational",
        "FirstClassPackageInternationalService",
        "PriorityMailInternational",
        "ExpressMailInternational",
    }
    intl_column = next(i for i, c in enumerate(groups.model.columns) if c.title == "Intl service")
    assert chosen.international == 1
    assert groups.model.index(row or 0, intl_column).data() == "—"
    assert "wait for an Intl service" in groups.model.index(row or 0, intl_column).data(
        Qt.ItemDataRole.ToolTipRole
    )
    combo = groups.intl_service_combo
    assert combo.isEnabled() and combo.currentData() == ""
    combo.setCurrentIndex(combo.findData("PriorityMailInternational"))
    with qtbot.waitSignal(groups.group_assigned, timeout=10_000):
        combo.activated.emit(combo.currentIndex())
    with guard.paused():
        stored = {g.group_id: g for g in ctx.grouping_service.groups()}[chosen.group_id]
    assert (stored.package_type, stored.service, stored.international_service) == (
        "Mailer 10x13",
        "GroundAdvantage",
        "PriorityMailInternational",
    )
    row = groups.model.row_of(chosen.group_id)
    assert groups.model.index(row or 0, intl_column).data() == "Priority Mail International"
    assert "Priority Mail International (international)" in groups.message_bar.text()
    # Reselecting the group shows both of its services in the combos.
    groups.view.clearSelection()
    assert not combo.isEnabled()
    groups.view.selectRow(row or 0)
    assert combo.currentData() == "PriorityMailInternational"
    assert groups.service_combo.currentData() == "GroundAdvantage"


def test_skus_edit_and_batch_hts_unblock_customs(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    ctx: AppContext,
    window: MainWindow,
    backer_report: Path,
    guard: ThreadGuard,
) -> None:
    def answer_edit(item: Item, _parent: QWidget | None = None) -> Item:
        return dataclasses.replace(
            item,
            weight_oz=Decimal("1.5"),
            hts_code="4911101000",
            customs_description="Stickers",
            origin_country="US",
        )

    _import(qtbot, window, backer_report)
    with guard.paused():
        ctx.order_service.change_status(StatusAction.READY, OrderSelection(all=True))
    skus = window.panels["skus"]
    assert isinstance(skus, SkusPanel)
    with qtbot.waitSignal(skus.items_loaded, timeout=10_000):
        window.show_panel("skus")
    assert {i.sku for i in skus.model.rows()} == {"ART-BOOK", "STICKER-PACK"}

    monkeypatch.setattr(SkuEditDialog, "ask", answer_edit)
    skus._ask_edit = answer_edit
    row = next(
        r for r in range(skus.model.rowCount()) if skus.model.record(r).sku == "STICKER-PACK"
    )
    skus.view.selectRow(row)
    with qtbot.waitSignal(skus.items_saved, timeout=10_000):
        qtbot.mouseClick(skus.edit_button, Qt.MouseButton.LeftButton)
    with guard.paused():
        assert ctx.catalog_service.get_item("STICKER-PACK").hts_code == "4911101000"

    skus._ask_batch = lambda _skus, _parent=None: HtsBatch("ART-*", "4901.99.0000", "Art book")
    monkeypatch.setattr(ApplyHtsDialog, "ask", skus._ask_batch)
    with qtbot.waitSignal(skus.items_saved, timeout=10_000):
        qtbot.mouseClick(skus.batch_button, Qt.MouseButton.LeftButton)
    with guard.paused():
        art = ctx.catalog_service.get_item("ART-BOOK")
    assert (art.hts_code, art.customs_description) == ("4901990000", "Art book")
    assert "Saved 1 SKU: ART-BOOK" in skus.message_bar.text()

    # ART-BOOK still lacks an origin: the groups panel names exactly that.
    groups = _show_groups(qtbot, window)
    missing = {(r.sku, r.missing) for r in groups.customs_model.rows()}
    assert missing == {("ART-BOOK", ("origin_country",))}
