"""A 1,000-label buy sends the print queue panel ~3,000 events from the queue's thread: they are
shown in batches, each job updated in place or appended (no reset, no full-table scan per
event), and the state frame is restyled only when the queue's state changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from app.domain.printing import PrintJob, PrintJobStatus, QueueState
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.print_queue import QueueEvent, QueueStatus
from app.ui.errors import ErrorPresenter
from app.ui.panels.print_queue_panel import PrintQueuePanel
from app.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

URI = "virtual://burst"
AT = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def _status(state: QueueState, printed: int) -> QueueStatus:
    return QueueStatus(URI, "Burst", "", state, None, None, 0, (), None, printed)


def _job(number: int, status: PrintJobStatus) -> PrintJob:
    return PrintJob(
        number, number, URI, number, status, 0, None, False, AT, None, number, 1, f"9400{number}"
    )


class _Queue:
    """The part of a PrintQueue the panel uses; events are sent by the test's thread."""

    uri = URI

    def __init__(self) -> None:
        self.listeners: list[Callable[[QueueEvent], None]] = []

    def add_listener(self, listener: Callable[[QueueEvent], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def status(self) -> QueueStatus:
        return _status(QueueState.IDLE, 0)

    def jobs(self) -> list[PrintJob]:
        return []


class _Queues:
    def __init__(self, queue: _Queue) -> None:
        self._queue = queue

    def queue_for(self, uri_or_name: str | None = None) -> _Queue:
        return self._queue


class _Printers:
    def load(self) -> PrinterSettings:
        return PrinterSettings((ConfiguredPrinter("Burst", URI, ""),), default="Burst")


def test_a_burst_of_queue_events_is_shown_in_batches_without_resets(qtbot: QtBot) -> None:
    queue = _Queue()
    runner = TaskRunner()
    panel = PrintQueuePanel(
        runner,
        ErrorPresenter(),
        queues=_Queues(queue),  # type: ignore[arg-type]
        printers=_Printers(),
    )
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.queue_loaded, timeout=10_000):
        panel.refresh()
    styles: list[str] = []
    original = panel.state_frame.setStyleSheet
    panel.state_frame.setStyleSheet = lambda sheet: (styles.append(sheet), original(sheet))  # type: ignore[method-assign]
    resets: list[str] = []
    panel.model.modelReset.connect(lambda: resets.append("reset"))
    seen: list[QueueEvent] = []
    panel.queue_event.connect(seen.append)

    jobs = 300

    def send() -> None:  # as the queue's thread does: queued, printing, printed, one by one
        listener = queue.listeners[0]
        for number in range(1, jobs + 1):
            queued = _job(number, PrintJobStatus.QUEUED)
            listener(QueueEvent(_status(QueueState.PRINTING, number - 1), queued))
            listener(
                QueueEvent(
                    _status(QueueState.PRINTING, number),
                    replace(queued, status=PrintJobStatus.PRINTED, printed_at=AT),
                )
            )
        listener(QueueEvent(_status(QueueState.IDLE, jobs)))

    sender = threading.Thread(target=send)
    with qtbot.waitSignal(  # the last event: the queue is idle again
        panel.queue_event, timeout=20_000, check_params_cb=lambda event: event.job is None
    ):
        sender.start()
    sender.join()
    assert len(seen) == 2 * jobs + 1

    assert resets == []
    assert panel.model.row_total() == jobs
    assert {job.status for job in panel.model.rows()} == {PrintJobStatus.PRINTED}
    assert [job.id for job in panel.model.rows()] == list(range(1, jobs + 1))
    assert len(styles) <= 2  # printing, then ready again: not once per event
    assert "300 printed" in panel.counts.text()
    assert runner.wait_for_idle(10_000)
