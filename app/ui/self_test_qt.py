"""The self-test's Qt check, run as a child process: a platform plugin that fails aborts Qt.

Prints one line `qt: <finding>` and exits 0 when Qt starts, loads every UI module and shows a
window; anything else (a crash, a missing library) is the parent's to report.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path


def qt_finding() -> str:
    """Start Qt, import the UI and show a window; say which platform plugin is in use."""
    from PySide6.QtCore import QLibraryInfo, qVersion
    from PySide6.QtWidgets import QApplication, QLabel

    import app.ui

    modules = 0
    for info in pkgutil.walk_packages(app.ui.__path__, "app.ui."):
        importlib.import_module(info.name)
        modules += 1
    qt_app = QApplication.instance() or QApplication(["packdesk"])
    assert isinstance(qt_app, QApplication)
    window = QLabel("Packdesk self-test")
    window.show()
    qt_app.processEvents()
    window.close()
    icons = _icons_drawn()
    platforms = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    bundled = sorted(
        p.name.removeprefix("libq").split(".")[0].removeprefix("q")
        for p in platforms.glob("*")
        if p.is_file()
    )
    return (
        f"platform plugin '{qt_app.platformName()}' (Qt {qVersion()}), "
        f"{modules} UI modules, {icons}; platform plugins here: {', '.join(bundled) or 'none'}"
    )


class IconMissingError(RuntimeError):
    """Packdesk's icon did not draw: resources/icons or Qt's image plugins are missing."""


def _icons_drawn() -> str:
    """Draw Packdesk's icon from its PNG and its SVG (Qt's SVG icon engine plugin)."""
    import importlib.resources

    from PySide6.QtGui import QIcon

    folder = importlib.resources.files("app.resources.icons")
    for name in ("packdesk.png", "packdesk.svg"):
        if QIcon(str(folder / name)).pixmap(32, 32).isNull():
            raise IconMissingError(f"error: Packdesk's icon {name} did not draw")
    return "icon drawn (PNG, SVG)"


#: The parent's file for the finding (a windowed Windows build may have no stdout).
REPORT_ENV = "PACKDESK_SELF_TEST_QT_REPORT"


def main() -> int:
    try:
        line = f"qt: {qt_finding()}\n"
    except IconMissingError as error:
        if sys.stderr is not None:
            sys.stderr.write(f"{error}\n")
        return 1
    report = os.environ.get(REPORT_ENV)
    if report:
        Path(report).write_text(line, encoding="utf-8")
    if sys.stdout is not None:
        sys.stdout.write(line)
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
