"""The print queues see printers the Printers dialog saves while they run (no restart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.bootstrap import AppContext, RuntimeOptions
from app.domain.errors import AppError, ErrorKind
from app.infra.settings import ConfiguredPrinter, PrinterSettings, SettingsStore
from app.services.print_queue import SavedPrinters

ZEBRA = ConfiguredPrinter("zebra", "virtual://zebra")
DYMO = ConfiguredPrinter("dymo", "virtual://dymo")


def test_a_printer_saved_after_the_queues_started_is_found_and_becomes_the_default(
    tmp_path: Path,
) -> None:
    with AppContext(RuntimeOptions(home=tmp_path, db=str(tmp_path / "x.sqlite3"))) as ctx:
        service = ctx.print_queue_service
        with pytest.raises(AppError) as unknown:
            service.queue_for("zebra")
        assert unknown.value.kind is ErrorKind.NOT_FOUND
        # What the Printers dialog does when a printer is added and made the default:
        ctx.settings_store.update_printers(PrinterSettings((ZEBRA,), default="zebra"))
        assert service.queue_for("zebra").uri == "virtual://zebra"
        assert service.queue_for(None).name == "zebra"
        ctx.settings_store.update_printers(PrinterSettings((ZEBRA, DYMO), default="dymo"))
        assert service.queue_for(None).name == "dymo"
        ctx.settings_store.update_printers(PrinterSettings((DYMO,), default="dymo"))
        with pytest.raises(AppError):
            service.queue_for("zebra")  # removed: no longer known by name


def test_saved_printers_are_read_again_only_when_the_file_changed(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "settings.json")
    loads: list[PrinterSettings] = []

    def load() -> PrinterSettings:
        loads.append(store.load().printers)
        return loads[-1]

    saved = SavedPrinters(store.path, load)
    assert saved().configured == () and len(loads) == 1  # no file yet: the defaults
    assert saved() is saved() and len(loads) == 1
    store.update_printers(PrinterSettings((ZEBRA,), default="zebra"))
    assert saved().default == "zebra" and len(loads) == 2
    store.update_printers(PrinterSettings((ZEBRA,), default="virtual://zebra"))
    assert saved().default == "virtual://zebra" and len(loads) == 3
    saved()
    assert len(loads) == 3
