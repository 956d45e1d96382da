"""The audit log: who did what, when and where (every purchase, refund, print, scan, change)."""

from __future__ import annotations

import dataclasses
import getpass
import os
import socket
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.services.clock import Clock, utc_now
from app.store import Store, StoreTransaction
from app.store.audit_repo import AuditEntry

__all__ = ["AuditEntry", "AuditLog", "default_station", "default_user"]


def default_station() -> str:
    """This desk's name: $PACKDESK_STATION, else the host name."""
    return os.environ.get("PACKDESK_STATION") or socket.gethostname() or "unknown-station"


def default_user() -> str:
    """Who is logged in (never fails: a service account may have no login name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry / no login name in a container
        return "unknown-user"


class AuditLog:
    """Appends audit entries stamped with time, station and user; lists them.

    `record_in(tx, ...)` writes inside the caller's transaction, so the entry commits (or rolls
    back) with the change it describes; `record(...)` uses its own short transaction.
    """

    def __init__(
        self,
        store: Store,
        station: str | None = None,
        user: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self.station = station if station is not None else default_station()
        self.user = user if user is not None else default_user()
        self._clock = clock

    def entry(
        self,
        action: str,
        *,
        order_id: int | None = None,
        label_id: int | None = None,
        batch_id: int | None = None,
        details: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> AuditEntry:
        """An entry stamped with this log's station, user and clock (not yet stored)."""
        return AuditEntry(
            at=at or self._clock(),
            action=action,
            station=self.station,
            user=self.user,
            order_id=order_id,
            label_id=label_id,
            batch_id=batch_id,
            details=dict(details or {}),
        )

    def record_in(
        self,
        tx: StoreTransaction,
        action: str,
        *,
        order_id: int | None = None,
        label_id: int | None = None,
        batch_id: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record inside an open write transaction; returns the stored entry (with its id)."""
        entry = self.entry(
            action, order_id=order_id, label_id=label_id, batch_id=batch_id, details=details
        )
        entry_id = tx.audit.add(entry)
        return dataclasses.replace(entry, id=entry_id)

    def record(
        self,
        action: str,
        *,
        order_id: int | None = None,
        label_id: int | None = None,
        batch_id: int | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AuditEntry:
        """Record in a transaction of its own."""
        with self._store.transaction(write=True) as tx:
            return self.record_in(
                tx,
                action,
                order_id=order_id,
                label_id=label_id,
                batch_id=batch_id,
                details=details,
            )

    def entries(
        self,
        *,
        order_id: int | None = None,
        label_id: int | None = None,
        batch_id: int | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        """Entries matching every given filter, newest first."""
        with self._store.transaction() as tx:
            return tx.audit.list(
                order_id=order_id,
                label_id=label_id,
                batch_id=batch_id,
                action=action,
                since=since,
                limit=limit,
            )
