"""Live updates: a write at another desk (another connection) reaches a follower within 1 s on
both engines, a transaction that only reads raises nothing, and on PostgreSQL a dropped
connection is reported and recovered by itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from app.services.live_updates import LiveState, LiveUpdates
from app.store import Store, open_store
from tests.services.purchase_world import seed, us_order


@pytest.fixture
def other_desk(store: Store, tmp_path: Path) -> Iterator[Store]:
    """The same database through its own engine, as another desk's process would have."""
    opened = open_store(store.target, anchor=tmp_path / "other.local")
    yield opened
    opened.close()


def test_a_change_at_another_desk_is_seen_within_a_second(store: Store, other_desk: Store) -> None:
    seen: list[int] = []
    changed = threading.Event()

    def on_change(value: int) -> None:
        seen.append(value)
        changed.set()

    live = LiveUpdates(store, on_change=on_change, wait_seconds=0.5)
    live.start()
    try:
        time.sleep(0.3)  # the follower is waiting (on PostgreSQL: listening)
        started = time.monotonic()
        seed(other_desk, [us_order(1)])
        assert changed.wait(5)
        elapsed = time.monotonic() - started
        assert elapsed < 1.0, elapsed
        assert live.connected
    finally:
        live.stop()


def test_a_transaction_that_only_reads_changes_nothing(store: Store) -> None:
    watcher = store.watcher()
    try:
        before = watcher.current()
        with store.transaction(write=True) as tx:
            tx.orders.count()
        with store.transaction():
            pass
        assert watcher.current() == before
        seed(store, [us_order(2)])
        assert watcher.current() > before
    finally:
        watcher.close()


def test_a_dropped_server_connection_is_reported_and_recovered(pg_url: str, tmp_path: Path) -> None:
    store = open_store(pg_url, anchor=tmp_path / "pg.local")
    states: list[LiveState] = []
    live = LiveUpdates(
        store, on_change=lambda _v: None, on_connection=states.append, wait_seconds=0.3
    )
    try:
        live.step()
        assert live.connected
        # The server ends this desk's listening connection (a restart, a network cut).
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE query LIKE 'LISTEN%%' AND datname = current_database()"
            )
        lost = live.step()
        assert not lost.connected and "connection" in lost.message.lower()
        back = live.step()
        assert back.connected
        assert [s.connected for s in states] == [False, True]
    finally:
        live.stop()
        store.close()
