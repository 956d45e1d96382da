"""The scan station over the real ScanToShipService and a real SQLite file, keyboard only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.orders import OrderStatus
from app.domain.tracking import impb_barcode_data, make_usps_tracking_number
from app.services.audit import AuditLog
from app.services.scan_to_ship import ScanStatus, ScanToShipService
from app.store.labels_repo import NewLabel
from app.ui.errors import ErrorPresenter
from app.ui.panels.scan_panel import ScanStationPanel
from app.ui.tasks import TaskRunner
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as context:
        context.demo_seeder.seed()
        yield context


def _buy_labels(ctx: AppContext, count: int) -> list[tuple[str, str, str]]:
    """Label rows as a purchase records them: (order external id, tracking, destination ZIP)."""
    orders = [o for o in ctx.order_service.list_orders() if o.recipient.country == "US"][:count]
    bought = []
    with ctx.store.transaction(write=True) as tx:
        for number, order in enumerate(orders, start=1):
            assert order.id is not None
            tracking = make_usps_tracking_number(900 + number)
            tx.labels.add(
                NewLabel(
                    order_id=order.id,
                    shipment_id=f"shp_test{number}",
                    tracking_code=tracking,
                    service="GroundAdvantage",
                    amount_usd=Decimal("5.12"),
                    label_format="PNG",
                    bought_at=datetime(2026, 11, 25, 9, 0),
                )
            )
            bought.append((order.external_id, tracking, order.recipient.postal_code))
    return bought


@pytest.fixture
def panel(qtbot: QtBot, ctx: AppContext, guard: ThreadGuard) -> Iterator[ScanStationPanel]:
    runner = TaskRunner()
    presenter = ErrorPresenter()
    service = ScanToShipService(ctx.store, AuditLog(ctx.store, "desk-1", "ann"), station="desk-1")
    scan_panel = ScanStationPanel(runner, presenter, scans=service)
    qtbot.addWidget(scan_panel)
    scan_panel.show()
    qtbot.waitExposed(scan_panel)
    scan_panel.activated()
    yield scan_panel
    assert runner.wait_for_idle(10_000)


def _type_scan(qtbot: QtBot, panel: ScanStationPanel, code: str) -> object:
    """What a keyboard-wedge scanner does: the characters, the GS as a control key, Enter."""
    target = QApplication.focusWidget() or panel.input
    with qtbot.waitSignal(panel.scanned, timeout=10_000) as blocker:
        for part_number, part in enumerate(code.split("\x1d")):
            if part_number:
                QApplication.sendEvent(
                    target,
                    QKeyEvent(QEvent.Type.KeyPress, 0, Qt.KeyboardModifier.NoModifier, "\x1d"),
                )
            qtbot.keyClicks(target, part)
        qtbot.keyClick(target, Qt.Key.Key_Return)
    return blocker.args[0]


def test_scans_ship_warn_and_reject_with_the_keyboard_only(
    qtbot: QtBot, ctx: AppContext, panel: ScanStationPanel, guard: ThreadGuard
) -> None:
    with guard.paused():
        (first, second) = _buy_labels(ctx, 2)
    assert panel.input.hasFocus()

    # A full IMpb with the GS a scanner sends between ZIP and number, with ]C1 and spaces.
    outcome = _type_scan(qtbot, panel, "]C1" + impb_barcode_data(first[2], first[1]) + " ")
    assert outcome.status is ScanStatus.SHIPPED and outcome.order == first[0]
    assert panel.headline_text() == "SHIPPED"
    assert first[0] in panel.detail.text()
    assert panel.input.text() == "" and panel.input.hasFocus()

    # The same label again: already shipped, with when and where.
    outcome = _type_scan(qtbot, panel, first[1])
    assert outcome.status is ScanStatus.ALREADY_SHIPPED
    assert panel.headline_text() == "ALREADY SHIPPED"
    assert "desk-1" in panel.detail.text()

    # Ctrl+] is how many scanners type GS; the bare tracking number of the second label.
    qtbot.keyClicks(panel.input, "420" + second[2][:5])
    qtbot.keyClick(panel.input, Qt.Key.Key_BracketRight, Qt.KeyboardModifier.ControlModifier)
    assert panel.input.text().endswith("\x1d")
    with qtbot.waitSignal(panel.scanned, timeout=10_000) as blocker:
        qtbot.keyClicks(panel.input, second[1])
        qtbot.keyClick(panel.input, Qt.Key.Key_Enter)
    assert blocker.args[0].status is ScanStatus.SHIPPED

    # A well-formed number nobody bought here, and a code with a bad check digit.
    stranger = make_usps_tracking_number(77_777)
    assert _type_scan(qtbot, panel, stranger).status is ScanStatus.UNKNOWN
    assert panel.headline_text() == "UNKNOWN CODE"
    bad = first[1][:-1] + str((int(first[1][-1]) + 1) % 10)
    outcome = _type_scan(qtbot, panel, bad)
    assert outcome.status is ScanStatus.INVALID
    assert panel.headline_text() == "INVALID BARCODE"
    assert "check digit" in panel.detail.text().lower()

    # The history lists every scan, newest first, and the session tally counts the shipped.
    statuses = [r.outcome.status for r in panel.history.records()]
    assert statuses == [
        ScanStatus.INVALID,
        ScanStatus.UNKNOWN,
        ScanStatus.SHIPPED,
        ScanStatus.ALREADY_SHIPPED,
        ScanStatus.SHIPPED,
    ]
    assert "2 shipped, 5 scans" in panel.tally.text()
    with guard.paused():
        shipped = {
            o.external_id
            for o in ctx.order_service.list_orders()
            if o.status is OrderStatus.SHIPPED
        }
    assert shipped == {first[0], second[0]}


def test_empty_enter_does_nothing(qtbot: QtBot, panel: ScanStationPanel) -> None:
    qtbot.keyClicks(panel.input, "   ")
    qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert panel.history.rowCount() == 0
    assert panel.headline_text() == "READY TO SCAN"
