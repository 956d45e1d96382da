"""A database at an older schema, made for upgrade checks, upgrades like a desk's would."""

from __future__ import annotations

from pathlib import Path

from app.store import head_revision, open_store
from app.store.older_schema import create_at_revision, oldest_revision


def test_oldest_schema_database_is_backed_up_and_upgraded_on_open(tmp_path: Path) -> None:
    path = tmp_path / "packdesk.sqlite3"
    create_at_revision(path, oldest_revision())

    store = open_store(path)
    try:
        migration = store.migration
    finally:
        store.close()

    assert migration.previous_revision == oldest_revision() == "0001"
    assert migration.revision == head_revision()
    assert migration.backup == tmp_path / "packdesk.sqlite3.bak-0001"
    assert migration.backup.is_file()
