"""ErrorPresenter: the one place that turns exceptions into messages, and the crash dialog.

Known errors (`AppError`, `PrinterError`) are the environment's fault and come with a fix: they
are shown where they happened (a panel's MessageBar), in the status bar, and, for an action the
user started, in a non-modal message box. Anything else is a bug: logged with its traceback and
shown in a crash dialog whose details can be copied into a report, with secrets scrubbed.

Signals:
    known_error_shown(str): the text shown for a known error (message and hint).
    crash_shown(str): the scrubbed details put into a crash dialog.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import traceback
from collections.abc import Callable, Iterable
from types import TracebackType

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.domain.errors import AppError, ErrorKind
from app.domain.redaction import redact
from app.ui.widgets.message_bar import MessageBar, Tone
from printers.errors import PrinterError

log = logging.getLogger(__name__)

_STATUS_MS = 15_000

SecretSource = Callable[[], Iterable[str]]


def _environment_secrets() -> Iterable[str]:
    key = os.environ.get("EASYPOST_API_KEY", "")
    return [key] if key else []


#: Crash details and warnings lose keys the one way everything else does.
scrub = redact


def is_known(exc: BaseException) -> bool:
    """True for errors with a user-facing fix; False for bugs (crash dialog)."""
    if isinstance(exc, AppError):
        return exc.kind is not ErrorKind.INTERNAL
    return isinstance(exc, PrinterError)


def known_text(exc: BaseException) -> tuple[str, str]:
    """(message, hint) of a known error."""
    if isinstance(exc, AppError | PrinterError):
        return exc.message, exc.hint
    return str(exc), ""


class CrashDialog(QDialog):
    """Shown for bugs: what happened, and details to copy into a report."""

    def __init__(self, details: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Packdesk hit a bug")
        self.resize(720, 460)
        intro = QLabel(
            "Something went wrong inside Packdesk, and the action that was running did not "
            "finish.\nPlease copy the details below into your report (API keys have been "
            "removed from them)."
        )
        intro.setWordWrap(True)
        self.details = QPlainTextEdit(details, self)
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.copy_button = QPushButton("Copy details", self)
        self.copy_button.clicked.connect(self.copy_details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class ErrorPresenter(QObject):
    """Shows known errors where they happen; reports bugs in a crash dialog.

    Args:
        window: parent for message boxes and the crash dialog.
        status_bar: where every known error is also summarised.
        secrets: returns secret values (the configured API key) to scrub from crash details;
            `EASYPOST_API_KEY` from the environment and anything shaped like a key always are.
    """

    known_error_shown = Signal(str)
    crash_shown = Signal(str)

    def __init__(
        self,
        window: QWidget | None = None,
        *,
        status_bar: QStatusBar | None = None,
        secrets: SecretSource | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._status_bar = status_bar
        self._secrets = secrets
        self._crash_open = False
        self._boxes: list[QMessageBox] = []

    def set_status_bar(self, status_bar: QStatusBar | None) -> None:
        self._status_bar = status_bar

    def present(
        self,
        exc: BaseException,
        *,
        inline: MessageBar | None = None,
        user_action: bool = False,
        action: str = "",
    ) -> None:
        """Show `exc`: inline + status bar (+ a message box for a user's action), or crash."""
        if not is_known(exc):
            self.report_bug(type(exc), exc, exc.__traceback__, action=action)
            return
        message, hint = known_text(exc)
        log.warning("%s%s", f"{action}: " if action else "", scrub(str(exc), self._secret_values()))
        if inline is not None:
            inline.show_message(message, Tone.ERROR, hint)
        if self._status_bar is not None:
            self._status_bar.showMessage(f"{message} {hint}".strip(), _STATUS_MS)
        if user_action:
            self._show_box(action or "Could not finish", message, hint)
        self.known_error_shown.emit(f"{message}\n{hint}" if hint else message)

    def handler(
        self, inline: MessageBar | None = None, *, user_action: bool = False, action: str = ""
    ) -> Callable[[BaseException], None]:
        """An `on_error` callback for TaskRunner that presents with these settings."""

        def _present(exc: BaseException) -> None:
            self.present(exc, inline=inline, user_action=user_action, action=action)

        return _present

    def report_bug(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        *,
        action: str = "",
    ) -> None:
        """Log a bug with its traceback and show the crash dialog (one at a time)."""
        details = self.crash_details(exc_type, exc, tb, action=action)
        log.error("unexpected error%s\n%s", f" in {action}" if action else "", details)
        self.crash_shown.emit(details)
        if self._crash_open:
            return  # one dialog is enough; the log has every occurrence
        self._crash_open = True
        try:
            CrashDialog(details, self._window).exec()
        finally:
            self._crash_open = False

    def crash_details(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
        *,
        action: str = "",
    ) -> str:
        lines = [
            f"Packdesk {__version__}, Python {platform.python_version()}, PySide6 {pyside_version}",
            f"Platform: {platform.platform()}",
        ]
        if action:
            lines.append(f"While: {action}")
        lines.append("")
        lines.extend(traceback.format_exception(exc_type, exc, tb))
        return scrub("\n".join(line.rstrip("\n") for line in lines), self._secret_values())

    def install_excepthook(self) -> Callable[[], None]:
        """Route uncaught exceptions (in slots, timers, callbacks) here; returns an undo."""
        previous = sys.excepthook

        def _hook(
            exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
        ) -> None:
            if issubclass(exc_type, KeyboardInterrupt):
                previous(exc_type, exc, tb)
            elif is_known(exc):
                self.present(exc)
            else:
                self.report_bug(exc_type, exc, tb)

        sys.excepthook = _hook

        def _restore() -> None:
            sys.excepthook = previous

        return _restore

    def _secret_values(self) -> list[str]:
        values = list(_environment_secrets())
        if self._secrets is not None:
            try:
                values.extend(self._secrets())
            # A locked keyring must not cost us the crash report; key-shaped text is still
            # scrubbed by pattern.
            except Exception:
                log.warning("could not read configured secrets for scrubbing", exc_info=True)
        return values

    def _show_box(self, title: str, message: str, hint: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self._window)
        if hint:
            box.setInformativeText(hint)
        box.setModal(False)
        box.finished.connect(lambda _result, b=box: self._forget_box(b))
        self._boxes.append(box)
        box.show()

    def _forget_box(self, box: QMessageBox) -> None:
        if box in self._boxes:
            self._boxes.remove(box)
        box.deleteLater()

    def open_boxes(self) -> list[QMessageBox]:
        return list(self._boxes)
