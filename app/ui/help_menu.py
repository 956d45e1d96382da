"""The Help menu (keyboard shortcuts, About with the version, Open logs folder) and the
window's remembered size and place."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QSettings, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import __version__

#: Shortcuts that work anywhere in the window, and the common ones inside panels.
GENERAL_SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("Ctrl+1 … Ctrl+9", "Show the panels in the order of the list on the left"),
    ("F5", "Reload the panel shown"),
    ("Ctrl+I", "Import an order file"),
    ("Ctrl+F", "Search in the panel shown"),
    ("Ctrl+A", "Select every row shown"),
    ("Ctrl+R / Ctrl+H / Ctrl+L", "Orders: ready, hold, release the selected orders"),
    ("Enter or double-click", "Orders: open the order; SKUs: edit the SKU"),
    ("Ctrl+E", "SKUs and Package groups: edit the selected SKU"),
    ("Ctrl+N", "Package types: start a new package type"),
    ("F1", "This list"),
)

_TITLE_BAR = 32  # what the window manager's frame adds above the window


class ShortcutsDialog(QDialog):
    """A table of the keyboard shortcuts."""

    def __init__(self, shortcuts: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.table = QTableWidget(len(shortcuts), 2, self)
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, what) in enumerate(shortcuts):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(620, 420)


def panel_shortcuts(labels: list[str]) -> list[tuple[str, str]]:
    """Ctrl+N for each of the first nine panels, then the general shortcuts."""
    numbered = [(f"Ctrl+{n}", f"Show {label}") for n, label in enumerate(labels[:9], start=1)]
    return [*numbered, *GENERAL_SHORTCUTS[1:]]


def install_help_menu(
    window: QMainWindow, *, logs_dir: Path, panel_labels: list[str]
) -> dict[str, QAction]:
    """Add the menu bar's Help menu to `window`; returns its actions by name (for tests)."""
    menu = window.menuBar().addMenu("&Help")
    shortcuts = QAction("&Keyboard shortcuts", window)
    shortcuts.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    about = QAction("&About Packdesk", window)
    logs = QAction("Open &logs folder", window)
    for action in (shortcuts, logs):
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction(about)

    def show_shortcuts() -> None:
        dialog = ShortcutsDialog(panel_shortcuts(panel_labels), window)
        dialog.setObjectName("shortcutsDialog")
        dialog.open()

    def show_about() -> None:
        box = QMessageBox(window)
        box.setObjectName("aboutBox")
        box.setWindowTitle("About Packdesk")
        box.setText(
            f"<b>Packdesk {__version__}</b><br>A shipping desk: orders in, USPS labels bought "
            "through EasyPost, printed on your label printer, handed over with a SCAN form."
        )
        box.setInformativeText(f"Logs: {logs_dir}")
        box.open()

    def open_logs() -> None:
        logs_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(logs_dir)))

    shortcuts.triggered.connect(show_shortcuts)
    about.triggered.connect(show_about)
    logs.triggered.connect(open_logs)
    return {"shortcuts": shortcuts, "about": about, "logs": logs}


def fit_to_screen(
    window: QMainWindow, wanted: tuple[int, int] = (1280, 720), free: QRect | None = None
) -> None:
    """Size the window to `wanted`, never larger than the screen's free area (`free`, else the
    window's screen less its task bars) less a title bar, so the status bar stays on screen."""
    if free is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
    width, height = wanted
    if free is not None:
        width, height = min(width, free.width()), min(height, free.height() - _TITLE_BAR)
    window.resize(width, max(height, 480))


class WindowState:
    """The window's size, place and splitter, kept in an INI file of the profile."""

    def __init__(self, path: Path) -> None:
        self._settings = QSettings(str(path), QSettings.Format.IniFormat)

    def restore(self, window: QMainWindow) -> bool:
        """Put the window back where it was; False when nothing was saved (first run)."""
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            return bool(window.restoreGeometry(geometry))
        return False

    def save(self, window: QMainWindow) -> None:
        self._settings.setValue("window/geometry", window.saveGeometry())
        self._settings.sync()
