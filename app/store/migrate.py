"""Bring a database file to the schema this app knows: create, back up and upgrade, or refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DatabaseError

from app.domain.errors import AppError, ErrorKind
from app.store.engine import backup_database

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where it is used: it costs ~0.3 s, and the window starts without opening
# the database (it opens on a worker, when a panel first needs it).

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

#: The advisory lock a PostgreSQL upgrade holds (a different key from the writer lock).
MIGRATION_LOCK_KEY = 0x5041434D


@dataclass(frozen=True, slots=True)
class MigrationOutcome:
    """What opening the database did to its schema."""

    previous_revision: str | None  # None: the file was new (or empty)
    revision: str
    backup: Path | None = None

    @property
    def created(self) -> bool:
        return self.previous_revision is None

    @property
    def upgraded(self) -> bool:
        return self.previous_revision not in (None, self.revision)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for the packaged migrations, sharing `connection` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this app ships."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations are packaged")
    return head


def known_revisions() -> frozenset[str]:
    """Every revision this app ships."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return frozenset(rev.revision for rev in script.walk_revisions())


def current_revision(connection: Connection) -> str | None:
    """The database's revision, or None when it has never been migrated."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _database_error(path: Path, error: DatabaseError) -> AppError:
    reason = str(error.orig or error).splitlines()[0] if str(error.orig or error) else ""
    return AppError(
        f"Cannot open the database {path}: {reason or type(error).__name__}",
        hint="Check that the file is a Packdesk database and not locked by another program; "
        "choose another file with --db.",
        kind=ErrorKind.DATABASE,
        details={"path": str(path)},
    )


_REVISION = re.compile(r"""^revision(?::[^=\n]*)?\s*=\s*["']([^"'\n]+)["']\s*$""", re.M)
_DOWN_REVISION = re.compile(
    r"""^down_revision(?::[^=\n]*)?\s*=\s*(?:None|["']([^"'\n]+)["'])\s*$""", re.M
)


def shipped_head_cheaply() -> str | None:
    """The newest revision read from the migration files' plain `revision` and `down_revision`
    lines, without importing Alembic (~13 MB and ~0.3 s of a window's start); None when the
    files are not that plain (merges, a missing line) or the chain has not one head: then
    Alembic decides."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for file in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        if file.name == "__init__.py":
            continue
        text = file.read_text(encoding="utf-8")
        revision, parent = _REVISION.search(text), _DOWN_REVISION.search(text)
        if revision is None or parent is None:
            return None
        revisions.add(revision.group(1))
        if parent.group(1):
            parents.add(parent.group(1))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _already_at_head(engine: Engine) -> str | None:
    """The head revision when the database is at it (the usual open), read without Alembic;
    None for anything else (new, older, newer, foreign or unreadable: the full path words it)."""
    head = shipped_head_cheaply()
    if head is None:
        return None
    try:
        with engine.connect() as connection:
            try:
                rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
            except DatabaseError:  # no such table, not a database: the full path words it
                return None
    except DatabaseError:
        if engine.dialect.name != "sqlite":
            raise  # an unreachable server: worded by app.store.store._open_server, as before
        return None
    return head if [tuple(row) for row in rows] == [(head,)] else None


def migrate_database(engine: Engine, path: Path) -> MigrationOutcome:
    """Create the schema in a new file, or back up and upgrade an older one.

    Raises:
        AppError: (kind DATABASE) for a file written by a newer Packdesk, a SQLite file that is
            not a Packdesk database, or a file that is not SQLite at all.
    """
    current = _already_at_head(engine)
    if current is not None:
        return MigrationOutcome(current, current)
    from alembic.util.exc import CommandError  # Alembic loads only when a database opens

    head = head_revision()
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            previous = current_revision(connection)
    except DatabaseError as error:
        if engine.dialect.name != "sqlite":
            raise  # the server's own caller words it (app.store.store._open_server)
        raise _database_error(path, error) from error
    except CommandError:  # alembic_version holds more than one row
        raise AppError(
            f"The database {path} records more than one schema version, so it cannot be "
            "upgraded safely.",
            hint="Nothing was changed. Restore the latest backup (a .bak file beside it), or "
            "keep only the newest row in its alembic_version table.",
            kind=ErrorKind.DATABASE,
            details={"path": str(path)},
        ) from None
    if previous is None and tables - {"alembic_version"}:
        raise AppError(
            f"{path} is a database but not a Packdesk database.",
            hint="Choose another file with --db, or move this one away.",
            kind=ErrorKind.DATABASE,
            details={"path": str(path), "tables": sorted(tables)},
        )
    if previous == head:
        return MigrationOutcome(previous, head)
    if previous is not None and previous not in known_revisions():
        raise AppError(
            f"The database {path} was written by a newer Packdesk (schema {previous}).",
            hint=f"Update Packdesk, or use another database with --db (this version knows "
            f"schemas up to {head}).",
            kind=ErrorKind.DATABASE,
            details={"path": str(path), "revision": previous, "head": head},
        )
    backup = None
    if previous is not None and engine.dialect.name == "sqlite":
        # PostgreSQL is backed up by its own tools (pg_dump, docs/MULTI-DESK.md).
        backup = _free_backup_path(path, previous)
        backup_database(path, backup)
    try:
        _upgrade(engine, path)
    except BaseException as error:
        # The upgrade is one transaction and was rolled back: the file is as it was, so the
        # copy just made is not needed (a retry would otherwise leave one more each time).
        if backup is not None:
            backup.unlink(missing_ok=True)
        if isinstance(error, DatabaseError) and previous is None:
            raise _database_error(path, error) from None
        if isinstance(error, DatabaseError):
            raise AppError(
                f"The database {path} says it is at schema {previous}, but its tables do not "
                f"match that version, so it cannot be upgraded ({type(error.orig).__name__}: "
                f"{str(error.orig)[:120]}).",
                hint="Nothing was changed. Restore the latest backup (a .bak file beside it), "
                "or use another database with --db.",
                kind=ErrorKind.DATABASE,
                details={"path": str(path), "revision": previous, "head": head},
            ) from None
        raise
    return MigrationOutcome(previous, head, backup)


def _free_backup_path(path: Path, revision: str) -> Path:
    candidate = path.with_name(f"{path.name}.bak-{revision}")
    counter = 1
    while candidate.exists():
        counter += 1
        candidate = path.with_name(f"{path.name}.bak-{revision}-{counter}")
    return candidate


def _upgrade(engine: Engine, path: Path) -> None:
    if engine.dialect.name != "sqlite":
        _upgrade_server(engine)
        return
    from alembic import command

    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        # Batch migrations recreate tables; with foreign keys on, dropping a parent table would
        # cascade-delete its children. The pragma is a no-op inside a transaction, so set it first.
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():  # one transaction: all revisions or none
                command.upgrade(alembic_config(connection), "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise AppError(
                        f"Upgrading {path} would leave {len(broken)} broken references.",
                        hint="Nothing was changed; report this as a bug with the database file.",
                        kind=ErrorKind.DATABASE,
                        details={"path": str(path), "first": [list(row) for row in broken[:5]]},
                    )
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _upgrade_server(engine: Engine) -> None:
    # PostgreSQL has transactional DDL and real ALTER TABLE: one transaction, all or nothing.
    # The advisory lock keeps two desks that start at once from migrating side by side.
    from alembic import command

    with engine.connect() as connection, connection.begin():
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        if current_revision(connection) != head_revision():
            command.upgrade(alembic_config(connection), "head")
