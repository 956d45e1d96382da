"""Buy & print and the print queue over the real services: demo data, the offline sandbox on
127.0.0.1, the purchase journal in a real SQLite file, and the virtual printer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.orders import OrderStatus
from app.domain.printing import PrintJobStatus, QueueState
from app.services.buy_plan import CHEAPEST
from app.services.purchase import BuyResult
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.buy_panel import BuyPanel, EstimateOutcome
from app.ui.panels.print_queue_panel import PrintQueuePanel
from app.ui.widgets.message_bar import Tone
from printers.transports.virtual import virtual_printer_dir
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        yield ctx


@pytest.fixture
def window(
    qtbot: QtBot, demo_ctx: AppContext, guard: ThreadGuard, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MainWindow]:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    assert win.runner.wait_for_idle(30_000)
    assert crashes == [], crashes[0] if crashes else ""
    assert guard.on_gui_thread == []


def _buy_panel(qtbot: QtBot, window: MainWindow) -> BuyPanel:
    panel = window.panels["buy"]
    assert isinstance(panel, BuyPanel)
    with qtbot.waitSignal(panel.groups_loaded, timeout=10_000):
        window.show_panel("buy")
        panel.refresh()  # whether or not showing it reloaded
    return panel


def test_estimate_then_buy_a_group_and_every_label_prints_once(
    qtbot: QtBot, window: MainWindow, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    panel = _buy_panel(qtbot, window)
    assert not panel.buy_button.isEnabled()  # nothing estimated yet
    rows = panel.model.rows()
    # The smallest group the demo gave a poly mailer: t-shirts and stickers, some abroad.
    group = min(
        (r.group for r in rows if r.group.package_type == "Poly mailer 10x13"),
        key=lambda g: g.orders,
    )
    assert group.international > 0
    panel.select_groups([group.group_id])
    assert panel.estimate_button.isEnabled()

    with qtbot.waitSignal(panel.estimated, timeout=30_000) as estimated:
        panel.estimate_button.click()
    outcome = estimated.args[0]
    assert isinstance(outcome, EstimateOutcome)
    ready, blocked = len(outcome.preflight.ready), len(outcome.preflight.blocked)
    # Each group's own services: Ground Advantage at home, First-Class Package International
    # abroad (the demo gave the group both), so its international orders are bought too.
    assert (group.service, group.international_service) == (
        "GroundAdvantage",
        "FirstClassPackageInternationalService",
    )
    assert ready == group.orders and blocked == 0
    assert panel.blocked_model.rows() == []
    chosen = {o.chosen.service for o in outcome.estimate.orders if o.chosen}
    assert chosen == {"GroundAdvantage", "FirstClassPackageInternationalService"}
    shown = panel.model.record(panel.model.row_of(group.group_id) or 0)
    assert (shown.ready, shown.blocked) == (ready, blocked)
    assert shown.total == outcome.total > 0
    assert f"${outcome.total:,.2f}" in panel.summary.text()
    assert panel.buy_button.isEnabled()

    asked: list[str] = []

    def confirm(_parent: object, _title: str, text: str) -> bool:
        asked.append(text)
        return True

    panel.confirm = confirm
    with qtbot.waitSignal(panel.buy_finished, timeout=60_000) as finished:
        panel.buy_button.click()
        assert panel.cancel_button.isEnabled()
    result = finished.args[0]
    assert isinstance(result, BuyResult)
    assert f"Buy {ready} label(s) for about ${outcome.total:,.2f}" in asked[0]
    assert len(result.bought) == ready and not result.failed
    services = {i.service for i in result.bought}
    assert services == {"GroundAdvantage", "FirstClassPackageInternationalService"}
    assert result.spent == sum(label.amount_usd for label in result.bought)
    assert [i.label_id for i in panel.bought_model.rows()] == [i.label_id for i in result.bought]
    assert panel.message_bar.tone is Tone.SUCCESS
    assert result.batch_reference in panel.message_bar.text()
    with guard.paused():
        statuses = {o.id: o.status for o in demo_ctx.order_service.list_orders()}
    assert {statuses[i.order_id] for i in result.bought} <= {
        OrderStatus.LABEL_PURCHASED,
        OrderStatus.PRINTED,
    }

    # The labels went to the virtual printer's queue as they were bought: each prints once.
    queue_panel = window.panels["print"]
    assert isinstance(queue_panel, PrintQueuePanel)
    with qtbot.waitSignal(queue_panel.queue_loaded, timeout=10_000):
        window.show_panel("print")
    bought_ids = sorted(i.label_id for i in result.bought)

    def all_printed() -> bool:
        jobs = queue_panel.model.rows()
        printed = [j.label_id for j in jobs if j.status is PrintJobStatus.PRINTED]
        return sorted(printed) == bought_ids

    qtbot.waitUntil(all_printed, timeout=30_000)
    assert len(queue_panel.model.rows()) == ready  # no label twice
    previews = list(virtual_printer_dir("demo").glob("label-*.png"))
    assert len(previews) == ready
    qtbot.waitUntil(lambda: "Ready" in queue_panel.state_label.text(), timeout=10_000)

    # Reprint one: a second job for the same label, marked as a reprint.
    first = next(j for j in queue_panel.model.rows() if j.label_id == bought_ids[0])
    queue_panel.view.selectRow(queue_panel.model.row_of(first.id) or 0)
    assert queue_panel.reprint_button.isEnabled()
    queue_panel.reprint_button.click()
    qtbot.waitUntil(
        lambda: any(
            j.reprint and j.status is PrintJobStatus.PRINTED for j in queue_panel.model.rows()
        ),
        timeout=15_000,
    )

    # Buying the same group again buys nothing: the bought orders left the group.
    panel = _buy_panel(qtbot, window)
    remaining = {r.group.group_id: r.group.orders for r in panel.model.rows()}
    assert remaining.get(group.group_id, 0) == blocked


def test_pause_and_resume_the_queue_and_cancel_a_buy(
    qtbot: QtBot, window: MainWindow, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    queue_panel = window.panels["print"]
    assert isinstance(queue_panel, PrintQueuePanel)
    with qtbot.waitSignal(queue_panel.queue_loaded, timeout=10_000):
        window.show_panel("print")
    assert "Demo printer" in queue_panel.printer_combo.currentText()
    with qtbot.waitSignal(queue_panel.queue_event, timeout=10_000):
        queue_panel.pause_button.click()
    assert queue_panel._status is not None and queue_panel._status.state is QueueState.PAUSED
    assert queue_panel.resume_button.isEnabled()
    assert queue_panel.state_label.text().startswith("Paused")

    panel = _buy_panel(qtbot, window)
    biggest = max(panel.model.rows(), key=lambda r: r.group.orders).group
    panel.select_groups([biggest.group_id])
    with qtbot.waitSignal(panel.estimated, timeout=60_000):
        panel.estimate_button.click()
    panel.confirm = lambda *_args: True
    panel.concurrency.setValue(1)

    def cancel_after_first(_info: object) -> None:
        if panel.cancel_button.isEnabled():
            panel.cancel_button.click()

    panel.label_bought.connect(cancel_after_first)
    with qtbot.waitSignal(panel.buy_finished, timeout=60_000) as finished:
        panel.buy_button.click()
    result = finished.args[0]
    assert result.cancelled and result.not_started
    assert 1 <= len(result.bought) <= 2  # the one in flight when Cancel was pressed finishes
    assert "cancelled" in panel.message_bar.text()
    assert "nothing is bought twice" in panel.message_bar.text()

    # The paused queue holds the bought labels; Resume prints them.
    with qtbot.waitSignal(queue_panel.queue_loaded, timeout=10_000):
        window.show_panel("print")
    qtbot.waitUntil(lambda: len(queue_panel.model.rows()) == len(result.bought), timeout=10_000)
    assert all(j.status is PrintJobStatus.QUEUED for j in queue_panel.model.rows())
    # Skip the first label (the packer decides not to print it); the rest print on Resume.
    skipped = queue_panel.model.rows()[0]
    queue_panel.view.selectRow(queue_panel.model.row_of(skipped.id) or 0)
    assert queue_panel.skip_button.isEnabled()
    queue_panel.skip_button.click()
    qtbot.waitUntil(
        lambda: queue_panel.model.rows()[0].status is PrintJobStatus.SKIPPED, timeout=10_000
    )
    queue_panel.resume_button.click()
    qtbot.waitUntil(
        lambda: all(
            j.status is PrintJobStatus.PRINTED
            for j in queue_panel.model.rows()
            if j.id != skipped.id
        ),
        timeout=15_000,
    )
    qtbot.waitUntil(lambda: "Ready" in queue_panel.state_label.text(), timeout=10_000)
    assert queue_panel.model.record(queue_panel.model.row_of(skipped.id) or 0).status is (
        PrintJobStatus.SKIPPED
    )


def test_a_group_without_an_intl_service_blocks_its_orders_abroad_with_the_fix(
    qtbot: QtBot, window: MainWindow, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    panel = _buy_panel(qtbot, window)
    group = min(
        (r.group for r in panel.model.rows() if r.group.package_type == "Poly mailer 10x13"),
        key=lambda g: g.orders,
    )
    with guard.paused():
        demo_ctx.grouping_service.assign(
            group.group_id, package_type=None, service=None, international_service=""
        )
    panel = _buy_panel(qtbot, window)
    row = panel.model.row_of(group.group_id) or 0
    assert panel.model.record(row).group.international_service is None
    intl_column = next(i for i, c in enumerate(panel.model.columns) if c.title == "Intl service")
    assert panel.model.index(row, intl_column).data() == "—"
    assert "blocked" in panel.model.index(row, intl_column).data(Qt.ItemDataRole.ToolTipRole)

    panel.select_groups([group.group_id])
    assert panel.service_combo.currentData() == ""  # each group's own services
    with qtbot.waitSignal(panel.estimated, timeout=30_000) as estimated:
        panel.estimate_button.click()
    outcome = estimated.args[0]
    assert isinstance(outcome, EstimateOutcome)
    assert len(outcome.preflight.ready) == group.domestic
    assert len(outcome.preflight.blocked) == group.international > 0
    fix = f"groups assign {group.group_id} --intl-service PriorityMailInternational"
    assert all(fix in b.reason for b in panel.blocked_model.rows())
    assert panel.tabs.currentWidget() is panel.blocked_view
    assert f"{group.international} international orders wait for an Intl service" in (
        panel.summary.text()
    )

    # 'Cheapest for each order' applies to every order: nothing is blocked.
    panel.service_combo.setCurrentIndex(panel.service_combo.findData(CHEAPEST))
    assert "Estimate again" in panel.summary.text()
    with qtbot.waitSignal(panel.estimated, timeout=30_000) as estimated:
        panel.estimate_button.click()
    cheapest = estimated.args[0]
    assert len(cheapest.preflight.ready) == group.orders and cheapest.preflight.blocked == ()
    assert "wait for an Intl service" not in panel.summary.text()


def test_a_resumed_buy_from_the_panel_prints_the_labels_an_interrupted_run_left(
    qtbot: QtBot, window: MainWindow, demo_ctx: AppContext, guard: ThreadGuard
) -> None:
    """Issue 8: the CLI re-queued labels left by an interrupted run and the GUI did not; both
    call the one buy-and-print use case now."""
    import threading

    panel = _buy_panel(qtbot, window)
    group = min(
        (r.group for r in panel.model.rows() if r.group.package_type == "Poly mailer 10x13"),
        key=lambda g: g.orders,
    )
    panel.select_groups([group.group_id])
    with qtbot.waitSignal(panel.estimated, timeout=60_000) as estimated:
        panel.estimate_button.click()
    selection = estimated.args[0].selection
    assert len(estimated.args[0].preflight.ready) >= 2
    # An earlier run of the same selection (a window closed mid-buy): labels bought, never queued.
    cancel = threading.Event()
    with guard.paused():
        first = demo_ctx.purchase_service.buy(
            selection,
            concurrency=1,
            cancel=cancel,
            on_label_bought=lambda _label: cancel.set(),
        )
    assert first.cancelled and first.bought
    panel.confirm = lambda *_args: True
    with qtbot.waitSignal(panel.buy_finished, timeout=60_000) as finished:
        panel.buy_button.click()
    result = finished.args[0]
    assert result.batch_id == first.batch_id and result.complete
    wanted = sorted(label.label_id for label in (*first.bought, *result.bought))

    def all_printed() -> bool:
        with guard.paused(), demo_ctx.store.transaction() as tx:
            jobs = [job for label_id in wanted for job in tx.print_jobs.for_label(label_id)]
        printed = [j.label_id for j in jobs if j.status is PrintJobStatus.PRINTED]
        return sorted(printed) == wanted and len(jobs) == len(wanted)  # each label once

    qtbot.waitUntil(all_printed, timeout=30_000)
