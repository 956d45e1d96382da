"""Labels & batches over the real services: a batch bought in the sandbox, a refund, a SCAN
form (after which refunds are refused with the reason), a pickup, and tracking."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.printing import PrintJobStatus
from app.services.buy_plan import Selection
from app.services.pickups import PickupRequest
from app.services.purchase import BuyResult
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.labels_panel import LabelsPanel
from app.ui.widgets.message_bar import Tone
from tests.dates import FIXED_MOMENTS, RunningClock, next_pickup_day
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def demo_ctx(tmp_path: Path, desk_moment: datetime) -> Iterator[AppContext]:
    """The demo desk on a fixed day (its services and its sandbox share the pinned clock)."""
    options = RuntimeOptions(
        profile="demo", home=tmp_path, demo=True, clock=RunningClock(desk_moment)
    )
    with build_context(options) as ctx:
        ctx.demo_seeder.seed()
        yield ctx


@pytest.fixture
def bought(demo_ctx: AppContext) -> BuyResult:
    """A small batch bought through the purchase service (domestic orders of one group)."""
    group = min(
        (g for g in demo_ctx.grouping_service.groups() if g.package_type == "Poly mailer 10x13"),
        key=lambda g: g.orders,
    )
    result = demo_ctx.purchase_service.buy(Selection(groups=(group.group_id,)))
    assert len(result.bought) >= 4
    return result


@pytest.mark.parametrize(
    "desk_moment",
    [FIXED_MOMENTS[name] for name in ("saturday", "sunday", "year-end")],
    ids=["saturday", "sunday", "year-end"],
)
def test_refund_scan_form_pickup_and_tracking(
    qtbot: QtBot,
    demo_ctx: AppContext,
    bought: BuyResult,
    guard: ThreadGuard,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: crashes.append(self.details.toPlainText()) or 0
    )
    opened: list[Path] = []
    monkeypatch.setattr("app.services.scan_forms._open_with_viewer", opened.append)
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    panel = window.panels["labels"]
    assert isinstance(panel, LabelsPanel)
    questions: list[str] = []

    def confirm(_parent: object, _title: str, text: str) -> bool:
        questions.append(text)
        return True

    panel.confirm = confirm

    with qtbot.waitSignal(panel.batch_loaded, timeout=15_000):
        window.show_panel("labels")
    assert [b.reference for b in panel.batch_model.rows()] == [bought.batch_reference]
    rows = panel.label_model.rows()
    assert len(rows) == len(bought.bought)
    assert all(r.refund is not None and r.refund.eligible for r in rows)
    assert panel.batch_form_button.isEnabled()

    # The batch was bought without a printer: Print batch queues every label once.
    assert panel.print_batch_button.isEnabled()
    with qtbot.waitSignal(panel.batch_printing, timeout=15_000) as queued:
        panel.print_batch_button.click()
    assert queued.args == [len(bought.bought)]

    def printed() -> int:
        with guard.paused():
            jobs = demo_ctx.print_queue_service.queue_for("virtual://demo").jobs()
        return sum(j.status is PrintJobStatus.PRINTED for j in jobs)

    qtbot.waitUntil(lambda: printed() == len(bought.bought), timeout=20_000)
    with qtbot.waitSignal(panel.batch_printing, timeout=15_000) as again:
        panel.print_batch_button.click()
    assert again.args == [0]  # nothing twice
    assert "already" in panel.message_bar.text()

    # Refund one selected label.
    panel.label_view.selectRow(0)
    refunded = panel.label_model.record(0).facts
    with qtbot.waitSignal(panel.refund_done, timeout=15_000) as done:
        panel.refund_button.click()
    report = done.args[0]
    assert [line.label_id for line in report.submitted] == [refunded.label_id]
    assert "refund 1 unused label(s)" in questions[-1]
    assert "1 submitted" in panel.message_bar.text()

    # A SCAN form for the batch: the rest go on it (the refunded one does not).
    qtbot.waitUntil(lambda: panel.batch_form_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(panel.scan_form_done, timeout=30_000) as formed:
        panel.batch_form_button.click()
    run = formed.args[0]
    assert sum(f.label_count for f in run.forms) == len(bought.bought) - 1
    qtbot.waitUntil(lambda: panel.form_model.rowCount() == 1, timeout=10_000)

    # Now the labels on the form cannot be refunded, and the panel says why.
    with qtbot.waitSignal(panel.batch_loaded, timeout=15_000):
        panel.load_batch(bought.batch_reference)
    reasons = {
        r.facts.label_id: panel.label_model.columns[-1].value(r) for r in panel.label_model.rows()
    }
    on_form = [text for label_id, text in reasons.items() if label_id != refunded.label_id]
    assert on_form and all("SCAN form" in str(text) for text in on_form)
    assert not panel.refund_batch_button.isEnabled()
    panel.label_view.selectAll()
    panel.refund_selected()  # nothing eligible: a warning, no question, no request
    assert panel.message_bar.tone is Tone.WARNING
    assert "None of these labels can be refunded" in panel.message_bar.text()
    assert "SCAN form" in panel.message_bar.text()

    # Open the form's PDF (through the service, which keeps the file).
    qtbot.waitUntil(lambda: window.runner.active_count == 0, timeout=15_000)
    panel.form_view.selectRow(0)
    assert panel.open_form_button.isEnabled()
    panel.open_form_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=10_000)
    assert len(opened) == 1 and opened[0].suffix == ".pdf" and opened[0].is_file()

    # A pickup: schedule, confirm, cancel.
    # USPS picks up on a later day, never on a Sunday (the day is the pinned clock's).
    day = next_pickup_day(demo_ctx.clock())
    panel.ask_pickup = lambda _parent, packages: PickupRequest(
        day=day, packages=packages, location="Front desk"
    )
    with qtbot.waitSignal(panel.pickup_done, timeout=15_000) as scheduled:
        panel.schedule_button.click()
    pickup = scheduled.args[0].pickup
    assert pickup.package_count == len(bought.bought) - 1  # bought minus refunded
    qtbot.waitUntil(lambda: panel.confirm_pickup_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(panel.pickup_done, timeout=15_000) as confirmed:
        panel.confirm_pickup_button.click()
    assert confirmed.args[0].pickup.status == "scheduled"
    assert confirmed.args[0].pickup.confirmation
    qtbot.waitUntil(lambda: panel.cancel_pickup_button.isEnabled(), timeout=10_000)
    with qtbot.waitSignal(panel.pickup_done, timeout=15_000) as cancelled:
        panel.cancel_pickup_button.click()
    assert cancelled.args[0].pickup.status == "canceled"

    # Tracking: every live label is looked up.
    with qtbot.waitSignal(panel.tracking_done, timeout=30_000) as tracked:
        panel.tracking_button.click()
    assert len(tracked.args[0].lines) >= len(bought.bought) - 1
    assert "Tracking refreshed" in panel.message_bar.text()

    qtbot.waitUntil(lambda: window.runner.active_count == 0, timeout=15_000)
    assert window.runner.wait_for_idle(30_000)
    assert crashes == []
    assert guard.on_gui_thread == []
