"""The audit log: entries with time, station and user, in the caller's transaction or alone."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.services.audit import AuditAction, AuditLog, default_station, default_user
from app.store import Store

T0 = datetime(2026, 11, 25, 9, 0)


def test_records_and_lists_newest_first_with_filters(store: Store) -> None:
    times = iter(T0 + timedelta(minutes=n) for n in range(10))
    log = AuditLog(store, station="desk-2", user="bo", clock=lambda: next(times))
    log.record(
        AuditAction.LABEL_BOUGHT,
        order_id=1,
        label_id=10,
        batch_id=5,
        details={"amount": Decimal("4.5")},
    )
    log.record(
        AuditAction.LABEL_PRINTED, order_id=1, label_id=10, details={"printer": "virtual://x"}
    )
    log.record(AuditAction.ORDER_SHIPPED, order_id=2)

    everything = log.entries()
    assert [e.action for e in everything] == ["order.shipped", "label.printed", "label.bought"]
    first = everything[-1]
    assert (first.at, first.station, first.user) == (T0, "desk-2", "bo")
    assert first.details == {"amount": "4.5"}
    assert [e.action for e in log.entries(order_id=1)] == ["label.printed", "label.bought"]
    assert [e.action for e in log.entries(batch_id=5)] == ["label.bought"]
    assert [e.action for e in log.entries(action="order.shipped")] == ["order.shipped"]
    assert log.entries(since=T0 + timedelta(minutes=2))[0].order_id == 2
    assert len(log.entries(limit=1)) == 1


def test_an_entry_written_in_a_failed_transaction_is_rolled_back(store: Store) -> None:
    log = AuditLog(store, station="s", user="u")
    with pytest.raises(RuntimeError), store.transaction(write=True) as tx:
        entry = log.record_in(tx, AuditAction.LABEL_BOUGHT, order_id=3)
        assert entry.id is not None
        raise RuntimeError("the change it describes failed")
    assert log.entries() == []


def test_station_and_user_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKDESK_STATION", "packing-3")
    assert default_station() == "packing-3"
    assert default_user()


def test_new_writes_use_dotted_names_and_old_underscore_names_are_still_found(
    store: Store,
) -> None:
    names = [action.value for action in AuditAction]
    assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", name) for name in names), names
    log = AuditLog(store, station="s", user="u")
    with store.transaction(write=True) as tx:  # as an older version wrote them
        tx.audit.add(dataclasses.replace(log.entry(AuditAction.PRINT_SKIPPED), action="print_skip"))
        tx.audit.add(dataclasses.replace(log.entry(AuditAction.LABEL_PRINTED), action="print"))
    log.record(AuditAction.PRINT_SKIPPED, label_id=7)
    skipped = log.entries(action=AuditAction.PRINT_SKIPPED)
    assert [(e.action, e.label_id) for e in skipped] == [
        ("print.skipped", 7),
        ("print_skip", None),
    ]
    assert len(log.entries(action=AuditAction.PRINT_SKIPPED, limit=1)) == 1
    assert [e.action for e in log.entries(action="label.printed")] == ["print"]
    assert [e.action for e in log.entries(action="print_skip")] == ["print_skip"]
