"""PostgreSQL: one set of revisions builds the models exactly, downgrades run, the URL's password
is never shown, a writer lock keeps read-then-write transactions whole, ids continue after bulk
inserts, and an unreachable server is a plain DATABASE error."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.domain.errors import AppError, ErrorKind
from app.domain.groups import group_id_for
from app.domain.items import Item
from app.store import OrderWrite, head_revision, open_store
from app.store.base import Base
from app.store.engine import make_engine
from app.store.migrate import alembic_config, current_revision
from app.store.postgres import is_postgres_url, postgres_url, redacted
from tests.pg_cluster import PgServer
from tests.services.factories import order


def test_models_equal_migrations_on_postgresql(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_an_empty_database_is_migrated_from_scratch_and_downgrades_run(
    pg_server: PgServer, tmp_path: Path
) -> None:
    name = pg_server.empty_database()
    try:
        store = open_store(pg_server.url(name), anchor=tmp_path / "pg.local")
        assert store.migration.created and store.migration.backup is None
        assert store.shared and store.engine_name == "postgresql"
        store.close()
        engine = make_engine(pg_server.url(name))
        try:
            with engine.connect() as connection, connection.begin():
                command.downgrade(alembic_config(connection), "0001")
            with engine.connect() as connection, connection.begin():
                command.upgrade(alembic_config(connection), "head")
            with engine.connect() as connection:
                assert current_revision(connection) == head_revision()
        finally:
            engine.dispose()
    finally:
        pg_server.drop(name)


def test_urls_are_recognised_and_passwords_never_shown() -> None:
    assert is_postgres_url("postgresql://desk@db.local:5432/campaign")
    assert is_postgres_url("postgres://desk@db/c")
    assert not is_postgres_url("/home/desk/packdesk.sqlite3")
    assert redacted("postgresql://desk:s3cret@db.local:5432/campaign") == (
        "postgresql://desk@db.local:5432/campaign"
    )
    url = postgres_url("postgresql://desk@db/c", password="pw")
    assert url.drivername == "postgresql+psycopg" and url.password == "pw"
    assert "pw" not in str(url)


def test_an_unreachable_server_is_a_database_error_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(AppError) as refused:
        open_store(
            "postgresql://desk:s3cret@127.0.0.1:1/campaign",
            password="s3cret",
            anchor=tmp_path / "pg.local",
        )
    assert refused.value.kind is ErrorKind.DATABASE
    text = f"{refused.value.message} {refused.value.hint} {refused.value.details}"
    assert "s3cret" not in text
    assert "MULTI-DESK" in refused.value.hint


def test_write_transactions_take_turns_like_sqlite_immediate(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url, anchor=tmp_path / "pg.local")
    try:
        order: list[str] = []
        inside = threading.Event()

        def first() -> None:
            with store.transaction(write=True) as tx:
                tx.orders.count()  # the lock is taken with the first statement, as on SQLite
                inside.set()
                time.sleep(0.3)
                order.append("first done")

        worker = threading.Thread(target=first)
        worker.start()
        inside.wait(5)
        with store.transaction(write=True) as tx:
            tx.orders.count()
            order.append("second began")
        worker.join()
        assert order == ["first done", "second began"]
        with store.transaction() as tx:  # a reader never waits for the writer lock
            assert tx.orders.count() == 0
    finally:
        store.close()


def test_a_write_to_a_desks_own_rows_does_not_queue_behind_the_writer_lock(
    pg_url: str, tmp_path: Path
) -> None:
    """A claimed order's journal step (own_rows) never waits for another desk's writer lock."""
    store = open_store(pg_url, anchor=tmp_path / "pg.local")
    try:
        order: list[str] = []
        inside = threading.Event()

        def locked() -> None:
            with store.transaction(write=True) as tx:
                tx.orders.count()
                inside.set()
                time.sleep(0.5)
                order.append("writer done")

        worker = threading.Thread(target=locked)
        worker.start()
        inside.wait(5)
        with store.transaction(write=True, own_rows=True) as tx:
            tx.orders.count()
            order.append("own rows written")
        worker.join()
        assert order == ["own rows written", "writer done"]
    finally:
        store.close()


def test_one_order_writes_run_side_by_side_but_never_beside_a_writer(
    pg_url: str, tmp_path: Path
) -> None:
    """Desks' intents and bought steps share the writer lock; an import or a hold excludes them."""
    store = open_store(pg_url, anchor=tmp_path / "pg.local")
    try:
        order: list[str] = []
        inside = threading.Event()

        def one_order() -> None:
            with store.transaction(write=True, one_order=True) as tx:
                tx.orders.count()
                inside.set()
                time.sleep(0.5)
                order.append("first order done")

        worker = threading.Thread(target=one_order)
        worker.start()
        inside.wait(5)
        with store.transaction(write=True, one_order=True) as tx:
            tx.orders.count()
            order.append("second order written")
        worker.join()
        inside.clear()
        worker = threading.Thread(target=one_order)
        worker.start()
        inside.wait(5)
        with store.transaction(write=True) as tx:  # a decider (import, hold) waits
            tx.orders.count()
            order.append("writer began")
        worker.join()
        assert order == [
            "second order written",
            "first order done",
            "first order done",
            "writer began",
        ]
    finally:
        store.close()


def test_bulk_inserted_ids_are_followed_by_the_sequence(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url, anchor=tmp_path / "pg.local")
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    try:
        with store.transaction(write=True) as tx:
            tx.items.insert_many([Item("TEE-M")])
            ids = tx.orders.insert_many([_write(f"A{n}") for n in range(3)], now)
        assert ids == [1, 2, 3]
        with store.transaction(write=True) as tx:
            assert tx.orders.insert_many([_write("B1")], now) == [4]
        with store.engine.connect() as connection:
            nextval = connection.exec_driver_sql(
                "SELECT nextval(pg_get_serial_sequence('orders', 'id'))"
            ).scalar()
        assert nextval == 5
    finally:
        store.close()


def _write(external_id: str) -> OrderWrite:
    made = order(external_id)
    return OrderWrite(made, f"hash-{external_id}", group_id_for(made.item_multiset))


def test_a_connection_dropped_mid_transaction_rolls_back_and_the_next_one_reconnects(
    pg_url: str, tmp_path: Path
) -> None:
    import psycopg

    from app.domain.errors import AppError, ErrorKind

    store = open_store(pg_url, anchor=tmp_path / "pg.local")
    try:
        # The store turns a dropped connection into a DATABASE AppError (app.store.db_errors).
        with pytest.raises(AppError) as dropped, store.transaction(write=True) as tx:
            tx.items.insert_many([Item("TEE-M")])
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            tx.items.insert_many([Item("TEE-L")])
        assert dropped.value.kind is ErrorKind.DATABASE
        with store.transaction() as tx:  # a fresh connection (pre-ping): nothing was kept
            assert tx.items.get("TEE-M") is None
    finally:
        store.close()


def test_an_index_written_for_sqlite_only_is_partial_on_postgresql(pg_url: str) -> None:
    """Revisions from other branches name `sqlite_where` only; PostgreSQL must not build a full
    unique index from them (it would refuse a second, superseded label of one order)."""
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql

    metadata = sa.MetaData()
    table = sa.Table("t", metadata, sa.Column("id", sa.Integer, primary_key=True))
    index = sa.Index("ix_t", table.c.id, unique=True, sqlite_where=sa.text("id > 1"))
    ddl = str(sa.schema.CreateIndex(index).compile(dialect=postgresql.dialect()))
    assert ddl.endswith("WHERE id > 1")
    engine = make_engine(pg_url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'uq_%%'"
            ).fetchall()
    finally:
        engine.dispose()
    partial = {str(row[0]): str(row[1]) for row in rows}
    assert "WHERE" in partial["uq_labels_live_order"]
    assert "WHERE" in partial["uq_purchases_open_order"]
