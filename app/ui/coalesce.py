"""Coalescer: items from worker threads delivered to the GUI thread in batches, not one by one.

A 1,000-label buy reports each label and each progress step; delivered one queued signal at a
time, each is a trip through the event loop and a repaint of the table and the progress bar.
Batched, the GUI does that work at most every `interval_ms`; a lone item (the first label, a
slow run) is still delivered at once, so nothing waits for a timer that has no reason to wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import QElapsedTimer, QObject, QTimer, Signal, Slot

T = TypeVar("T")


class Coalescer(QObject, Generic[T]):
    """`push` from any thread; `deliver(batch)` runs on the GUI thread, in push order."""

    _due = Signal()  # queued to the GUI thread: something is waiting

    def __init__(
        self,
        deliver: Callable[[list[T]], None],
        interval_ms: int = 100,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._deliver = deliver
        self._interval_ms = interval_ms
        self._lock = threading.Lock()
        self._pending: list[T] = []
        self._scheduled = False
        self._since = QElapsedTimer()  # since the last delivery
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.flush)
        self._due.connect(self._on_due)

    def push(self, item: T) -> None:
        """Add an item (thread-safe); one signal per batch, not per item."""
        with self._lock:
            self._pending.append(item)
            if self._scheduled:
                return
            self._scheduled = True
        self._due.emit()

    @Slot()
    def _on_due(self) -> None:
        waited = self._since.elapsed() if self._since.isValid() else self._interval_ms
        if waited >= self._interval_ms:
            self.flush()
        elif not self._timer.isActive():
            self._timer.start(self._interval_ms - int(waited))

    @Slot()
    def flush(self) -> None:
        """Deliver what is pending now (GUI thread): also before a run's result is shown."""
        self._timer.stop()
        with self._lock:
            batch, self._pending = self._pending, []
            self._scheduled = False
        self._since.start()
        if batch:
            self._deliver(batch)
