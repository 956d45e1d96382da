"""The tax identifiers dialog: loads and saves off the GUI thread; a bad number is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.tax_ids import SenderTaxIds
from app.ui.dialogs.tax_ids_dialog import TaxIdsDialog
from app.ui.main_window import MainWindow
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


def test_edit_save_and_refuse(qtbot: QtBot, tmp_path: Path, guard: ThreadGuard) -> None:
    with build_context(RuntimeOptions(profile="desk-tax", home=tmp_path)) as ctx:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        editor = window.tax_ids_editor
        with qtbot.waitSignal(editor.dialog_shown, timeout=10_000) as shown:
            editor.open()
        dialog = shown.args[0]
        assert isinstance(dialog, TaxIdsDialog)
        dialog.edits["ioss"].setText("IM 276 000 0742")
        dialog.edits["uk_vat"].setText("GB123456789")
        with qtbot.waitSignal(editor.saved, timeout=10_000) as saved:
            dialog.accept()
        assert saved.args[0].ioss == "IM2760000742"
        assert stored(ctx).uk_vat == "GB123456789"

        with qtbot.waitSignal(editor.dialog_shown, timeout=10_000) as shown:
            editor.open()
        again = shown.args[0]
        assert again.edits["ioss"].text() == "IM2760000742"
        again.edits["eori"].setText("not an eori!")
        with qtbot.waitSignal(window.presenter.known_error_shown, timeout=10_000) as error:
            again.accept()
        assert "EORI" in error.args[0]
        assert guard.on_gui_thread == []  # the dialog never touched the database itself
        assert stored(ctx).eori == ""


def stored(ctx: AppContext) -> SenderTaxIds:
    """Read the database directly (a service call here would count as the GUI's)."""
    with ctx.store.transaction() as tx:
        return tx.tax_ids.get()
