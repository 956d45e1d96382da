"""Migrations: a new file is created at head, an older one is backed up and upgraded with its
data, a newer or foreign one is refused, and the models match the migrations exactly."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import OrderStatus
from app.store import head_revision, open_store
from app.store.base import Base
from app.store.engine import make_engine
from app.store.migrate import alembic_config, known_revisions


def _make_at_revision(path: Path, revision: str) -> None:
    engine = make_engine(path)
    try:
        with engine.connect() as connection, connection.begin():
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def _revision_of(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_there_are_at_least_two_revisions() -> None:
    assert {"0001", "0002"} <= known_revisions()
    assert head_revision() == max(known_revisions())


def test_new_database_is_created_at_head(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.sqlite3"
    store = open_store(path)
    try:
        assert store.migration.created
        assert store.migration.backup is None
        with store.transaction() as tx:
            assert tx.orders.count() == 0
    finally:
        store.close()
    assert _revision_of(path) == head_revision()
    assert list(tmp_path.glob("sub/*.bak-*")) == []


def test_pragmas_wal_foreign_keys_busy_timeout(tmp_path: Path) -> None:
    store = open_store(tmp_path / "p.sqlite3")
    try:
        with store.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        store.close()


def test_reopening_at_head_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "again.sqlite3"
    open_store(path).close()
    store = open_store(path)
    store.close()
    assert not store.migration.created and not store.migration.upgraded


def test_upgrade_from_first_revision_keeps_data_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _make_at_revision(path, "0001")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO items (sku, name, weight_oz, value_usd, hts_code, customs_description,"
            " origin_country, media_mail_eligible) VALUES ('TEE-M','Tee','5.5','20','','','',0)"
        )
        connection.execute(
            "INSERT INTO orders (id, source, external_id, status, recipient_name, company,"
            " street1, street2, city, state, postal_code, country, email, phone, notes,"
            " extra_json, tracking_code, content_hash, group_id, created_at, updated_at)"
            " VALUES (7, 'kickstarter', '1001', 'on_hold', 'Åsa Öberg', '', 'Gatan 1', '',"
            " 'Tyresö', '', '135 44', 'SE', '', '', 'fragile', '{}', NULL, 'abc', 'G-1',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        connection.execute(
            "INSERT INTO order_lines (order_id, position, sku, quantity) VALUES (7, 1, 'TEE-M', 2)"
        )
    connection.close()

    store = open_store(path)
    try:
        assert store.migration.previous_revision == "0001"
        assert store.migration.upgraded
        backup = store.migration.backup
        assert backup is not None and backup.name == "old.sqlite3.bak-0001"
        with store.transaction() as tx:
            order = tx.orders.get(7)
            assert order is not None
            assert order.recipient.name == "Åsa Öberg"
            assert order.status is OrderStatus.ON_HOLD
            assert [(line.sku, line.quantity) for line in order.lines] == [("TEE-M", 2)]
            assert tx.items.get("TEE-M") is not None
            # The revision-2 column exists and starts empty.
            assert tx.orders.status_rows(order_ids=[7])[0].held_from is None
    finally:
        store.close()
    assert _revision_of(path) == head_revision()
    assert _revision_of(backup) == "0001"
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT recipient_name FROM orders").fetchone() == ("Åsa Öberg",)
    old.close()


def test_second_backup_does_not_overwrite_the_first(tmp_path: Path) -> None:
    path = tmp_path / "twice.sqlite3"
    (tmp_path / "twice.sqlite3.bak-0001").write_bytes(b"an earlier backup")
    _make_at_revision(path, "0001")
    store = open_store(path)
    store.close()
    assert store.migration.backup == tmp_path / "twice.sqlite3.bak-0001-2"
    assert (tmp_path / "twice.sqlite3.bak-0001").read_bytes() == b"an earlier backup"


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    open_store(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999'")
    connection.close()
    before = path.read_bytes()
    with pytest.raises(AppError) as caught:
        open_store(path)
    assert caught.value.kind is ErrorKind.DATABASE
    assert "newer Packdesk" in caught.value.message
    assert "Update Packdesk" in caught.value.hint
    assert path.read_bytes() == before
    assert list(tmp_path.glob("*.bak-*")) == []


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    connection.close()
    with pytest.raises(AppError, match="not a Packdesk database") as caught:
        open_store(path)
    assert caught.value.kind is ErrorKind.DATABASE


def test_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("Backer Number,Backer Name\n" * 200)
    with pytest.raises(AppError, match="Cannot open the database") as caught:
        open_store(path)
    assert caught.value.kind is ErrorKind.DATABASE


def test_models_match_migrations(tmp_path: Path) -> None:
    path = tmp_path / "compare.sqlite3"
    open_store(path).close()
    engine = make_engine(path)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_downgrade_to_first_revision_works(tmp_path: Path) -> None:
    """Downgrades exist so a developer can step back; they must at least run."""
    path = tmp_path / "down.sqlite3"
    open_store(path).close()
    engine = make_engine(path)
    try:
        with engine.connect() as connection, connection.begin():
            command.downgrade(alembic_config(connection), "0001")
    finally:
        engine.dispose()
    assert _revision_of(path) == "0001"


def test_the_cheap_head_is_alembics_head() -> None:
    """A database at head opens without importing Alembic: its head must be Alembic's."""
    from app.store.migrate import head_revision, shipped_head_cheaply

    assert shipped_head_cheaply() == head_revision()
