"""Tracking-email records: what was sent to which order, and what is left to send."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from app.domain.fulfilment import LIVE_LABEL_STATUSES
from app.store.models import OrderRow
from app.store.models_email import EmailSendRow
from app.store.models_fulfilment import BatchRow, LabelRow

_sends = cast(Table, EmailSendRow.__table__)
_orders = cast(Table, OrderRow.__table__)
_labels = cast(Table, LabelRow.__table__)
_batches = cast(Table, BatchRow.__table__)
_LIVE = tuple(sorted(status.value for status in LIVE_LABEL_STATUSES))
_CHUNK = 900

#: A record in one of these states means the order has (or may have) had its email.
DELIVERED_STATES = ("sending", "sent")


@dataclass(frozen=True, slots=True)
class EmailTarget:
    """An order to email: its recipient and its live label's tracking number, if any."""

    order_id: int
    external_id: str
    source: str
    name: str
    email: str
    country: str
    status: str
    tracking_code: str | None
    service: str | None
    batch_id: int | None
    first_scan_at: datetime | None


@dataclass(frozen=True, slots=True)
class EmailRecord:
    id: int
    order_id: int
    trigger: str
    status: str
    recipient: str
    subject: str
    error: str | None
    created_at: datetime
    sent_at: datetime | None


class EmailRepository:
    """Email records inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _targets(self, *conditions: Any) -> list[EmailTarget]:
        live = (
            select(
                _labels.c.order_id,
                _labels.c.tracking_code,
                _labels.c.service,
                _labels.c.batch_id,
                _labels.c.first_scan_at,
            )
            .where(_labels.c.status.in_(_LIVE))
            .subquery()
        )
        query = (
            select(
                _orders.c.id,
                _orders.c.external_id,
                _orders.c.source,
                _orders.c.recipient_name,
                _orders.c.email,
                _orders.c.country,
                _orders.c.status,
                live.c.tracking_code,
                live.c.service,
                live.c.batch_id,
                live.c.first_scan_at,
            )
            .outerjoin(live, live.c.order_id == _orders.c.id)
            .where(*conditions)
            .order_by(_orders.c.id)
        )
        return [EmailTarget(*tuple(row)) for row in self._session.execute(query)]

    def targets_of_orders(self, order_ids: Collection[int]) -> list[EmailTarget]:
        found: list[EmailTarget] = []
        ids = list(order_ids)
        for start in range(0, len(ids), _CHUNK):
            found += self._targets(_orders.c.id.in_(ids[start : start + _CHUNK]))
        return found

    def targets_of_batch(self, batch_id: int) -> list[EmailTarget]:
        in_batch = select(_labels.c.order_id).where(
            _labels.c.batch_id == batch_id, _labels.c.status.in_(_LIVE)
        )
        return self._targets(_orders.c.id.in_(in_batch))

    def targets_first_scanned(self) -> list[EmailTarget]:
        """Orders whose live label has had its first carrier scan."""
        scanned = select(_labels.c.order_id).where(
            _labels.c.status.in_(_LIVE), _labels.c.first_scan_at.is_not(None)
        )
        return self._targets(_orders.c.id.in_(scanned))

    def emailed_order_ids(self, order_ids: Collection[int]) -> set[int]:
        """The orders among `order_ids` that have (or may have) had their email."""
        found: set[int] = set()
        ids = list(order_ids)
        for start in range(0, len(ids), _CHUNK):
            rows = self._session.scalars(
                select(_sends.c.order_id).where(
                    _sends.c.order_id.in_(ids[start : start + _CHUNK]),
                    _sends.c.status.in_(DELIVERED_STATES),
                )
            )
            found.update(int(order_id) for order_id in rows)
        return found

    def start(
        self,
        *,
        order_id: int,
        trigger: str,
        batch_id: int | None,
        tracking_code: str | None,
        recipient: str,
        subject: str,
        now: datetime,
        status: str = "sending",
        error: str | None = None,
    ) -> int:
        row = EmailSendRow(
            order_id=order_id,
            trigger=trigger,
            batch_id=batch_id,
            tracking_code=tracking_code,
            recipient=recipient,
            subject=subject,
            status=status,
            error=error,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return int(row.id)

    def finish(
        self,
        send_id: int,
        *,
        status: str,
        now: datetime,
        error: str | None = None,
        message_id: str | None = None,
    ) -> None:
        self._session.execute(
            update(EmailSendRow)
            .where(EmailSendRow.id == send_id)
            .values(
                status=status,
                error=error,
                message_id=message_id,
                sent_at=now if status == "sent" else None,
            )
            .execution_options(synchronize_session=False)
        )

    def records(self, order_id: int | None = None, limit: int = 1000) -> list[EmailRecord]:
        query = select(
            _sends.c.id,
            _sends.c.order_id,
            _sends.c.trigger,
            _sends.c.status,
            _sends.c.recipient,
            _sends.c.subject,
            _sends.c.error,
            _sends.c.created_at,
            _sends.c.sent_at,
        ).order_by(_sends.c.id.desc())
        if order_id is not None:
            query = query.where(_sends.c.order_id == order_id)
        return [EmailRecord(*tuple(row)) for row in self._session.execute(query.limit(limit))]

    def batch_id(self, reference: str) -> int | None:
        return self._session.scalar(select(_batches.c.id).where(_batches.c.reference == reference))
