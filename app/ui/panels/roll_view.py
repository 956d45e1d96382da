"""The roll in a printer as the panels show it: labels left, speed, and asking for a new roll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QInputDialog, QWidget

from app.domain.roll_supply import expected_time
from app.services.roll_supply import BatchCheck, RollStatus

#: Asks the packer how many labels the new roll has: None when they cancel.
AskRollSize = Callable[[QWidget, str], int | None]


class RollSource(Protocol):
    """What the panels need of app.services.roll_supply.RollSupplyService."""

    def status(
        self, name_or_uri: str | None = None, *, ask_printer: bool = False
    ) -> RollStatus: ...

    def new_roll(self, name_or_uri: str | None, labels: int) -> RollStatus: ...

    def check_batch(
        self, name_or_uri: str | None, needed: int, *, ask_printer: bool = True
    ) -> BatchCheck: ...


def ask_roll_size_with_dialog(parent: QWidget, printer: str) -> int | None:
    """A modal "labels on the new roll" box (250 to start with, the common 4x6 roll)."""
    labels, ok = QInputDialog.getInt(
        parent, "New roll", f"Labels on the new roll in {printer}:", 250, 1, 100_000, 10
    )
    return labels if ok else None


def roll_line(status: RollStatus, waiting: int = 0) -> str:
    """The print queue's line about the roll, e.g. "38 labels left on the roll (low) ·
    12 waiting: about 1 min at 24 labels/min"."""
    if status.labels_left is None:
        text = "Labels left on the roll: unknown (choose New roll when you load one)"
    else:
        words = "label" if status.labels_left == 1 else "labels"
        text = f"{status.labels_left:,} {words} left on the roll"
        if status.level is not None and status.level.value in {"low", "critically_low"}:
            text += f" ({status.level.value.replace('_', ' ')})"
    if status.per_minute and waiting:
        text += f" · {waiting:,} waiting: {expected_time(waiting, status.per_minute)}"
    elif status.per_minute:
        text += f" · {status.per_minute:.0f} labels/min"
    return text
