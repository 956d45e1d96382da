"""CSV exports: tracking uploads per platform, shipped orders, refunds and the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path

from app.documents.csv_safe import write_csv
from app.domain.errors import AppError, ErrorKind
from app.domain.exports import HEADERS, TrackingFormat, TrackingLine, tracking_row, tracking_url
from app.services.audit import AuditLog
from app.services.bulk import cyclic_gc_paused
from app.services.clock import local_day_start
from app.store import Store
from app.store.store import StoreTransaction

SHIPPED_HEADER = (
    "Order",
    "Source",
    "Recipient",
    "Country",
    "Status",
    "Shipped At",
    "Station",
    "Delivered At",
    "Carrier",
    "Service",
    "Tracking Number",
    "Tracking URL",
)
REFUNDS_HEADER = (
    "Order",
    "Source",
    "Recipient",
    "Tracking Number",
    "Service",
    "Amount",
    "Status",
    "Refund Status",
    "Bought At",
    "Refunded At",
    "Batch",
)
AUDIT_HEADER = (
    "Id",
    "At",
    "Station",
    "User",
    "Action",
    "Order Id",
    "Label Id",
    "Batch Id",
    "Details",
)


def _time(moment: object) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment else ""


class ExportService:
    """Writes the export CSVs (all through csv_safe: formula-safe, never clobbering)."""

    def __init__(self, store: Store, audit: AuditLog, *, zone: tzinfo | None = None) -> None:
        self._store = store
        self._audit = audit
        self._zone = zone

    def tracking(
        self,
        fmt: TrackingFormat,
        path: Path,
        *,
        batch: str | None = None,
        since: date | None = None,
        overwrite: bool = False,
    ) -> int:
        """The live labels (of a batch, or bought since a day) in `fmt`'s upload layout."""
        with cyclic_gc_paused(), self._store.transaction() as tx:
            batch_id = _batch_id(tx, batch)
            lines = (
                TrackingLine(
                    external_id=row.external_id,
                    source=row.source,
                    name=row.name,
                    email=row.email,
                    country=row.country,
                    tracking_code=row.tracking_code,
                    service=row.service,
                    bought_at=row.bought_at,
                    shipped_at=row.shipped_at,
                    batch=row.batch_reference or "",
                    extra_json=row.extra_json,
                )
                for row in tx.documents.export_labels(
                    live=True, batch_id=batch_id, since=self._start(since)
                )
            )
            return write_csv(
                path,
                HEADERS[fmt],
                (tracking_row(fmt, line) for line in lines),
                overwrite=overwrite,
            )

    def shipped(self, path: Path, *, since: date | None = None, overwrite: bool = False) -> int:
        """Orders marked shipped (by scan or by hand), with their tracking when they have one."""
        with self._store.transaction() as tx:
            rows = (
                (
                    external_id,
                    source,
                    name,
                    country,
                    status,
                    _time(shipped_at),
                    station or "",
                    _time(delivered_at),
                    "USPS" if tracking else "",
                    service or "",
                    tracking or "",
                    tracking_url(tracking) if tracking else "",
                )
                for (
                    _order_id,
                    source,
                    external_id,
                    name,
                    country,
                    status,
                    shipped_at,
                    station,
                    delivered_at,
                    tracking,
                    service,
                ) in tx.documents.shipped_orders(self._start(since))
            )
            return write_csv(path, SHIPPED_HEADER, rows, overwrite=overwrite)

    def refunds(self, path: Path, *, since: date | None = None, overwrite: bool = False) -> int:
        """Labels refunded or with a refund asked for."""
        with self._store.transaction() as tx:
            rows = (
                (
                    row.external_id,
                    row.source,
                    row.name,
                    row.tracking_code,
                    row.service,
                    row.amount_usd,
                    row.status,
                    row.refund_status or "",
                    _time(row.bought_at),
                    _time(row.refunded_at),
                    row.batch_reference or "",
                )
                for row in tx.documents.export_labels(live=False, refunded_since=self._start(since))
            )
            return write_csv(path, REFUNDS_HEADER, rows, overwrite=overwrite)

    def audit(
        self,
        path: Path,
        *,
        since: date | None = None,
        limit: int = 1_000_000,
        overwrite: bool = False,
    ) -> int:
        """The audit log, oldest first."""
        entries = self._audit.entries(since=self._start(since), limit=limit)
        rows: Iterator[Sequence[object]] = (
            (
                entry.id,
                _time(entry.at),
                entry.station,
                entry.user,
                str(entry.action),
                entry.order_id or "",
                entry.label_id or "",
                entry.batch_id or "",
                json.dumps(entry.details, ensure_ascii=False, sort_keys=True, default=str),
            )
            for entry in reversed(entries)
        )
        return write_csv(path, AUDIT_HEADER, rows, overwrite=overwrite)

    def _start(self, since: date | None) -> datetime | None:
        return local_day_start(since, self._zone) if since else None


def _batch_id(tx: StoreTransaction, batch: str | None) -> int | None:
    if not batch:
        return None
    found = tx.documents.batch_id(batch)
    if found is None:
        raise AppError(
            f"There is no batch {batch}.",
            hint="See `packdesk-cli batches` for the batch references.",
            kind=ErrorKind.NOT_FOUND,
            details={"batch": batch},
        )
    return found
