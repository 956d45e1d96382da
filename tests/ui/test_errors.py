"""ErrorPresenter: known errors show their hint; bugs open a scrubbed crash dialog."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QMainWindow, QStatusBar
from pytestqt.qtbot import QtBot

from app.domain.errors import AppError, ErrorKind
from app.ui.errors import CrashDialog, ErrorPresenter, scrub
from app.ui.widgets.message_bar import MessageBar, Tone
from printers.errors import PrinterError, PrinterErrorKind

pytestmark = pytest.mark.gui

# Shaped like a test key (EZTK + letters and digits) but plainly fake, so no secret scanner trips.
PLANTED_KEY = "EZTKfakeKeyForScrubTestsOnly0042"
CONFIGURED = "my-very-own-configured-key-0042"


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    win = QMainWindow()
    win.setStatusBar(QStatusBar(win))
    qtbot.addWidget(win)
    return win


@pytest.fixture
def crash_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[CrashDialog]:
    opened: list[CrashDialog] = []

    def fake_exec(self: CrashDialog) -> int:
        opened.append(self)
        return 0

    monkeypatch.setattr(CrashDialog, "exec", fake_exec)
    return opened


def test_app_error_shows_message_and_hint_inline_and_in_status_bar(
    window: QMainWindow, crash_dialogs: list[CrashDialog]
) -> None:
    presenter = ErrorPresenter(window, status_bar=window.statusBar())
    bar = MessageBar(window)
    error = AppError(
        "Row 7: country 'Atlantis' is not a country.",
        hint="Fix the country column (a name or an ISO code) and import again.",
    )
    presenter.present(error, inline=bar)
    assert not bar.isHidden()
    assert bar.tone is Tone.ERROR
    assert "Atlantis" in bar.text()
    assert "Fix the country column" in bar.text()
    assert "Fix the country column" in window.statusBar().currentMessage()
    assert crash_dialogs == []


def test_user_action_gets_a_non_modal_box(qtbot: QtBot, window: QMainWindow) -> None:
    presenter = ErrorPresenter(window, status_bar=window.statusBar())
    error = PrinterError(
        PrinterErrorKind.PAPER_OUT, "The printer is out of labels.", hint="Load a 4x6 roll."
    )
    with qtbot.waitSignal(presenter.known_error_shown) as blocker:
        presenter.present(error, user_action=True, action="Print labels")
    assert blocker.args == ["The printer is out of labels.\nLoad a 4x6 roll."]
    (box,) = presenter.open_boxes()
    assert not box.isModal()
    assert box.informativeText() == "Load a 4x6 roll."
    box.close()
    qtbot.waitUntil(lambda: presenter.open_boxes() == [])


def test_unexpected_error_opens_crash_dialog_with_scrubbed_traceback(
    window: QMainWindow, crash_dialogs: list[CrashDialog], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EASYPOST_API_KEY", "EZAKenvironmentkey1234567890")
    presenter = ErrorPresenter(window, secrets=lambda: [CONFIGURED])

    def buggy_service() -> None:
        raise KeyError(f"token {PLANTED_KEY} and {CONFIGURED} and EZAKenvironmentkey1234567890")

    try:
        buggy_service()
    except KeyError as exc:
        presenter.present(exc, action="Refresh orders")
    (dialog,) = crash_dialogs
    details = dialog.details.toPlainText()
    assert "Traceback (most recent call last)" in details
    assert "buggy_service" in details
    assert "KeyError" in details
    assert "Refresh orders" in details
    assert PLANTED_KEY not in details
    assert CONFIGURED not in details
    assert "EZAKenvironmentkey" not in details
    assert "[redacted]" in details
    dialog.copy_details()
    assert QApplication.clipboard().text() == details


def test_internal_app_error_is_a_bug(window: QMainWindow, crash_dialogs: list[CrashDialog]) -> None:
    presenter = ErrorPresenter(window)
    presenter.present(AppError("invariant broken", kind=ErrorKind.INTERNAL))
    assert len(crash_dialogs) == 1


def test_excepthook_routes_uncaught_exceptions(
    window: QMainWindow, crash_dialogs: list[CrashDialog]
) -> None:
    presenter = ErrorPresenter(window, status_bar=window.statusBar())
    restore = presenter.install_excepthook()
    try:
        try:
            raise RuntimeError("slot exploded")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
        try:
            raise AppError("Printer unplugged.", hint="Plug it in.", kind=ErrorKind.PRINTER)
        except AppError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        restore()
    assert len(crash_dialogs) == 1
    assert "slot exploded" in crash_dialogs[0].details.toPlainText()
    assert "Plug it in." in window.statusBar().currentMessage()


def test_scrub_keeps_ordinary_text() -> None:
    assert scrub("order EZ-1234 shipped") == "order EZ-1234 shipped"
    assert scrub(f"key={PLANTED_KEY};") == "key=[redacted];"
