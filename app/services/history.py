"""What happened at the desk: the audit log, batches, refunds, pickups, SCAN forms and spend.

Read-only and offline (no EasyPost call): the History panel and reports read it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation

from app.domain.fulfilment import LabelStatus
from app.domain.order_numbers import order_number
from app.domain.usps_services import service_title
from app.services.audit import LEGACY_ACTION_NAMES, AuditAction
from app.services.batches import BatchSummary, batch_summary
from app.services.clock import Clock, local_date, local_day_bounds, local_day_start, utc_now
from app.services.refunds import RefundReminder, RefundState, unmoved_labels
from app.store import Store, StoreTransaction
from app.store.history_repo import AuditRecord, SpendRow
from app.store.pickups_repo import StoredPickup
from app.store.scan_forms_repo import StoredScanForm

#: The audit log's kinds of action for the filter: title -> name prefix ('noun.').
ACTION_KINDS: dict[str, str] = {
    "Batches": "batch.",
    "Purchases": "purchase.",
    "Labels bought": "label.",
    "Printing": "print.",
    "Orders": "order.",
    "SCAN forms": "scanform.",
    "Refunds": "refund.",
    "Pickups": "pickup.",
    "Tracking": "tracking.",
}

_ACTION_TITLES: dict[str, str] = {
    "batch.created": "Batch started",
    "batch.resumed": "Batch resumed",
    "batch.done": "Batch done",
    "batch.cancelled": "Batch cancelled",
    "purchase.blocked": "Purchase blocked",
    "purchase.duplicate": "Duplicate purchase avoided",
    "purchase.failed": "Purchase failed",
    "purchase.abandoned": "Purchase abandoned",
    "label.bought": "Label bought",
    "label.files_missing": "Label files missing",
    "label.printed": "Label printed",
    "print.reprint_queued": "Reprint queued",
    "print.skipped": "Print skipped",
    "print.resent": "Print resent",
    "print.marked_printed": "Marked printed",
    "print.in_doubt": "Print in doubt",
    "print.failed": "Print failed",
    "order.shipped": "Shipped (scanned)",
    "order.address_changed": "Address changed",
    "scanform.created": "SCAN form made",
    "scanform.failed": "SCAN form failed",
    "scanform.pending": "SCAN form pending",
    "scanform.opened": "SCAN form opened",
    "scanform.printed": "SCAN form printed",
    "refund.submitted": "Refund asked",
    "refund.refunded": "Refunded",
    "refund.rejected": "Refund rejected",
    "refund.not_applicable": "Refund not applicable",
    "refund.refused": "Refund refused",
    "refund.not_received": "Refund not received",
    "pickup.requested": "Pickup requested",
    "pickup.confirmed": "Pickup confirmed",
    "pickup.cancelled": "Pickup cancelled",
    "tracking.updated": "Tracking updated",
}
_LEGACY = {old: new.value for new, olds in LEGACY_ACTION_NAMES.items() for old in olds}


def action_title(action: str) -> str:
    """'Label bought' for 'label.bought' (old names too); unknown actions as written."""
    return _ACTION_TITLES.get(_LEGACY.get(action, action), action)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which audit lines to show; empty fields do not filter."""

    search: str = ""
    kind: str = ""  # a key of ACTION_KINDS
    station: str = ""
    since: date | None = None  # the desk's local days, inclusive
    until: date | None = None
    order_id: int | None = None  # one order's trail (the order dialog)
    limit: int = 2000


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One audit entry as people read it."""

    id: int
    at: datetime  # stored (naive UTC)
    station: str
    user: str
    action: str
    what: str
    order: str
    order_id: int | None
    label: str
    batch_id: int | None
    amount_usd: Decimal | None
    details: str


@dataclass(frozen=True, slots=True)
class SpendSlice:
    """Spend on one service, group or day: the money and the number of labels."""

    key: str
    title: str
    amount_usd: Decimal
    labels: int


@dataclass(frozen=True, slots=True)
class SpendReport:
    """Spend on labels that still count (refunded ones are apart), three ways."""

    by_service: tuple[SpendSlice, ...]
    by_group: tuple[SpendSlice, ...]
    by_day: tuple[SpendSlice, ...]
    total_usd: Decimal
    labels: int
    refunded_usd: Decimal
    refunded: int


@dataclass(frozen=True, slots=True)
class HistorySnapshot:
    """Everything the History panel shows besides the audit log, read in one go."""

    batches: tuple[BatchSummary, ...]
    refunds: tuple[RefundState, ...]
    reminders: tuple[RefundReminder, ...]
    pickups: tuple[StoredPickup, ...]
    scan_forms: tuple[StoredScanForm, ...]
    spend: SpendReport
    stations: tuple[str, ...] = field(default=())


def _amount(details: str) -> Decimal | None:
    try:
        value = json.loads(details).get("amount")
    except (ValueError, AttributeError):
        return None
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _details_text(details: str) -> str:
    try:
        parsed = json.loads(details)
    except ValueError:
        return details
    if not isinstance(parsed, dict):
        return str(parsed)
    # The amount has its own column.
    return ", ".join(
        f"{k}: {v}" for k, v in parsed.items() if k != "amount" and v not in (None, "", [], {})
    )


Totals = dict[str, tuple[Decimal, int]]


def _slices(totals: Totals, title: dict[str, str]) -> tuple[SpendSlice, ...]:
    return tuple(
        SpendSlice(key, title.get(key, key), amount, count)
        for key, (amount, count) in totals.items()
    )


def _add(totals: dict[str, tuple[Decimal, int]], key: str, amount: Decimal) -> None:
    spent, count = totals.get(key, (Decimal(0), 0))
    totals[key] = (spent + amount, count + 1)


class HistoryService:
    """Reads the desk's history; never writes, never calls EasyPost."""

    def __init__(self, store: Store, *, clock: Clock = utc_now, zone: tzinfo | None = None) -> None:
        self._store = store
        self._clock = clock
        self._zone = zone

    def audit(self, wanted: AuditFilter = AuditFilter()) -> list[AuditLine]:
        """Audit lines matching `wanted`, newest first (at most `wanted.limit`)."""
        prefix = ACTION_KINDS.get(wanted.kind, "")
        actions: tuple[str, ...] = ()
        if prefix:
            legacy = [
                old
                for new, olds in LEGACY_ACTION_NAMES.items()
                if new.value.startswith(prefix)
                for old in olds
            ]
            actions = (prefix, *legacy)
        since = local_day_start(wanted.since, self._zone) if wanted.since else None
        until = local_day_bounds(wanted.until, self._zone)[1] if wanted.until else None
        with self._store.transaction() as tx:
            records = tx.history.audit(
                search=wanted.search,
                actions=actions,
                station=wanted.station,
                order_id=wanted.order_id,
                since=since,
                until=until,
                limit=wanted.limit,
            )
            colliding = tx.order_numbers.colliding()
        return [self._line(r, colliding) for r in records]

    @staticmethod
    def _line(record: AuditRecord, colliding: set[str]) -> AuditLine:
        order = ""
        if record.external_id is not None and record.source is not None:
            order = order_number(record.source, record.external_id, colliding)
        elif record.order_id is not None:
            order = f"id:{record.order_id}"  # the order was deleted; the log outlives it
        return AuditLine(
            id=record.id,
            at=record.at,
            station=record.station,
            user=record.user,
            action=record.action,
            what=action_title(record.action),
            order=order,
            order_id=record.order_id,
            label=record.tracking_code or "",
            batch_id=record.batch_id,
            amount_usd=_amount(record.details),
            details=_details_text(record.details),
        )

    def snapshot(self, *, days: int = 30, reminder_days: int = 7) -> HistorySnapshot:
        """Batches, refunds, reminders, pickups, SCAN forms and spend of the last `days`."""
        now = self._clock()
        since = local_day_start(local_date(now, self._zone) - timedelta(days=days - 1), self._zone)
        with self._store.transaction() as tx:
            batches = tuple(batch_summary(c) for c in tx.shipping.batch_counts(since=since))
            asked = tx.shipping.labels_with_status(
                [LabelStatus.REFUND_SUBMITTED, LabelStatus.REFUNDED, LabelStatus.LIVE]
            )
            live = [f for f in asked if f.status == LabelStatus.LIVE]
            pickups = tuple(tx.pickups.all())
            forms = tuple(tx.scan_forms.all())
            spend_rows = tx.history.spend(since)
            stations = tuple(tx.history.stations())
            group_titles = self._group_titles(tx, spend_rows)
        refunds = tuple(
            RefundState(
                f.label_id,
                f.order_external_id,
                f.tracking_code,
                f.amount_usd,
                f.refund_status or "",
                f.refund_requested_at,
                f.refunded_at,
            )
            for f in asked
            if f.refund_status
        )
        return HistorySnapshot(
            batches=tuple(reversed(batches)),
            refunds=refunds,
            reminders=tuple(unmoved_labels(live, reminder_days, now, self._zone)),
            pickups=pickups,
            scan_forms=forms,
            spend=self._spend(spend_rows, group_titles),
            stations=stations,
        )

    def spend(self, *, days: int = 30) -> SpendReport:
        """Spend of the last `days` desk days by service, package group and day."""
        now = self._clock()
        since = local_day_start(local_date(now, self._zone) - timedelta(days=days - 1), self._zone)
        with self._store.transaction() as tx:
            rows = tx.history.spend(since)
            titles = self._group_titles(tx, rows)
        return self._spend(rows, titles)

    @staticmethod
    def _group_titles(tx: StoreTransaction, rows: list[SpendRow]) -> dict[str, str]:
        """'1 x ART-BOOK + 1 x PIN' per package group (what a packer recognises)."""
        samples: dict[str, int] = {}
        for row in rows:
            samples.setdefault(row.group_id, row.order_id)
        lines = tx.groups.lines_of(list(samples.values()))
        return {
            group_id: " + ".join(f"{qty} x {sku}" for sku, qty in lines.get(order_id, []))
            or group_id
            for group_id, order_id in samples.items()
        }

    def _spend(self, rows: Iterable[SpendRow], group_titles: dict[str, str]) -> SpendReport:
        by_service: dict[str, tuple[Decimal, int]] = {}
        by_group: dict[str, tuple[Decimal, int]] = {}
        by_day: dict[str, tuple[Decimal, int]] = {}
        refunded, refunded_count = Decimal(0), 0
        for row in rows:
            if row.status == LabelStatus.REFUNDED:
                refunded += row.amount_usd
                refunded_count += 1
                continue
            _add(by_service, row.service, row.amount_usd)
            _add(by_group, row.group_id, row.amount_usd)
            _add(by_day, local_date(row.bought_at, self._zone).isoformat(), row.amount_usd)
        titles = {code: service_title(code) for code in by_service}

        def biggest(totals: dict[str, tuple[Decimal, int]]) -> dict[str, tuple[Decimal, int]]:
            return dict(sorted(totals.items(), key=lambda kv: kv[1][0], reverse=True))

        return SpendReport(
            by_service=_slices(biggest(by_service), titles),
            by_group=_slices(biggest(by_group), group_titles),
            by_day=_slices(dict(sorted(by_day.items())), {}),
            total_usd=sum((a for a, _ in by_service.values()), Decimal(0)),
            labels=sum(n for _, n in by_service.values()),
            refunded_usd=refunded,
            refunded=refunded_count,
        )


__all__ = [
    "ACTION_KINDS",
    "AuditAction",
    "AuditFilter",
    "AuditLine",
    "HistoryService",
    "HistorySnapshot",
    "SpendReport",
    "SpendSlice",
    "action_title",
]
