"""The audit log: who did what, when and where (every purchase, refund, print, scan, change)."""

from __future__ import annotations

import dataclasses
import getpass
import os
import socket
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.services.clock import Clock, utc_now
from app.store import Store, StoreTransaction
from app.store.audit_repo import AuditEntry

__all__ = [
    "LEGACY_ACTION_NAMES",
    "AuditAction",
    "AuditEntry",
    "AuditLog",
    "default_station",
    "default_user",
]


class AuditAction(StrEnum):
    """Every action the audit log records, named `noun.verb` (what happened to what)."""

    BATCH_CREATED = "batch.created"
    BATCH_RESUMED = "batch.resumed"
    BATCH_OPEN = "batch.open"
    BATCH_BUYING = "batch.buying"
    BATCH_DONE = "batch.done"
    BATCH_CANCELLED = "batch.cancelled"
    PURCHASE_BLOCKED = "purchase.blocked"
    PURCHASE_DUPLICATE = "purchase.duplicate"
    PURCHASE_FAILED = "purchase.failed"
    PURCHASE_ABANDONED = "purchase.abandoned"
    PURCHASE_UNRECORDED = "purchase.unrecorded"  # bought; the database would not record it
    PURCHASE_REFUNDED = "purchase.refunded"  # an unrecordable label refunded automatically
    LABEL_BOUGHT = "label.bought"
    LABEL_FILES_MISSING = "label.files_missing"
    LABEL_PRINTED = "label.printed"
    LABEL_SUPERSEDED = "label.superseded"  # a relabel refunded it and bought a new one
    PRINT_REPRINT_QUEUED = "print.reprint_queued"
    PRINT_SKIPPED = "print.skipped"
    PRINT_RESENT = "print.resent"
    PRINT_MARKED_PRINTED = "print.marked_printed"
    PRINT_IN_DOUBT = "print.in_doubt"
    PRINT_FAILED = "print.failed"
    ORDER_SHIPPED = "order.shipped"
    SCAN_FORM_CREATED = "scanform.created"
    SCAN_FORM_FAILED = "scanform.failed"
    SCAN_FORM_PENDING = "scanform.pending"  # still being made when the wait ended
    SCAN_FORM_OPENED = "scanform.opened"
    SCAN_FORM_PRINTED = "scanform.printed"
    REFUND_SUBMITTED = "refund.submitted"
    REFUND_REFUNDED = "refund.refunded"
    REFUND_REJECTED = "refund.rejected"
    REFUND_NOT_APPLICABLE = "refund.not_applicable"
    REFUND_REFUSED = "refund.refused"
    REFUND_NOT_RECEIVED = "refund.not_received"
    PICKUP_REQUESTED = "pickup.requested"
    PICKUP_CONFIRMED = "pickup.confirmed"
    PICKUP_CANCELLED = "pickup.cancelled"
    TRACKING_UPDATED = "tracking.updated"
    SHIP_FROM_AS_ENTERED = "shipfrom.used_as_entered"  # saved although verification disagreed
    SETUP_MODE_CHANGED = "setup.mode_changed"

    @classmethod
    def of(cls, noun: str, outcome: str, fallback: AuditAction) -> AuditAction:
        """The action `noun.outcome` (e.g. a batch's or refund's status), else `fallback`."""
        try:
            return cls(f"{noun}.{outcome}")
        except ValueError:
            return fallback


#: Names older databases hold for an action (the log is free text: they stay as written).
#: Filtering by an action finds its old names too.
LEGACY_ACTION_NAMES: Mapping[AuditAction, tuple[str, ...]] = {
    AuditAction.LABEL_PRINTED: ("print",),
    AuditAction.PRINT_REPRINT_QUEUED: ("print_reprint_queued",),
    AuditAction.PRINT_SKIPPED: ("print_skip",),
    AuditAction.PRINT_RESENT: ("print_resend",),
    AuditAction.PRINT_MARKED_PRINTED: ("print_marked_printed",),
    AuditAction.PRINT_IN_DOUBT: ("print_in_doubt",),
    AuditAction.PRINT_FAILED: ("print_failed",),
    AuditAction.ORDER_SHIPPED: ("scan.shipped",),
    AuditAction.TRACKING_UPDATED: ("tracking.status",),
}


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
        action: AuditAction,
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
        action: AuditAction,
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
        action: AuditAction,
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
        """Entries matching every given filter, newest first.

        `action` also matches the names older versions wrote for it (LEGACY_ACTION_NAMES).
        """
        names: list[str | None] = [action]
        if action is not None and action in AuditAction._value2member_map_:
            names += LEGACY_ACTION_NAMES.get(AuditAction(action), ())
        with self._store.transaction() as tx:
            found = [
                entry
                for name in names
                for entry in tx.audit.list(
                    order_id=order_id,
                    label_id=label_id,
                    batch_id=batch_id,
                    action=name,
                    since=since,
                    limit=limit,
                )
            ]
        if len(names) > 1:
            found.sort(key=lambda e: e.id or 0, reverse=True)  # the store's order: newest first
        return found[:limit]
