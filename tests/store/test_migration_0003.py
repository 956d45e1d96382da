"""Revision 0003 (fulfilment): upgrades a 0002 file with its data, and the database itself
refuses a second live label and a second open purchase for one order."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LabelStatus, PurchaseState
from app.store import Store, open_store
from app.store.engine import make_engine
from app.store.labels_repo import NewLabel
from app.store.migrate import alembic_config

NOW = datetime(2026, 11, 25, 12, 0, 0)


def _make_at_revision(path: Path, revision: str) -> None:
    engine = make_engine(path)
    try:
        with engine.connect() as connection, connection.begin():
            command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def _insert_order(connection: sqlite3.Connection, order_id: int, status: str) -> None:
    connection.execute(
        "INSERT INTO orders (id, source, external_id, status, recipient_name, company,"
        " street1, street2, city, state, postal_code, country, email, phone, notes,"
        " extra_json, tracking_code, content_hash, group_id, created_at, updated_at,"
        " held_from_status) VALUES (?, 'shopify', ?, ?, 'Ann Lee', '', '1 Main St', '',"
        " 'Boston', 'MA', '02110', 'US', '', '', '', '{}', NULL, 'h', 'G-1',"
        " '2026-01-01 00:00:00', '2026-01-01 00:00:00', NULL)",
        (order_id, f"#{order_id}", status),
    )


@pytest.fixture
def upgraded(tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "v2.sqlite3"
    _make_at_revision(path, "0002")
    with sqlite3.connect(path) as connection:
        _insert_order(connection, 1, "ready_to_ship")
        _insert_order(connection, 2, "on_hold")
        connection.execute(
            "INSERT INTO package_types (name, predefined, length_in, width_in, height_in,"
            " empty_weight_oz, machinable, irregular) VALUES ('Box S', NULL, '8', '6', '4',"
            " '3', 1, 0)"
        )
        connection.execute(
            "INSERT INTO package_group_settings (group_id, package_type_id, service, updated_at)"
            " VALUES ('G-1', 1, 'GroundAdvantage', '2026-01-01 00:00:00')"
        )
    connection.close()
    store = open_store(path)
    yield store
    store.close()


def _new_batch(store: Store) -> int:
    with store.transaction(write=True) as tx:
        return tx.batches.create(
            now=NOW,
            station="desk-1",
            user="ann",
            package_type_id=1,
            service_choice="cheapest",
            concurrency=8,
        ).id


def _label(order_id: int, n: int, batch_id: int) -> NewLabel:
    return NewLabel(
        order_id=order_id,
        shipment_id=f"shp_{n}",
        tracking_code=f"9400100000000000000{n:03d}",
        service="GroundAdvantage",
        amount_usd=Decimal("5.25"),
        label_format="ZPL",
        bought_at=NOW,
        batch_id=batch_id,
    )


def test_upgrade_from_0002_keeps_data_and_adds_the_fulfilment_tables(upgraded: Store) -> None:
    assert upgraded.migration.previous_revision == "0002"
    assert upgraded.migration.upgraded
    with upgraded.transaction() as tx:
        order = tx.orders.get(2)
        assert order is not None and order.recipient.name == "Ann Lee"
        assert tx.orders.status_rows(order_ids=[2])[0].status == "on_hold"
        assert tx.groups.settings()["G-1"].service == "GroundAdvantage"
        assert tx.labels.list() == []
        assert tx.purchases.open_purchases() == []
        assert tx.batches.list() == []
        assert tx.audit.list() == []
    with upgraded.engine.connect() as connection:
        columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(orders)")}
        assert {"shipped_at", "shipped_station", "delivered_at"} <= columns
        shipped = connection.exec_driver_sql("SELECT shipped_at FROM orders WHERE id = 1")
        assert shipped.scalar() is None


def test_batch_references_count_up_per_day(upgraded: Store) -> None:
    first, second = _new_batch(upgraded), _new_batch(upgraded)
    with upgraded.transaction() as tx:
        one, two = tx.batches.get(first), tx.batches.get(second)
    assert one is not None and two is not None
    assert (one.reference, two.reference) == ("B-20261125-001", "B-20261125-002")


def test_database_refuses_a_second_live_label_for_one_order(upgraded: Store) -> None:
    batch_id = _new_batch(upgraded)
    with upgraded.transaction(write=True) as tx:
        first = tx.labels.add(_label(1, 1, batch_id))
    with pytest.raises(AppError) as caught, upgraded.transaction(write=True) as tx:
        tx.labels.add(_label(1, 2, batch_id))
    assert caught.value.kind is ErrorKind.CONFLICT
    # Below the repository, too: raw SQL is refused by the partial unique index.
    with sqlite3.connect(upgraded.path) as raw, pytest.raises(sqlite3.IntegrityError):
        raw.execute(
            "INSERT INTO labels (order_id, shipment_id, tracking_code, service, amount_usd,"
            " label_format, bought_at, status, from_address_key) VALUES"
            " (1, 'shp_raw', 'T-raw', 'Priority', '9', 'PNG', '2026-01-01', 'refund_submitted', '')"
        )
    raw.close()
    # Once refunded, the order may hold a new live label.
    with upgraded.transaction(write=True) as tx:
        tx.labels.update(first.id, status=LabelStatus.REFUNDED)
        second = tx.labels.add(_label(1, 3, batch_id))
    with upgraded.transaction() as tx:
        assert [label.id for label in tx.labels.for_order(1)] == [first.id, second.id]
        live = tx.labels.live_for_order(1)
        assert live is not None and live.id == second.id
        assert tx.labels.live_order_ids([1, 2]) == {1}
        assert tx.batches.spent(batch_id) == Decimal("10.50")


def test_database_refuses_a_second_open_purchase_for_one_order(upgraded: Store) -> None:
    batch_id = _new_batch(upgraded)
    with upgraded.transaction(write=True) as tx:
        first = tx.purchases.add_intent(order_id=1, batch_id=batch_id, reference="r-1", now=NOW)
    for state in (PurchaseState.CREATED, PurchaseState.BUYING, PurchaseState.UNKNOWN):
        with upgraded.transaction(write=True) as tx:
            tx.purchases.update(first.id, now=NOW, state=state)
        with pytest.raises(AppError) as caught, upgraded.transaction(write=True) as tx:
            tx.purchases.add_intent(order_id=1, batch_id=batch_id, reference="r-2", now=NOW)
        assert caught.value.kind is ErrorKind.CONFLICT
    # A closed attempt leaves room for the next one; other orders are independent.
    with upgraded.transaction(write=True) as tx:
        tx.purchases.update(first.id, now=NOW, state=PurchaseState.FAILED, error="refused")
        again = tx.purchases.add_intent(order_id=1, batch_id=batch_id, reference="r-3", now=NOW)
        tx.purchases.add_intent(order_id=2, batch_id=batch_id, reference="r-4", now=NOW)
    with upgraded.transaction() as tx:
        open_rows = tx.purchases.open_purchases(batch_id=batch_id)
        assert [row.reference for row in open_rows] == ["r-3", "r-4"]
        assert tx.purchases.open_for_order(1) == again
        failed = tx.purchases.get(first.id)
        assert failed is not None and failed.state is PurchaseState.FAILED
        assert failed.error == "refused"


def test_downgrade_from_0003_to_0002_runs(tmp_path: Path) -> None:
    path = tmp_path / "down.sqlite3"
    open_store(path).close()
    engine = make_engine(path)
    try:
        with engine.connect() as connection, connection.begin():
            command.downgrade(alembic_config(connection), "0002")
    finally:
        engine.dispose()
    with sqlite3.connect(path) as raw:
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    raw.close()
    assert "labels" not in tables and "orders" in tables
