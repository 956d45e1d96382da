"""Pickup dialog: the day, time window, package count, where the parcels wait, instructions."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QTime
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.pickup_days import next_pickup_day
from app.services.pickups import DEFAULT_WINDOW, PickupRequest


def next_weekday(today: date) -> date:
    """USPS picks up Monday to Saturday; the next such day after `today`."""
    return next_pickup_day(today)


class PickupDialog(QDialog):
    """Asks for a USPS pickup request; `ask` returns None when cancelled."""

    def __init__(self, packages: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Schedule a USPS pickup")
        self.setMinimumWidth(440)  # the instructions and their hint stay readable
        day = next_weekday(date.today())
        self.day = QDateEdit(QDate(day.year, day.month, day.day), self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd yyyy-MM-dd")  # the weekday shows: no Sunday pickups
        self.day.setMinimumDate(QDate.currentDate())
        start, end = DEFAULT_WINDOW
        self.start = QTimeEdit(QTime(start.hour, start.minute), self)
        self.end = QTimeEdit(QTime(end.hour, end.minute), self)
        self.packages = QSpinBox(self)
        self.packages.setRange(1, 10_000)
        self.packages.setValue(packages)
        self.location = QLineEdit("Front door", self)
        self.instructions = QLineEdit(self)
        self.instructions.setPlaceholderText("Ring the bell; parcels are on the pallet")
        self.problem = QLabel("", self)
        self.problem.setStyleSheet("color:#9b2c2c;")
        form = QFormLayout()
        form.addRow("&Day", self.day)
        form.addRow("&From", self.start)
        form.addRow("&Until", self.end)
        form.addRow("&Packages", self.packages)
        form.addRow("&Location", self.location)
        form.addRow("&Instructions", self.instructions)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def request(self) -> PickupRequest:
        return PickupRequest(
            day=self.day.date().toPython(),  # type: ignore[arg-type]
            packages=self.packages.value(),
            start=self.start.time().toPython(),  # type: ignore[arg-type]
            end=self.end.time().toPython(),  # type: ignore[arg-type]
            location=self.location.text().strip(),
            instructions=self.instructions.text().strip(),
        )

    def accept(self) -> None:
        if self.end.time() <= self.start.time():
            self.problem.setText("The window must end after it starts.")
            return
        super().accept()

    @classmethod
    def ask(cls, parent: QWidget, packages: int) -> PickupRequest | None:
        dialog = cls(packages, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.request()
