"""Start Packdesk again (after Setup switched the profile's database): the new process starts
once this one has finished its work and quit, with the same arguments."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QProcess
from PySide6.QtWidgets import QWidget


def relaunch_command() -> tuple[str, list[str]]:
    """How this GUI was started: the bundle's executable, or Python running app's GUI entry."""
    if getattr(sys, "frozen", False):
        return sys.executable, sys.argv[1:]
    return sys.executable, ["-c", "from app.__main__ import gui_main; gui_main()", *sys.argv[1:]]


def restart_packdesk(widget: QWidget) -> None:
    """Close `widget`'s window (running work finishes first) and start Packdesk again."""
    app = QCoreApplication.instance()
    if app is None:
        return
    program, arguments = relaunch_command()
    app.aboutToQuit.connect(lambda: QProcess.startDetached(program, arguments))
    widget.window().close()
    QCoreApplication.quit()
