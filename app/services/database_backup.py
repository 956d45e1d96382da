"""Back up the profile's database while the app runs (Setup panel, "Back up database")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.domain.errors import AppError, ErrorKind
from app.services.clock import Clock, utc_now
from app.store.backup import backup_database


@dataclass(frozen=True, slots=True)
class BackupResult:
    """A finished backup: where it went, how big it is, when it was taken (UTC)."""

    path: Path
    size_bytes: int
    at: datetime


class DatabaseBackupService:
    """Copies the database into the profile's backups folder, one file per backup.

    On a PostgreSQL profile there is no file to copy: `pg_dump_command` is the line that backs
    the server database up (app.services.database_location), and backup() says it.
    """

    def __init__(
        self,
        database: Path,
        backups: Path,
        clock: Clock = utc_now,
        *,
        pg_dump_command: str | None = None,
    ) -> None:
        self.database = database
        self.backups = backups
        self._clock = clock
        self.pg_dump_command = pg_dump_command

    def backup(self, target: Path | None = None) -> BackupResult:
        """Copy the database (to `target`, or a time-stamped file in the backups folder).

        Raises:
            AppError: INVALID_INPUT on a PostgreSQL profile, with the pg_dump line as the hint.
        """
        if self.pg_dump_command is not None:
            raise AppError(
                "This profile's database is on a PostgreSQL server: back it up with pg_dump "
                "(on the server, or on any PC with PostgreSQL's client tools).",
                hint=f"Run: {self.pg_dump_command}   (pg_dump reads the password from "
                "~/.pgpass or asks for it; docs/MULTI-DESK.md has a schedule and the restore).",
                kind=ErrorKind.INVALID_INPUT,
                details={"command": self.pg_dump_command},
            )
        at = self._clock()
        if target is None:
            stamp = at.strftime("%Y%m%d-%H%M%S")
            target = self.backups / f"{self.database.stem}-{stamp}.sqlite3"
            n = 1
            while target.exists():  # two backups in one second
                n += 1
                target = self.backups / f"{self.database.stem}-{stamp}-{n}.sqlite3"
        return BackupResult(target, backup_database(self.database, target), at)
