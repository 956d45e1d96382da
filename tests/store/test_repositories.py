"""Repositories on a real file: bulk rows read back exactly, constraints hold, lines follow."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderLine, OrderStatus, SourcePlatform
from app.domain.packages import PackageType
from app.store import OrderWrite, StatusChange, Store, open_store
from app.store.address_checks_repo import AddressCheck
from app.store.groups_repo import GroupSetting
from app.store.models import OrderLineRow, OrderRow

NOW = datetime(2026, 11, 25, 9, 30, 15, 123456)


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    opened = open_store(db_target, anchor=tmp_path / "pg.local")  # SQLite and PostgreSQL
    yield opened
    opened.close()


def _order(ext: str, lines: tuple[tuple[str, int], ...] = (("TEE", 1),), **extra: str) -> Order:
    return Order(
        source=SourcePlatform.BACKERKIT,
        external_id=ext,
        recipient=Address(
            "Zoë Ñandú", "1 Main St", "Montréal", "H2X 1Y4", "CA", state="QC", phone="+1 555"
        ),
        lines=tuple(OrderLine(sku, qty) for sku, qty in lines),
        notes="line one\nline two",
        extra=dict(extra),
    )


def _write(order: Order, order_id: int | None = None) -> OrderWrite:
    return OrderWrite(
        order, f"hash-{order.external_id}", group_id_for(order.item_multiset), order_id
    )


def test_bulk_inserted_orders_read_back_exactly(store: Store) -> None:
    original = _order("BK-1", (("TEE", 2), ("PIN", 1)), pledge="$35.00", tier="Gold")
    with store.transaction(write=True) as tx:
        tx.items.insert_many([Item("TEE"), Item("PIN", weight_oz=Decimal("0.35"))])
        ids = tx.orders.insert_many([_write(original), _write(_order("BK-2"))], NOW)
    assert ids == [1, 2]
    with store.transaction() as tx:
        stored = tx.orders.get(1)
        row = tx.session.scalar(select(OrderRow).where(OrderRow.id == 1))
        fingerprints = tx.orders.fingerprints(SourcePlatform.BACKERKIT)
        pin = tx.items.get("PIN")
    assert stored == Order(**{**_fields(original), "id": 1})
    assert stored is not None and stored.extra == {"pledge": "$35.00", "tier": "Gold"}
    assert row is not None and row.created_at == NOW and row.updated_at == NOW
    assert row.group_id == group_id_for((("PIN", 1), ("TEE", 2)))
    assert fingerprints["BK-1"].content_hash == "hash-BK-1"
    assert fingerprints["BK-2"].status is OrderStatus.IMPORTED
    assert pin == Item("PIN", weight_oz=Decimal("0.35"))


def _fields(order: Order) -> dict[str, object]:
    return {name: getattr(order, name) for name in order.__dataclass_fields__}


def test_ids_continue_after_the_highest_stored_id(store: Store) -> None:
    with store.transaction(write=True) as tx:
        tx.items.insert_many([Item("TEE")])
        tx.orders.insert_many([_write(_order("1")), _write(_order("2"))], NOW)
    with store.transaction(write=True) as tx:
        assert tx.orders.insert_many([_write(_order("3"))], NOW) == [3]


def test_update_content_replaces_lines_and_keeps_status(store: Store) -> None:
    with store.transaction(write=True) as tx:
        tx.items.insert_many([Item("TEE"), Item("PIN")])
        tx.orders.insert_many([_write(_order("1", (("TEE", 1), ("PIN", 1))))], NOW)
        tx.orders.apply_status_changes(
            [StatusChange(1, OrderStatus.ON_HOLD, OrderStatus.IMPORTED)], NOW
        )
    later = datetime(2026, 11, 26)
    with store.transaction(write=True) as tx:
        tx.orders.update_content([_write(_order("1", (("PIN", 4),)), order_id=1)], later)
    with store.transaction() as tx:
        stored = tx.orders.get(1)
        rows = tx.orders.status_rows(order_ids=[1])
        line_count = len(list(tx.session.scalars(select(OrderLineRow))))
    assert stored is not None and stored.lines == (OrderLine("PIN", 4),)
    assert stored.status is OrderStatus.ON_HOLD and rows[0].held_from is OrderStatus.IMPORTED
    assert line_count == 1


def test_source_and_external_id_are_unique_together(store: Store) -> None:
    with pytest.raises(IntegrityError), store.transaction(write=True) as tx:
        tx.items.insert_many([Item("TEE")])
        tx.orders.insert_many([_write(_order("1"))], NOW)
        tx.orders.insert_many([_write(_order("1"))], NOW)
    with store.transaction() as tx:
        assert tx.orders.count() == 0  # the failed transaction left nothing


def test_unknown_skus_are_refused_and_lines_cascade(store: Store) -> None:
    # No foreign key from lines to items (revision 0011): the repository checks the SKUs.
    with pytest.raises(AppError) as refused, store.transaction(write=True) as tx:
        tx.orders.insert_many([_write(_order("1", (("NO-SUCH-SKU", 1),)))], NOW)
    assert refused.value.details["skus"] == ["NO-SUCH-SKU"]
    with store.transaction() as tx:
        assert tx.orders.count() == 0
    with store.transaction(write=True) as tx:
        tx.items.insert_many([Item("TEE")])
        tx.orders.insert_many([_write(_order("1"))], NOW)
    with store.transaction(write=True) as tx:
        tx.session.execute(delete(OrderRow).where(OrderRow.id == 1))
    with store.transaction() as tx:
        assert list(tx.session.scalars(select(OrderLineRow))) == []


def test_group_counts_and_settings(store: Store) -> None:
    with store.transaction(write=True) as tx:
        tx.items.insert_many([Item("TEE")])
        tx.orders.insert_many(
            [_write(_order(str(n))) for n in range(5)] + [_write(_order("us", (("TEE", 2),)))],
            NOW,
        )
        tx.orders.apply_status_changes(
            [StatusChange(n, OrderStatus.READY_TO_SHIP, None) for n in range(1, 7)], NOW
        )
        box = tx.package_types.add(PackageType("Box", predefined="Parcel"))
        tx.groups.save_setting(GroupSetting(group_id_for((("TEE", 1),)), box.id, "Priority"), NOW)
    with store.transaction() as tx:
        counts = {c.group_id: (c.orders, c.international) for c in tx.groups.counts(
            OrderStatus.READY_TO_SHIP, {"US"})}  # fmt: skip
        settings = tx.groups.settings()
    assert counts == {group_id_for((("TEE", 1),)): (5, 5), group_id_for((("TEE", 2),)): (1, 1)}
    assert settings[group_id_for((("TEE", 1),))].service == "Priority"
    with store.transaction(write=True) as tx:
        tx.groups.save_setting(GroupSetting(group_id_for((("TEE", 1),)), None, None), NOW)
    with store.transaction() as tx:
        assert tx.groups.settings() == {}


def test_an_address_check_is_cached_by_one_upsert_and_replaced_by_a_newer_one(
    store: Store,
) -> None:
    first = AddressCheck("a" * 32, False, "could not verify", datetime(2026, 12, 5, 10))
    newer = AddressCheck("a" * 32, True, "", datetime(2026, 12, 5, 11), easypost_id="adr_1")
    # Two desks caching one address at once: own_rows takes no writer lock on a server.
    with store.transaction(write=True, own_rows=True) as tx:
        tx.address_checks.put(first)
    with store.transaction(write=True, own_rows=True) as tx:
        tx.address_checks.put(newer)
    with store.transaction() as tx:
        assert tx.address_checks.get("a" * 32) == newer
