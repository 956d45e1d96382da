"""The Package types panel over the real service and a real SQLite file: add, edit, refuse."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.order_flow import StatusAction
from app.services.orders import OrderSelection
from app.ui.main_window import MainWindow
from app.ui.panels.groups_panel import NEW_PACKAGE_TYPE, GroupsPanel
from app.ui.panels.package_types_panel import PackageTypesPanel
from tests.ui.conftest import ThreadGuard
from tests.ui.test_panels_flow import HEADER, ROWS, _import, _show_groups

pytestmark = pytest.mark.gui


@pytest.fixture
def backer_report(tmp_path: Path) -> Path:
    path = tmp_path / "backers.csv"
    path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"))) as context:
        yield context


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, guard: ThreadGuard) -> Iterator[MainWindow]:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    assert win.runner.wait_for_idle(10_000)


def _panel(qtbot: QtBot, window: MainWindow) -> PackageTypesPanel:
    panel = window.panels["package-types"]
    assert isinstance(panel, PackageTypesPanel)
    with qtbot.waitSignal(panel.types_loaded, timeout=10_000):
        window.show_panel("package-types")
    return panel


def _fill_custom(panel: PackageTypesPanel, name: str, l: float, w: float, h: float) -> None:  # noqa: E741
    panel.new_type()
    panel.name_edit.setText(name)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData(""))
    panel.length_box.setValue(l)
    panel.width_box.setValue(w)
    panel.height_box.setValue(h)


def test_add_validate_edit_and_refuse_deleting_a_type_in_use(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    backer_report: Path,
    guard: ThreadGuard,
) -> None:
    _import(qtbot, window, backer_report)
    with guard.paused():
        ctx.order_service.change_status(StatusAction.READY, OrderSelection(all=True))
    panel = _panel(qtbot, window)
    assert panel.model.rowCount() == 0

    # USPS limits are checked as the user types, in plain words, and block saving.
    _fill_custom(panel, "Poster box", 40, 20, 15)
    panel.machinable_box.setChecked(False)
    assert not panel.save_button.isEnabled()
    assert "110 in in length plus girth" in panel.problems_label.text()
    panel.height_box.setValue(4)
    panel.machinable_box.setChecked(True)
    assert "is not machinable" in panel.problems_label.text()
    _fill_custom(panel, "Mailer", 12, 9, 1)
    panel.weight_box.setValue(2)
    assert panel.save_button.isEnabled()
    assert panel.problems_label.text() == "Within USPS limits."
    with qtbot.waitSignal(panel.types_loaded, timeout=10_000):
        qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert [e.name for e in panel.model.rows()] == ["Mailer"]
    assert "Saved package type Mailer: 12 x 9 x 1 in" in panel.message_bar.text()

    # A predefined USPS package shows its real size.
    panel.new_type()
    panel.name_edit.setText("Medium box")
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("MediumFlatRateBox"))
    assert "11.25 x 8.75 x 6 in" in panel.kind_combo.currentText()
    assert not panel.length_box.isEnabled()
    with qtbot.waitSignal(panel.types_loaded, timeout=10_000):
        panel.save()
    assert panel.model.rowCount() == 2

    # The groups panel offers the type, and "New package type…" brings the editor back.
    groups = _show_groups(qtbot, window)
    assert isinstance(groups, GroupsPanel)
    groups.view.selectAll()
    combo = groups.package_combo
    assert combo.findData("Mailer") >= 0
    combo.setCurrentIndex(combo.findData("Mailer"))
    with qtbot.waitSignal(groups.group_assigned, timeout=10_000):
        combo.activated.emit(combo.currentIndex())
    combo.setCurrentIndex(combo.findData(NEW_PACKAGE_TYPE))
    combo.activated.emit(combo.currentIndex())
    assert window.current_panel() is panel
    assert panel.name_edit.text() == "" and not panel.delete_button.isEnabled()
    qtbot.waitUntil(lambda: not panel._load_in_flight)

    # Deleting a type in use is refused, naming the groups.
    with qtbot.waitSignal(panel.types_loaded, timeout=10_000):
        panel.refresh()
    row = panel.model.row_of("Mailer")
    assert row is not None
    panel.view.selectRow(row)
    assert panel.delete_button.isEnabled()
    assert "Used by 2 package groups" in panel.groups_label.text()
    with qtbot.waitSignal(window.runner.failed, timeout=10_000):
        qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    shown = panel.message_bar.text()
    assert "Package type 'Mailer' is used by 2 package groups" in shown
    assert "1 x ART-BOOK + 1 x STICKER-PACK" in shown
    with guard.paused():
        assert "Mailer" in [pt.name for pt in ctx.catalog_service.list_package_types()]

    # Editing it reaches every group that uses it.
    panel.name_edit.setText("Mailer L")
    panel.length_box.setValue(14)
    with qtbot.waitSignal(panel.types_loaded, timeout=10_000):
        panel.save()
    assert "2 package group(s)" in panel.message_bar.text()
    groups = _show_groups(qtbot, window)
    assert {g.package_type for g in groups.model.rows()} == {"Mailer L"}

    # An unused type can be deleted.
    window.show_panel("package-types")
    with qtbot.waitSignal(panel.types_loaded, timeout=10_000):
        panel.refresh()
    panel.view.selectRow(panel.model.row_of("Medium box") or 0)
    with qtbot.waitSignal(panel.type_removed, timeout=10_000):
        panel.delete_selected()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
