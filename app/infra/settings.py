"""Per-profile settings: a typed dataclass with defaults, stored as JSON, saved atomically.

Never holds secrets: the API key lives in the keyring (app.infra.secrets).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address

SETTINGS_VERSION = 1


class EasyPostMode(StrEnum):
    """Which EasyPost the profile talks to."""

    PRODUCTION = "production"  # real postage, real money
    TEST = "test"  # EasyPost's test mode (test key, free, no real labels)
    SANDBOX = "sandbox"  # the offline sandbox in this app


@dataclass(frozen=True, slots=True)
class EasyPostSettings:
    """How to reach EasyPost and what to send by default."""

    mode: EasyPostMode = EasyPostMode.TEST
    api_base: str = ""  # empty: EasyPost's own (or the sandbox's when mode is sandbox)
    from_address: Address | None = None  # the desk's return address
    from_address_id: str = ""  # its EasyPost `adr_` id once created (per mode)
    customs_signer: str = ""
    label_format: str = "PNG"
    concurrency: int = 8  # label purchases in flight
    rate_concurrency: int = 48  # rate quotes in flight (bench/bench_rates.py)
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 20.0
    write_timeout_s: float = 60.0


DEMO_PRINTER_URI = "virtual://demo"  # the default printer until one is configured


@dataclass(frozen=True, slots=True)
class ConfiguredPrinter:
    """A printer the desk knows by name; `model` empty means detect it (USB, TCP Zebra)."""

    name: str
    uri: str
    model: str = ""
    label_format: str = ""  # what to buy for this printer (PNG, ZPL, EPL2); "" = the profile's
    media: str = ""  # the labels loaded, e.g. "4x6 roll"; "" = 4x6


@dataclass(frozen=True, slots=True)
class PrinterSettings:
    """The configured label printers and which one prints when none is named."""

    configured: tuple[ConfiguredPrinter, ...] = ()
    default: str = ""  # a configured name or a URI; empty: DEMO_PRINTER_URI

    def find(self, name_or_uri: str) -> ConfiguredPrinter | None:
        """The configured printer called `name_or_uri` or at that URI (names first)."""
        for printer in self.configured:
            if printer.name == name_or_uri:
                return printer
        for printer in self.configured:
            if printer.uri == name_or_uri:
                return printer
        return None

    def resolve(self, name_or_uri: str | None = None) -> ConfiguredPrinter:
        """The printer to use: by name, by URI (configured or not), else the default.

        Raises:
            AppError: NOT_FOUND for a name that is neither configured nor a URI.
        """
        wanted = name_or_uri or self.default or DEMO_PRINTER_URI
        found = self.find(wanted)
        if found is not None:
            return found
        if "://" in wanted:
            return ConfiguredPrinter(name=wanted, uri=wanted)
        known = ", ".join(p.name for p in self.configured) or "none configured"
        raise AppError(
            f"There is no printer called {wanted!r} (known: {known}).",
            hint="Add it with `packdesk-cli printers add NAME URI`, or give a URI such as "
            "usb://0a5f:0185 or tcp://192.168.1.50:9100 (another station's printer: NAME@STATION, "
            "see `packdesk-cli printers list --all-stations`).",
            kind=ErrorKind.NOT_FOUND,
            details={"printer": wanted},
        )


@dataclass(frozen=True, slots=True)
class DeskDefaults:
    """What this desk starts from: its name in the audit log and what new groups are offered."""

    station: str = ""  # empty: $PACKDESK_STATION or the host name
    package_type: str = ""  # offered for new package groups ("" = none)
    domestic_service: str = "GroundAdvantage"
    international_service: str = "FirstClassPackageInternationalService"
    refund_reminder_days: int = 7


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of a profile. Sections this version does not know are kept as they were."""

    easypost: EasyPostSettings = field(default_factory=EasyPostSettings)
    printers: PrinterSettings = field(default_factory=PrinterSettings)
    desk: DeskDefaults = field(default_factory=DeskDefaults)
    other: dict[str, Any] = field(default_factory=dict)  # other sections, verbatim


def _address_from_json(data: Any) -> Address | None:
    if not isinstance(data, dict):
        return None
    known = {f.name for f in dataclasses.fields(Address)}
    return Address(**{k: str(v) for k, v in data.items() if k in known})


def _easypost_from_json(data: dict[str, Any]) -> EasyPostSettings:
    defaults = EasyPostSettings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(EasyPostSettings):
        if f.name not in data:
            continue
        raw = data[f.name]
        if f.name == "mode":
            values["mode"] = EasyPostMode(raw)
        elif f.name == "from_address":
            values["from_address"] = _address_from_json(raw)
        elif isinstance(getattr(defaults, f.name), bool):
            values[f.name] = bool(raw)
        elif isinstance(getattr(defaults, f.name), int):
            values[f.name] = int(raw)
        elif isinstance(getattr(defaults, f.name), float):
            values[f.name] = float(raw)
        else:
            values[f.name] = "" if raw is None else str(raw)
    return dataclasses.replace(defaults, **values)


def _printers_from_json(data: Any) -> PrinterSettings:
    if not isinstance(data, dict):
        raise ValueError("'printers' must be an object")
    entries = data.get("configured") or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError("'printers.configured' must be a list of objects")
    configured = tuple(
        ConfiguredPrinter(
            name=str(entry.get("name") or ""),
            uri=str(entry.get("uri") or ""),
            model=str(entry.get("model") or ""),
            label_format=str(entry.get("label_format") or ""),
            media=str(entry.get("media") or ""),
        )
        for entry in entries
    )
    return PrinterSettings(configured=configured, default=str(data.get("default") or ""))


def _printers_to_json(printers: PrinterSettings) -> dict[str, Any]:
    # Only what is set, so a file someone wrote by hand keeps its shape.
    out: dict[str, Any] = {}
    if printers.configured:
        out["configured"] = [
            {
                "name": p.name,
                "uri": p.uri,
                **{k: v for k in ("model", "label_format", "media") if (v := getattr(p, k))},
            }
            for p in printers.configured
        ]
    if printers.default:
        out["default"] = printers.default
    return out


def _desk_from_json(data: Any) -> DeskDefaults:
    if not isinstance(data, dict):
        raise ValueError("'desk' must be an object")
    defaults = DeskDefaults()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(DeskDefaults):
        if f.name in data:
            kind = type(getattr(defaults, f.name))
            values[f.name] = kind(data[f.name] if data[f.name] is not None else kind())
    return dataclasses.replace(defaults, **values)


_KNOWN_SECTIONS = {"easypost", "printers", "desk", "version"}


def settings_from_json(data: dict[str, Any]) -> Settings:
    """Build Settings from parsed JSON (unknown keys in known sections are ignored)."""
    other = {k: v for k, v in data.items() if k not in _KNOWN_SECTIONS}
    easypost = data.get("easypost") or {}
    if not isinstance(easypost, dict):
        raise ValueError("'easypost' must be an object")
    printers = _printers_from_json(data.get("printers") or {})
    desk = _desk_from_json(data.get("desk") or {})
    return Settings(
        easypost=_easypost_from_json(easypost), printers=printers, desk=desk, other=other
    )


def settings_to_json(settings: Settings) -> dict[str, Any]:
    easypost = dataclasses.asdict(settings.easypost)
    easypost["mode"] = settings.easypost.mode.value
    printers = _printers_to_json(settings.printers)
    desk = dataclasses.asdict(settings.desk)
    return {
        "version": SETTINGS_VERSION,
        **settings.other,
        "easypost": easypost,
        **({"printers": printers} if printers else {}),
        **({"desk": desk} if settings.desk != DeskDefaults() else {}),
    }


class SettingsStore:
    """Reads and writes one profile's settings file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Settings:
        """The saved settings, or the defaults when there is no file yet.

        Raises:
            AppError: INVALID_INPUT naming the file when it is not valid settings JSON.
        """
        try:
            text = self.path.read_text(encoding="utf-8")
        except (FileNotFoundError, NotADirectoryError):
            # No file yet (or --home names a file: creating the profile folder then says so).
            return Settings()
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return settings_from_json(data)
        except (ValueError, TypeError) as error:
            raise AppError(
                f"The settings file {self.path} cannot be read: {error}.",
                hint="Fix the file by hand or delete it to start from the defaults.",
                kind=ErrorKind.INVALID_INPUT,
                details={"path": str(self.path)},
            ) from error

    def save(self, settings: Settings) -> None:
        """Write atomically: a crash leaves the old file or the new one, never half of one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(settings_to_json(settings), indent=2, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=".settings-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(payload + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            Path(tmp).replace(self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def update(self, **easypost_changes: Any) -> Settings:
        """Load, change EasyPost settings, save, and return the result."""
        current = self.load()
        changed = dataclasses.replace(
            current, easypost=dataclasses.replace(current.easypost, **easypost_changes)
        )
        self.save(changed)
        return changed

    def update_desk(self, **changes: Any) -> Settings:
        """Load, change the desk defaults, save, and return the result."""
        current = self.load()
        changed = dataclasses.replace(current, desk=dataclasses.replace(current.desk, **changes))
        self.save(changed)
        return changed

    def update_printers(self, printers: PrinterSettings) -> Settings:
        """Load, replace the printers section, save, and return the result."""
        changed = dataclasses.replace(self.load(), printers=printers)
        self.save(changed)
        return changed
