"""Start-up timing for bench/bench_bundle.py: say when the main window first paints, then quit.

Only active when $PACKDESK_QUIT_WHEN_SHOWN is set; it prints `shown <unix time> cpu <seconds>`
on stdout (the benchmark compares the time with when it started the process; the CPU seconds
the process used so far are the figure a loaded machine does not inflate) and closes the app the
normal way, so the measured run is a whole, ordinary start. When the variable names a .png
file, the window as shown is saved there (to look at what a bundle really displays).
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV = "PACKDESK_QUIT_WHEN_SHOWN"


class _FirstPaint(QObject):
    def __init__(self, window: QWidget, qt_app: QApplication, screenshot: str) -> None:
        super().__init__(window)
        self._window = window
        self._app = qt_app
        self._screenshot = screenshot
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            # Stamp after this paint finishes (the next turn of the event loop).
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        shown, cpu = time.time(), time.process_time()
        if self._screenshot:
            self._window.grab().save(self._screenshot)
        if sys.stdout is not None:
            sys.stdout.write(f"shown {shown:.6f} cpu {cpu:.3f}\n")
            sys.stdout.flush()
        self._app.quit()


def watch(window: QWidget, qt_app: QApplication) -> None:
    """Install the probe on `window` when the benchmark asked for it (before show())."""
    wanted = os.environ.get(ENV, "")
    if wanted:
        screenshot = wanted if wanted.lower().endswith(".png") else ""
        window.installEventFilter(_FirstPaint(window, qt_app, screenshot))
