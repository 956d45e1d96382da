"""Revision 0005 (the money core): an older file's batch spend tally is dropped and derived from
its labels, the lease table exists, `unrecorded` rows block a second purchase; it downgrades."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command

from app.store import open_store
from app.store.engine import make_engine
from app.store.migrate import alembic_config


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    engine = make_engine(path)
    try:
        with engine.connect() as connection, connection.begin():
            step = command.downgrade if down else command.upgrade
            step(alembic_config(connection), revision)
    finally:
        engine.dispose()


def test_upgrade_derives_spend_and_refuses_a_purchase_beside_an_unrecorded_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v4.sqlite3"
    _migrate(path, "0004")
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO orders (id, status, created_at, updated_at, source, external_id,"
            " recipient_name, company, street1, street2, city, state, postal_code, country,"
            " email, phone, notes, extra_json, content_hash, group_id) VALUES (1,"
            " 'label_purchased', '2026-01-01', '2026-01-01', 'shopify', '#1', 'A', '',"
            " '1 Main', '', 'Boston', 'MA',"
            " '02110', 'US', '', '', '', '{}', 'h', 'G-1')"
        )
        # A tally that drifted after a kill: it claims $0 while a label of $10.50 exists.
        raw.execute(
            "INSERT INTO batches (id, reference, created_at, station, user, status,"
            " service_choice, concurrency, spent_usd, selection_json) VALUES (1, 'B-1',"
            " '2026-01-01', 's', 'u', 'buying', '', 8, '0', '{}')"
        )
        raw.execute(
            "INSERT INTO labels (order_id, batch_id, shipment_id, tracking_code, service,"
            " amount_usd, label_format, bought_at, status, from_address_key) VALUES (1, 1,"
            " 'shp_1', 'T1', 'Priority', '10.50', 'PNG', '2026-01-01', 'live', '')"
        )
    raw.close()
    store = open_store(path)
    try:
        with store.transaction() as tx:
            assert tx.batches.spent(1) == Decimal("10.50")
            assert tx.lease.current() is None
    finally:
        store.close()
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(batches)")}
        assert "spent_usd" not in columns
        raw.execute(
            "INSERT INTO purchases (order_id, batch_id, reference, state, created_at,"
            " updated_at) VALUES (1, 1, 'r1', 'unrecorded', '2026-01-01', '2026-01-01')"
        )
        with pytest.raises(sqlite3.IntegrityError):
            raw.execute(
                "INSERT INTO purchases (order_id, batch_id, reference, state, created_at,"
                " updated_at) VALUES (1, 1, 'r2', 'intent', '2026-01-01', '2026-01-01')"
            )
        raw.execute("DELETE FROM purchases")
    raw.close()
    _migrate(path, "0004", down=True)
    with sqlite3.connect(path) as raw:
        assert "spent_usd" in {row[1] for row in raw.execute("PRAGMA table_info(batches)")}
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
        assert "buyer_lease" not in tables
    raw.close()
