"""The audit log: entries with time, station and user, in the caller's transaction or alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from app.services.audit import AuditLog, default_station, default_user
from app.store import Store

T0 = datetime(2026, 11, 25, 9, 0)


def test_records_and_lists_newest_first_with_filters(store: Store) -> None:
    times = iter(T0 + timedelta(minutes=n) for n in range(10))
    log = AuditLog(store, station="desk-2", user="bo", clock=lambda: next(times))
    log.record(
        "label.bought", order_id=1, label_id=10, batch_id=5, details={"amount": Decimal("4.5")}
    )
    log.record("label.printed", order_id=1, label_id=10, details={"printer": "virtual://x"})
    log.record("order.shipped", order_id=2)

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
        entry = log.record_in(tx, "label.bought", order_id=3)
        assert entry.id is not None
        raise RuntimeError("the change it describes failed")
    assert log.entries() == []


def test_station_and_user_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACKDESK_STATION", "packing-3")
    assert default_station() == "packing-3"
    assert default_user()
