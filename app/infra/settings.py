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


@dataclass(frozen=True, slots=True)
class Settings:
    """All settings of a profile. Sections this version does not know are kept as they were."""

    easypost: EasyPostSettings = field(default_factory=EasyPostSettings)
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


def settings_from_json(data: dict[str, Any]) -> Settings:
    """Build Settings from parsed JSON (unknown keys in known sections are ignored)."""
    other = {k: v for k, v in data.items() if k not in {"easypost", "version"}}
    easypost = data.get("easypost") or {}
    if not isinstance(easypost, dict):
        raise ValueError("'easypost' must be an object")
    return Settings(easypost=_easypost_from_json(easypost), other=other)


def settings_to_json(settings: Settings) -> dict[str, Any]:
    easypost = dataclasses.asdict(settings.easypost)
    easypost["mode"] = settings.easypost.mode.value
    return {"version": SETTINGS_VERSION, **settings.other, "easypost": easypost}


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
        except FileNotFoundError:
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
