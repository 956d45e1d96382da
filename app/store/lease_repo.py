"""The buyer lease row: read, take (insert or replace) and drop it inside one write transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from app.store.models_money import BuyerLeaseRow

_LEASE_ID = 1


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    """Who holds the buyer lease, and since when."""

    token: str
    station: str
    host: str
    pid: int
    taken_at: datetime
    heartbeat_at: datetime


class LeaseRepository:
    """The one buyer lease, inside one transaction (take it in a write transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self) -> LeaseRecord | None:
        row = self._session.get(BuyerLeaseRow, _LEASE_ID, populate_existing=True)
        if row is None:
            return None
        return LeaseRecord(
            row.token, row.station, row.host, row.pid, row.taken_at, row.heartbeat_at
        )

    def take(self, lease: LeaseRecord) -> None:
        """Hold the lease as `lease` (replacing any holder: the caller decided it may)."""
        self._session.execute(delete(BuyerLeaseRow).where(BuyerLeaseRow.id == _LEASE_ID))
        self._session.add(
            BuyerLeaseRow(
                id=_LEASE_ID,
                token=lease.token,
                station=lease.station,
                host=lease.host,
                pid=lease.pid,
                taken_at=lease.taken_at,
                heartbeat_at=lease.heartbeat_at,
            )
        )
        self._session.flush()

    def heartbeat(self, token: str, now: datetime) -> bool:
        """Say the holder `token` is alive; False when it no longer holds the lease."""
        result = self._session.execute(
            update(BuyerLeaseRow)
            .where(BuyerLeaseRow.id == _LEASE_ID, BuyerLeaseRow.token == token)
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def release(self, token: str) -> None:
        """Drop the lease if `token` holds it (never someone else's)."""
        self._session.execute(
            delete(BuyerLeaseRow)
            .where(BuyerLeaseRow.id == _LEASE_ID, BuyerLeaseRow.token == token)
            .execution_options(synchronize_session=False)
        )
