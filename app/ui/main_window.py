"""The main window: the panels of the day's work."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from app.bootstrap import AppContext


class MainWindow(QMainWindow):
    """Top-level window; panels are added as their services land."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.setWindowTitle(f"Packdesk - {ctx.options.profile}")
        self.resize(1100, 720)
        self.setCentralWidget(QLabel(f"Profile {ctx.options.profile}: {ctx.database_file}"))
