"""Back up the profile's database while the app runs (Setup panel, "Back up database")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.services.clock import Clock, utc_now
from app.store.backup import backup_database


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A finished backup: where it went, how big it is, when it was taken (UTC)."""

    path: Path
    size_bytes: int
    at: datetime


class DatabaseBackupService:
    """Copies the database into the profile's backups folder, one file per backup."""

    def __init__(self, database: Path, backups: Path, clock: Clock = utc_now) -> None:
        self.database = database
        self.backups = backups
        self._clock = clock

    def backup(self, target: Path | None = None) -> BackupResult:
        """Copy the database (to `target`, or a time-stamped file in the backups folder)."""
        at = self._clock()
        if target is None:
            stamp = at.strftime("%Y%m%d-%H%M%S")
            target = self.backups / f"{self.database.stem}-{stamp}.sqlite3"
            n = 1
            while target.exists():  # two backups in one second
                n += 1
                target = self.backups / f"{self.database.stem}-{stamp}-{n}.sqlite3"
        return BackupResult(target, backup_database(self.database, target), at)
