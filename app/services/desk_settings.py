"""Setup > Defaults: the desk's defaults, checked and saved (the station name applies at once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.infra.settings import DeskDefaults, Settings

LABEL_FORMATS = ("PNG", "PDF", "ZPL", "EPL2")
MAX_STATION_LENGTH = 40  # it is printed in every audit line and report


class _SettingsFile(Protocol):
    def load(self) -> Settings: ...

    def update(self, **easypost_changes: object) -> Settings: ...

    def update_desk(self, **changes: object) -> Settings: ...


class DeskSettingsService:
    """Reads and saves the desk defaults and the profile's label format."""

    def __init__(
        self, settings: _SettingsFile, set_station: Callable[[str], None] | None = None
    ) -> None:
        self._settings = settings
        self._set_station = set_station  # the running audit log's station, if there is one

    def load(self) -> Settings:
        return self._settings.load()

    def save(self, desk: DeskDefaults, label_format: str) -> Settings:
        """Check and save; AppError INVALID_INPUT naming the field that is wrong."""
        station = " ".join(desk.station.split())
        if len(station) > MAX_STATION_LENGTH or any(not ch.isprintable() for ch in station):
            raise AppError(
                f"A station name is at most {MAX_STATION_LENGTH} printable characters.",
                hint="Use a short name such as 'Desk 1'.",
                kind=ErrorKind.INVALID_INPUT,
                details={"field": "station"},
            )
        if not 1 <= desk.refund_reminder_days <= 30:
            raise AppError(
                f"Refund reminders after {desk.refund_reminder_days} days are not possible.",
                hint="USPS refunds unused labels up to 30 days old: use 1 to 30 days.",
                kind=ErrorKind.INVALID_INPUT,
                details={"field": "refund_reminder_days"},
            )
        fmt = label_format.strip().upper()
        if fmt not in LABEL_FORMATS:
            raise AppError(
                f"{label_format!r} is not a label format EasyPost offers.",
                hint="Use one of: " + ", ".join(LABEL_FORMATS),
                kind=ErrorKind.INVALID_INPUT,
                details={"field": "label_format"},
            )
        self._settings.update(label_format=fmt)
        saved = self._settings.update_desk(
            station=station,
            package_type=desk.package_type.strip(),
            domestic_service=desk.domestic_service,
            international_service=desk.international_service,
            refund_reminder_days=desk.refund_reminder_days,
        )
        if self._set_station is not None:
            self._set_station(station)
        return saved
