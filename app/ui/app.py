"""The Qt application: parse the GUI's options, build the context, show the main window."""

from __future__ import annotations

import argparse
import importlib.resources
import signal
import sys
from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from app import __version__
from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.infra.logging_setup import configure_logging
from app.ui import startup_probe
from app.ui.demo_start import DemoStarter
from app.ui.main_window import MainWindow


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="packdesk", description="Packdesk shipping station")
    parser.add_argument("--version", action="version", version=f"packdesk {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="offline sandbox, sample orders and a virtual printer in a 'demo' profile",
    )
    parser.add_argument("--profile", help="profile name")
    parser.add_argument("--db", help="SQLite database file")
    parser.add_argument("--api-base", help="EasyPost API base URL")
    # Both handled in app.__main__ before Qt loads; listed here for --help.
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation, print a report and exit 0 (all good) or 1",
    )
    parser.add_argument(
        "--cli",
        nargs=argparse.REMAINDER,
        help="run the headless commands (packdesk-cli) with the rest of the line",
    )
    return parser.parse_args(list(argv))


def build_window(ctx: AppContext) -> tuple[MainWindow, Callable[[], None]]:
    """The main window (with its task runner and error presenter) and the excepthook's undo.

    Uncaught exceptions in slots go to the window's ErrorPresenter: a known error shows its
    hint, a bug opens the crash dialog. Call the undo after the event loop ends.
    """
    # A desk that still lacks a key, a sender or a printer opens on Setup (the demo sets up
    # itself while the window shows).
    window = MainWindow(ctx, open_setup_first=not ctx.options.demo)
    restore_hook = window.presenter.install_excepthook()
    return window, restore_hook


def quit_on_signals(qt_app: QCoreApplication) -> QTimer:
    """Ctrl+C and SIGTERM close the app the normal way (work finishes, the sandbox stops).

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++: a timer
    that ticks a few times a second gives the interpreter the chance. Keep the returned timer.
    """

    def quit_now(_signum: int, _frame: object) -> None:
        qt_app.quit()

    signal.signal(signal.SIGINT, quit_now)
    signal.signal(signal.SIGTERM, quit_now)
    timer = QTimer(qt_app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def app_icon() -> QIcon:
    """Packdesk's icon (the taskbar and title bar; the desktop entry names the same PNG)."""
    return QIcon(str(importlib.resources.files("app.resources.icons") / "packdesk.png"))


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    options = RuntimeOptions.from_env(
        profile=args.profile or ("demo" if args.demo else None),
        db=args.db,
        api_base=args.api_base,
        demo=args.demo or None,
        sandbox=args.demo or None,
        sandbox_process=True,  # the GIL stays the GUI's (app.postage.sandbox.child)
    )
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("Packdesk")
    qt_app.setApplicationVersion(__version__)
    if isinstance(qt_app, QApplication):
        qt_app.setWindowIcon(app_icon())
    _wake = quit_on_signals(qt_app)
    with build_context(options) as ctx:
        configure_logging(ctx.paths.logs)
        window, restore_hook = build_window(ctx)
        try:
            if isinstance(qt_app, QApplication):
                startup_probe.watch(window, qt_app)
            window.show()
            if args.demo:
                # Seeding and the sandbox start on a worker; the window is usable meanwhile.
                DemoStarter(window).start()
            return int(qt_app.exec())
        finally:
            window.runner.wait_for_idle(10_000)
            restore_hook()
