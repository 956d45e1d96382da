"""The buyer lease keeps itself alive while held, notices a takeover, and is given back."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from app.services.buyer_lease import BuyerLease
from app.store import Store
from app.store.lease_repo import LeaseRecord

T0 = datetime(2026, 12, 31, 23, 59, 30)  # a year end


def test_the_heartbeat_moves_and_a_takeover_is_noticed(store: Store) -> None:
    ticks = [T0]

    def clock() -> datetime:
        ticks[0] += timedelta(seconds=1)
        return ticks[0]

    lease = BuyerLease(
        store, station="desk-1", clock=clock, heartbeat_every=timedelta(seconds=0.02)
    )
    stopped: list[bool] = []
    lease.on_lost = lambda: stopped.append(True)
    lease.acquire()
    with store.transaction() as tx:
        taken = tx.lease.current()
    assert taken is not None and taken.station == "desk-1"
    deadline = time.monotonic() + 10
    while True:
        with store.transaction() as tx:
            now_held = tx.lease.current()
        assert now_held is not None
        if now_held.heartbeat_at > taken.heartbeat_at:
            break
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert now_held.taken_at == taken.taken_at  # "since" stays the start
    # Another buyer decided this one was stale and took the lease: the holder notices.
    with store.transaction(write=True) as tx:
        tx.lease.take(LeaseRecord("thief", "desk-2", "other", 1, T0, T0))
    while not lease.lost:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert stopped == [True]
    lease.release()
    with store.transaction() as tx:
        kept = tx.lease.current()
    assert kept is not None and kept.token == "thief"  # never drops someone else's lease
