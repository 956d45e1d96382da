"""Scan station: a handheld scanner types a label's barcode and Enter; the order is shipped.

Keyboard only. The input line is the panel's only focusable widget and takes the focus back
after every scan, so a packer never has to touch the mouse. Scans go to the service in the
"db-write" lane, in the order they were made; results show large and coloured, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.domain.order_numbers import natural_key
from app.services.scan_to_ship import ScanOutcome, ScanStatus
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone

#: Group separator (FNC1 in GS1 barcodes): scanners send it between the ZIP and the number.
GS = "\x1d"
#: Control characters a scanner may send inside a code; QLineEdit would drop them.
_KEPT_CONTROLS = frozenset({GS, "\x1e", "\x04"})


class ScanSource(Protocol):
    """What the panel needs of app.services.scan_to_ship.ScanToShipService."""

    def scan(self, raw: str, *, station: str | None = None) -> ScanOutcome: ...


@dataclass(frozen=True, slots=True)
class _Look:
    headline: str
    background: str
    foreground: str


# Colour is never alone: every result starts with its words.
_LOOKS = {
    ScanStatus.SHIPPED: _Look("SHIPPED", "#1e7b3a", "#ffffff"),
    ScanStatus.ALREADY_SHIPPED: _Look("ALREADY SHIPPED", "#b7791f", "#ffffff"),
    ScanStatus.UNKNOWN: _Look("UNKNOWN CODE", "#4a5568", "#ffffff"),
    ScanStatus.INVALID: _Look("INVALID BARCODE", "#c53030", "#ffffff"),
    ScanStatus.REFUNDED: _Look("DO NOT SHIP", "#9b2c2c", "#ffffff"),
    ScanStatus.NO_LABEL: _Look("NO LABEL YET", "#b7791f", "#ffffff"),
}
_WAITING = _Look("READY TO SCAN", "#edf2f7", "#2d3748")
_OFFLINE = _Look("NOT SCANNED: NO DATABASE", "#c53030", "#ffffff")
_HISTORY_COLOURS = {
    ScanStatus.SHIPPED: "#1e7b3a",
    ScanStatus.ALREADY_SHIPPED: "#975a16",
    ScanStatus.INVALID: "#c53030",
    ScanStatus.REFUNDED: "#9b2c2c",
    ScanStatus.NO_LABEL: "#975a16",
}


@dataclass(frozen=True, slots=True)
class ScanRecord:
    """One line of the history: when it was scanned and what came of it."""

    number: int
    at: datetime
    outcome: ScanOutcome


HISTORY_COLUMNS = (
    Column[ScanRecord]("#", lambda r: r.number, numeric=True, width=44),
    Column[ScanRecord]("Time", lambda r: f"{r.at:%H:%M:%S}", width=72),
    Column[ScanRecord](
        "Result",
        lambda r: _LOOKS[r.outcome.status].headline.capitalize(),
        foreground=lambda r: _HISTORY_COLOURS.get(r.outcome.status),
        width=140,
    ),
    Column[ScanRecord](
        "Order", lambda r: r.outcome.order, sort=lambda r: natural_key(r.outcome.order), width=80
    ),
    Column[ScanRecord]("Tracking", lambda r: r.outcome.tracking_code, width=220),
    Column[ScanRecord](
        "Message", lambda r: r.outcome.message, tooltip=lambda r: f"Scanned: {r.outcome.code}"
    ),
)


class ScanLineEdit(QLineEdit):
    """A line edit that keeps the GS separator (and its kin) a scanner types as a control key."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        ctrl_bracket = (
            event.key() == Qt.Key.Key_BracketRight
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        )
        if text in _KEPT_CONTROLS or ctrl_bracket:
            self.insert(text if text in _KEPT_CONTROLS else GS)
            event.accept()
            return
        super().keyPressEvent(event)


class ScanStationPanel(Panel):
    """Scan labels to mark their orders shipped.

    Signals:
        scanned(object): the ScanOutcome of each scan, in scan order.
    """

    title = "Scan station"
    scanned = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        scans: ScanSource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._scans = scans
        self._count = 0
        self._shipped = 0
        self._pending = 0
        self._database_down = ""  # why scans are refused now (the connection is lost)

        hint = QLabel(
            "Scan a shipping label (or a packing slip's order barcode). "
            "Typing a code and pressing Enter works too.",
            self,
        )
        hint.setObjectName("scanHint")
        self.input = ScanLineEdit(self)
        self.input.setObjectName("scanInput")
        self.input.setPlaceholderText("Scan here…")
        font = QFont(self.input.font())
        font.setPointSizeF(font.pointSizeF() * 2.0)
        self.input.setFont(font)
        self.input.setMinimumHeight(56)
        self.input.returnPressed.connect(self._on_input_return_pressed)

        self.result_frame = QFrame(self)
        self.result_frame.setObjectName("scanResult")
        self.result_frame.setMinimumHeight(150)
        self.headline = QLabel(self.result_frame)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        big = QFont(self.headline.font())
        big.setPointSizeF(big.pointSizeF() * 3.2)
        big.setBold(True)
        self.headline.setFont(big)
        self.detail = QLabel(self.result_frame)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        medium = QFont(self.detail.font())
        medium.setPointSizeF(medium.pointSizeF() * 1.5)
        self.detail.setFont(medium)
        result_layout = QVBoxLayout(self.result_frame)
        result_layout.addStretch(1)
        result_layout.addWidget(self.headline)
        result_layout.addWidget(self.detail)
        result_layout.addStretch(1)

        self.tally = QLabel("", self)
        self.tally.setObjectName("sectionHeading")
        self.history = RecordTableModel(HISTORY_COLUMNS)
        self.history_view = record_table(self, self.history, HISTORY_COLUMNS, multi_select=False)
        self.history_view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first

        # Only the input takes the focus: a scanner's keystrokes must never land elsewhere.
        for widget in (hint, self.result_frame, self.headline, self.detail, self.tally):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.history_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self._layout.addWidget(hint)
        self._layout.addWidget(self.input)
        self._layout.addWidget(self.result_frame)
        self._layout.addWidget(self.tally)
        self._layout.addWidget(self.history_view, 1)
        self._show_look(_WAITING, "Waiting for the first scan.")
        self._update_tally()

    def activated(self) -> None:
        self._announce(self._tally_text())
        self.input.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.input.setFocus()

    # -- scanning -----------------------------------------------------------------------------

    @Slot()
    def _on_input_return_pressed(self) -> None:
        raw = self.input.text()
        self.input.clear()
        self.input.setFocus()
        if raw.strip():
            self.submit(raw)

    def set_database_available(self, available: bool, reason: str = "") -> None:
        """The main window's word on the database connection. The field stays enabled (a
        scanner's keystrokes must not land elsewhere) but refuses scans while it is lost."""
        self._database_down = "" if available else reason or "The database is not reachable."
        self.input.setToolTip(self._database_down)
        if available and self.headline.text() == _OFFLINE.headline:
            self._show_look(_WAITING, "The database connection is back: scan again.")

    def submit(self, raw: str) -> None:
        """Scan `raw` on the db-write lane; the result arrives by `scanned`. Refused (said on
        screen, nothing recorded) while the database connection is lost."""
        if self._database_down:
            self._show_look(_OFFLINE, f"Not recorded: {raw.strip()}. {self._database_down}")
            self.message_bar.show_message(self._database_down, Tone.WARNING)
            return
        scans = self._scans
        self._pending += 1

        def work() -> ScanOutcome:
            return scans.scan(raw)

        self._runner.run(work, self._on_scanned, self._on_scan_failed, lane="db-write")

    def _on_scanned(self, outcome: ScanOutcome) -> None:
        self._pending -= 1
        self._count += 1
        if outcome.status is ScanStatus.SHIPPED:
            self._shipped += 1
        look = _LOOKS[outcome.status]
        self._show_look(look, outcome.message)
        rows = [ScanRecord(self._count, datetime.now(), outcome), *self.history.rows()]
        self.history.set_rows(rows[:200])
        self._update_tally()
        self.input.setFocus()
        self.scanned.emit(outcome)

    def _on_scan_failed(self, exc: BaseException) -> None:
        self._pending -= 1
        self._show_look(_Look("NOT SAVED", "#c53030", "#ffffff"), "The scan was not recorded.")
        self._presenter.present(exc, inline=self.message_bar, action="Scan")
        self.input.setFocus()

    def _show_look(self, look: _Look, detail: str) -> None:
        self.result_frame.setStyleSheet(
            f"#scanResult {{ background:{look.background}; border-radius:8px; }}"
            f"#scanResult QLabel {{ color:{look.foreground}; background:transparent; }}"
        )
        self.headline.setText(look.headline)
        self.detail.setText(detail)

    def headline_text(self) -> str:
        return self.headline.text()

    def _tally_text(self) -> str:
        return f"Scan station: {self._shipped:,} shipped of {self._count:,} scans this session"

    def _update_tally(self) -> None:
        self.tally.setText(
            f"This session: {self._shipped:,} shipped, {self._count:,} scans"
            if self._count
            else "History (newest first)"
        )
        self._announce(self._tally_text())
