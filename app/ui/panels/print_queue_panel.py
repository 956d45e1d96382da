"""Print queue panel: per printer, its state (ready, printing, paused with why) and its jobs.

The queue has its own worker thread and calls listeners from it; a Coalescer carries its events
to the GUI thread in batches. Every call into the queue (it reads and writes SQLite) runs in the
printer's own lane of the TaskRunner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QFrame, QLabel, QVBoxLayout, QWidget

from app.domain.order_numbers import natural_key
from app.domain.printing import PauseCause, PrintJob, PrintJobStatus, QueueState
from app.infra.settings import DEMO_PRINTER_URI, ConfiguredPrinter, PrinterSettings
from app.services.print_queue import PrintQueue, QueueEvent, QueueStatus, canonical_uri
from app.services.roll_supply import RollStatus
from app.ui.coalesce import Coalescer
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, selected_records
from app.ui.panels.roll_view import (
    AskRollSize,
    RollSource,
    ask_roll_size_with_dialog,
    roll_line,
)
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, tool_row


class QueueSource(Protocol):
    """What the panel needs of app.services.print_queue.PrintQueueService."""

    def queue_for(self, uri_or_name: str | None = None) -> PrintQueue: ...


class PrinterSettingsSource(Protocol):
    """The configured printers (app.ui.printer_settings.SettingsPrinters over SettingsStore)."""

    def load(self) -> PrinterSettings: ...


def printer_lane(uri: str) -> str:
    """The TaskRunner lane of one printer: its calls run one at a time, in order."""
    return f"printer:{uri}"


def printer_choices(settings: PrinterSettings) -> list[ConfiguredPrinter]:
    """The configured printers, the default first; the demo printer when none is configured."""
    printers = list(settings.configured)
    if not printers:
        printers = [settings.resolve(None)]
    default = settings.find(settings.default) if settings.default else None
    if default is not None:
        printers.remove(default)
        printers.insert(0, default)
    return printers


_JOB_COLOURS = {
    PrintJobStatus.PRINTING: "#2b6cb0",
    PrintJobStatus.PRINTED: "#1e7b3a",
    PrintJobStatus.FAILED: "#c53030",
    PrintJobStatus.SKIPPED: "#718096",
}


def _job_status_text(job: PrintJob) -> str:
    if job.in_doubt:
        return "in doubt"
    return job.status.value + (" (reprint)" if job.reprint else "")


JOB_COLUMNS = (
    Column[PrintJob]("#", lambda j: j.sequence, numeric=True, width=60),
    Column[PrintJob](
        "Status",
        _job_status_text,
        foreground=lambda j: "#b7791f" if j.in_doubt else _JOB_COLOURS.get(j.status),
        width=120,
    ),
    Column[PrintJob](
        "Order", lambda j: j.order_number, sort=lambda j: natural_key(j.order_number), width=70
    ),
    Column[PrintJob]("Tracking", lambda j: j.tracking_code, width=230),
    Column[PrintJob]("Tries", lambda j: j.attempts, numeric=True, width=50),
    Column[PrintJob]("Queued", lambda j: f"{j.queued_at:%H:%M:%S}", width=80),
    Column[PrintJob](
        "Printed", lambda j: f"{j.printed_at:%H:%M:%S}" if j.printed_at else "", width=80
    ),
    # Several desks: which station sent the label, and the station whose printer prints it.
    Column[PrintJob]("Sent from", lambda j: j.queued_by, width=100),
    Column[PrintJob]("Printed at", lambda j: j.station, width=100),
    Column[PrintJob]("Problem", lambda j: j.error or "", tooltip=lambda j: j.error or ""),
)

_STATE_LOOK = {
    QueueState.IDLE: ("Ready", "#e6f4ea", "#174d2a"),
    QueueState.PRINTING: ("Printing", "#e8f0fe", "#1a3a6b"),
    QueueState.PAUSED: ("Paused", "#fef7e0", "#5c4300"),
    QueueState.CLOSED: ("Closed", "#edf2f7", "#2d3748"),
}


@dataclass(frozen=True, slots=True)
class _Opened:
    queue: PrintQueue
    status: QueueStatus
    jobs: list[PrintJob]
    remove_listener: Callable[[], None]


class PrintQueuePanel(Panel):
    """One printer's queue at a time (chosen at the top), live.

    Signals:
        queue_loaded(object): the QueueStatus after a (re)load.
        queue_event(object): every QueueEvent, after the panel showed it.
    """

    title = "Print queue"
    queue_loaded = Signal(object)
    queue_event = Signal(object)
    roll_changed = Signal(str)  # the status bar's "desk: 38 labels left" ("" when unknown)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        queues: QueueSource,
        printers: PrinterSettingsSource,
        manage_printers: Callable[[], None] | None = None,
        rolls: RollSource | None = None,
        ask_roll_size: AskRollSize = ask_roll_size_with_dialog,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._rolls = rolls
        self.ask_roll_size = ask_roll_size
        self._queues = queues
        self._printers = printers
        self._queue: PrintQueue | None = None
        self._remove_listener: Callable[[], None] | None = None
        self._status: QueueStatus | None = None
        self._generation = 0
        # The queue's events reach the GUI thread in batches (at most ~10 a second): a
        # 1,000-label buy sends ~3,000 of them, and each one alone restyled the state frame and
        # scanned the whole job list on the GUI thread.
        self._events = Coalescer[QueueEvent](self._on_queue_events, parent=self)
        self._look: tuple[str, str, str] | None = None

        self.printer_combo = QComboBox(self)
        self.printer_combo.setMinimumWidth(260)
        self.printer_combo.activated.connect(self._on_printer_combo_activated)
        printer_label = QLabel("&Printer", self)
        printer_label.setBuddy(self.printer_combo)
        self.manage_button = action_button(self, "Printers…", None, "Add, remove, set default")
        self.manage_button.setEnabled(manage_printers is not None)
        if manage_printers is not None:
            self.manage_button.clicked.connect(manage_printers)
        self._layout.addLayout(
            tool_row(printer_label, self.printer_combo, self.manage_button, stretch_after=2)
        )

        self.state_frame = QFrame(self)
        self.state_frame.setObjectName("queueState")
        self.state_label = QLabel("", self.state_frame)
        font = self.state_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.state_label.setFont(font)
        self.state_detail = QLabel("", self.state_frame)
        self.state_detail.setWordWrap(True)
        self.state_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        state_layout = QVBoxLayout(self.state_frame)
        state_layout.setContentsMargins(12, 8, 12, 8)
        state_layout.addWidget(self.state_label)
        state_layout.addWidget(self.state_detail)
        self._layout.addWidget(self.state_frame)

        self.pause_button = action_button(self, "Pause", "Ctrl+P", "Stop after this label")
        self.resume_button = action_button(self, "Resume", "Ctrl+R", "Go on printing")
        self.skip_button = action_button(self, "Skip", "Ctrl+K", "Do not print selected jobs")
        self.reprint_button = action_button(
            self, "Reprint", "Ctrl+Shift+R", "Print another copy of selected labels"
        )
        self.resend_button = action_button(
            self, "Resend", None, "The label in doubt did NOT come out: send it again"
        )
        self.mark_printed_button = action_button(
            self, "Mark printed", None, "The label in doubt DID come out: do not send it again"
        )
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.skip_button.clicked.connect(self.skip_selected)
        self.reprint_button.clicked.connect(self.reprint_selected)
        self.resend_button.clicked.connect(self.resend_selected)
        self.mark_printed_button.clicked.connect(self.mark_selected_printed)
        self.counts = QLabel("", self)
        self._layout.addLayout(
            tool_row(
                self.pause_button,
                self.resume_button,
                self.skip_button,
                self.reprint_button,
                self.resend_button,
                self.mark_printed_button,
                self.counts,
                stretch_after=5,
            )
        )
        self.new_roll_button = action_button(
            self, "New roll…", None, "A new roll of labels is loaded: count the labels left"
        )
        self.new_roll_button.clicked.connect(self.new_roll)
        self.new_roll_button.setEnabled(rolls is not None)
        self.roll_label = QLabel("", self)
        self.roll_label.setObjectName("rollLine")
        self._layout.addLayout(tool_row(self.new_roll_button, self.roll_label, stretch_after=1))

        self.model = RecordTableModel(JOB_COLUMNS, key=lambda j: j.id)
        self.view = record_table(self, self.model, JOB_COLUMNS)
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)
        self._layout.addWidget(self.view, 1)
        self._show_status(None)

    # -- loading ------------------------------------------------------------------------------

    @property
    def printer_uri(self) -> str:
        uri = self.printer_combo.currentData()
        return str(uri) if uri else DEMO_PRINTER_URI

    @Slot()
    def refresh(self) -> None:
        printers = self._printers

        def fetch() -> PrinterSettings:
            return printers.load()

        self._load(fetch, self._on_printers_loaded, "Load printers")

    def _on_printers_loaded(self, settings: PrinterSettings) -> None:
        current = self.printer_combo.currentData()
        self.printer_combo.clear()
        for printer in printer_choices(settings):
            label = (
                printer.name if printer.name == printer.uri else f"{printer.name}  ({printer.uri})"
            )
            self.printer_combo.addItem(label, printer.uri)
        index = self.printer_combo.findData(current) if current else 0
        self.printer_combo.setCurrentIndex(max(index, 0))
        self.open_queue(self.printer_uri)

    def show_printer(self, uri: str) -> None:
        """Show `uri`'s queue (adding it to the chooser when it is not configured)."""
        if self.printer_combo.findData(uri) < 0:
            self.printer_combo.addItem(uri, uri)
        self.printer_combo.setCurrentIndex(self.printer_combo.findData(uri))
        self.open_queue(uri)

    @Slot(int)
    def _on_printer_combo_activated(self, _index: int) -> None:
        self.open_queue(self.printer_uri)

    def open_queue(self, uri: str) -> None:
        """Open (or reuse) the printer's queue on its lane, listen to it, show its jobs."""
        if self._runner.closing:
            return
        queues, events = self._queues, self._events
        self._generation += 1
        generation = self._generation

        def work() -> _Opened:
            queue = queues.queue_for(uri)
            remove = queue.add_listener(events.push)
            return _Opened(queue, queue.status(), queue.jobs(), remove)

        self._runner.run(
            work,
            lambda opened: self._on_queue_opened(opened, generation),
            self._on_error("Open the print queue", user_action=False),
            lane=printer_lane(uri),
        )

    def _on_queue_opened(self, opened: _Opened, generation: int) -> None:
        if generation != self._generation:  # another printer was chosen meanwhile
            opened.remove_listener()  # only takes the queue's condition lock: quick
            return
        self.close_queue_listener()
        self._queue = opened.queue
        self._remove_listener = opened.remove_listener
        self.model.set_rows(opened.jobs)
        self._show_status(opened.status)
        self.load_roll()
        self.queue_loaded.emit(opened.status)

    def close_queue_listener(self) -> None:
        """Stop listening (the window closes); the queue itself keeps printing."""
        remove, self._remove_listener = self._remove_listener, None
        if remove is not None:
            remove()

    # -- live updates -------------------------------------------------------------------------

    def _on_queue_events(self, batch: list[QueueEvent]) -> None:
        queue = self._queue
        events = [e for e in batch if queue is not None and e.status.printer_uri == queue.uri]
        if not events:
            return
        jobs = [e.job for e in events if e.job is not None]
        self.model.upsert_rows(jobs)  # one pass over the table for the batch, no reset
        self._show_status(events[-1].status)
        if any(job.status is PrintJobStatus.PRINTED for job in jobs):
            self.load_roll()  # fewer labels on the roll
        for event in events:
            self.queue_event.emit(event)

    def _show_status(self, status: QueueStatus | None) -> None:
        self._status = status
        if status is None:
            self.state_label.setText("Opening the queue…")
            self.state_detail.setText("")
            look = _STATE_LOOK[QueueState.CLOSED]
        else:
            words, *_ = _STATE_LOOK[status.state]
            model = f" · {status.model}" if status.model else ""
            self.state_label.setText(f"{words}: {status.printer_name}{model}")
            self.state_detail.setText(_status_detail(status))
            look = _STATE_LOOK[status.state]
            if status.pause is not None and status.pause.cause is not PauseCause.USER:
                look = ("", "#fce8e6", "#7a1a12")
        if look != self._look:  # restyling re-polishes the frame and its labels: on a change
            self._look = look
            _, background, foreground = look
            self.state_frame.setStyleSheet(
                f"#queueState {{ background:{background}; border-radius:6px; }}"
                f"#queueState QLabel {{ color:{foreground}; background:transparent; }}"
            )
        rows = self.model.rows()
        printed = sum(1 for j in rows if j.status is PrintJobStatus.PRINTED)
        waiting = sum(1 for j in rows if j.status is PrintJobStatus.QUEUED)
        self.counts.setText(f"{printed:,} printed · {waiting:,} waiting · {len(rows):,} jobs")
        self._announce(
            f"Print queue {self.printer_uri}: {self.state_label.text()} · {self.counts.text()}"
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        status = self._status
        chosen = self.selected_jobs()
        paused = status is not None and status.state is QueueState.PAUSED
        self.pause_button.setEnabled(status is not None and not paused)
        self.resume_button.setEnabled(paused)
        self.skip_button.setEnabled(
            any(j.status is PrintJobStatus.QUEUED or j.in_doubt for j in chosen)
        )
        self.reprint_button.setEnabled(
            any(
                j.status in (PrintJobStatus.PRINTED, PrintJobStatus.SKIPPED, PrintJobStatus.FAILED)
                for j in chosen
            )
        )
        doubt = any(j.in_doubt for j in chosen)
        self.resend_button.setEnabled(doubt)
        self.mark_printed_button.setEnabled(doubt)

    # -- actions ------------------------------------------------------------------------------

    def selected_jobs(self) -> list[PrintJob]:
        return selected_records(self.view, self.model)

    def _queue_call(self, action: str, call: Callable[[PrintQueue], object]) -> None:
        queue = self._queue
        if queue is None:
            return

        def work() -> object:
            return call(queue)

        def done(_result: object) -> None:
            self._after_action(action)

        self._runner.run(work, done, self._on_error(action), lane=printer_lane(queue.uri))

    def _after_action(self, action: str) -> None:
        self.message_bar.show_message(f"{action}: done.", Tone.SUCCESS)

    @Slot()
    def pause(self) -> None:
        self._queue_call("Pause printing", lambda q: q.pause())

    @Slot()
    def resume(self) -> None:
        self.message_bar.clear()
        self._queue_call("Resume printing", lambda q: q.resume())

    @Slot()
    def skip_selected(self) -> None:
        ids = [
            j.id for j in self.selected_jobs() if j.status is PrintJobStatus.QUEUED or j.in_doubt
        ]
        self._queue_call(
            f"Skip {len(ids)} label(s)", lambda q: [q.skip(i, "skipped by the packer") for i in ids]
        )

    @Slot()
    def reprint_selected(self) -> None:
        labels = [j.label_id for j in self.selected_jobs() if not j.active]
        self._queue_call(
            f"Reprint {len(labels)} label(s)", lambda q: [q.reprint(i) for i in labels]
        )

    @Slot()
    def resend_selected(self) -> None:
        ids = [j.id for j in self.selected_jobs() if j.in_doubt]
        self._queue_call("Resend", lambda q: [q.resend(i) for i in ids])

    @Slot()
    def mark_selected_printed(self) -> None:
        ids = [j.id for j in self.selected_jobs() if j.in_doubt]
        self._queue_call("Mark printed", lambda q: [q.mark_printed(i) for i in ids])

    # -- the roll -----------------------------------------------------------------------------

    def load_roll(self) -> None:
        """Read the labels left on this printer's roll (in the printer's lane)."""
        rolls, uri = self._rolls, self.printer_uri
        if rolls is None or self._runner.closing:
            return

        def work() -> RollStatus:
            return rolls.status(uri)

        self._runner.run(
            work, self._show_roll, self._on_error("Read the roll", user_action=False),
            lane=printer_lane(uri),
        )  # fmt: skip

    def _show_roll(self, status: RollStatus) -> None:
        if status.printer_uri != canonical_uri(self.printer_uri):
            return  # another printer was chosen meanwhile
        waiting = sum(1 for j in self.model.rows() if j.status is PrintJobStatus.QUEUED)
        self.roll_label.setText(roll_line(status, waiting))
        self.roll_changed.emit(status.text)

    @Slot()
    def new_roll(self) -> None:
        """Ask for the new roll's size; count from it and go on printing if it stopped."""
        rolls, uri = self._rolls, self.printer_uri
        if rolls is None:
            return
        name = self.printer_combo.currentText() or uri
        labels = self.ask_roll_size(self, name)
        if labels is None:
            return

        def work() -> RollStatus:
            return rolls.new_roll(uri, labels)

        def done(status: RollStatus) -> None:
            self._show_roll(status)
            self._after_action(f"New roll of {labels:,} labels")

        self._runner.run(work, done, self._on_error("New roll"), lane=printer_lane(uri))


def _status_detail(status: QueueStatus) -> str:
    pause = status.pause
    if pause is not None:
        text = pause.message
        if pause.hint:
            text += f"\n{pause.hint}"
        return text
    if status.state is QueueState.PRINTING:
        return f"{status.queued:,} label(s) waiting; {status.printed:,} printed since start."
    return f"Nothing waiting. {status.printed:,} printed since start."
