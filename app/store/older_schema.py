"""A database file at an older schema: what an upgrade starts from (the self-test, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from app.store.engine import make_engine
from app.store.migrate import alembic_config


def oldest_revision() -> str:
    """The first schema revision this app ships."""
    base = ScriptDirectory.from_config(alembic_config()).get_base()
    if base is None:
        raise RuntimeError("no migrations are packaged")
    return str(base)


def create_at_revision(path: Path, revision: str) -> None:
    """Create a new database file at `path` with the schema of `revision` (no rows)."""
    engine = make_engine(path)
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()
