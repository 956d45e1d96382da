"""The printers section of a profile's settings, as Buy & print and the Print queue read it."""

from __future__ import annotations

from typing import Protocol

from app.infra.settings import PrinterSettings


class PrinterSettingsStore(Protocol):
    """Reads and saves the printers section (SettingsPrinters below, over SettingsStore)."""

    def load(self) -> PrinterSettings: ...

    def save(self, printers: PrinterSettings) -> PrinterSettings: ...


class _SettingsStoreLike(Protocol):
    def load(self) -> object: ...

    def update_printers(self, printers: PrinterSettings) -> object: ...


class SettingsPrinters:
    """The printers section of a profile's settings file (app.infra.settings.SettingsStore)."""

    def __init__(self, store: _SettingsStoreLike) -> None:
        self._store = store

    def load(self) -> PrinterSettings:
        printers = getattr(self._store.load(), "printers", None)
        return printers if isinstance(printers, PrinterSettings) else PrinterSettings()

    def save(self, printers: PrinterSettings) -> PrinterSettings:
        saved = getattr(self._store.update_printers(printers), "printers", printers)
        return saved if isinstance(saved, PrinterSettings) else printers
