"""Read-only history queries: audit lines with their order and label, spend rows, stations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.store.models import OrderRow
from app.store.models_fulfilment import AuditRow, LabelRow


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """An audit row with its order's source and number and its label's tracking code."""

    id: int
    at: datetime
    station: str
    user: str
    action: str
    order_id: int | None
    source: str | None
    external_id: str | None
    label_id: int | None
    tracking_code: str | None
    batch_id: int | None
    details: str


@dataclass(frozen=True, slots=True)
class SpendRow:
    """One bought label: what it cost, its service, its order's package group and when."""

    service: str
    group_id: str
    bought_at: datetime
    amount_usd: Decimal
    status: str
    order_id: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class HistoryRepository:
    """History queries inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def audit(
        self,
        *,
        search: str = "",
        actions: tuple[str, ...] = (),
        station: str = "",
        order_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 2000,
    ) -> list[AuditRecord]:
        """Audit rows matching every filter, newest first. `actions` are names or 'noun.'
        prefixes; `search` matches action, station, user, order number, tracking, details."""
        query = (
            select(
                AuditRow.id,
                AuditRow.at,
                AuditRow.station,
                AuditRow.user,
                AuditRow.action,
                AuditRow.order_id,
                OrderRow.source,
                OrderRow.external_id,
                AuditRow.label_id,
                LabelRow.tracking_code,
                AuditRow.batch_id,
                AuditRow.details,
            )
            .outerjoin(OrderRow, OrderRow.id == AuditRow.order_id)
            .outerjoin(LabelRow, LabelRow.id == AuditRow.label_id)
            .order_by(AuditRow.id.desc())
            .limit(limit)
        )
        if actions:
            query = query.where(
                or_(
                    *(
                        AuditRow.action.startswith(a) if a.endswith(".") else AuditRow.action == a
                        for a in actions
                    )
                )
            )
        if station:
            query = query.where(AuditRow.station == station)
        if order_id is not None:
            query = query.where(AuditRow.order_id == order_id)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        if until is not None:
            query = query.where(AuditRow.at < until)
        text = search.strip()
        if text:
            pattern = _like(text)
            query = query.where(
                or_(
                    AuditRow.action.ilike(pattern, escape="\\"),
                    AuditRow.station.ilike(pattern, escape="\\"),
                    AuditRow.user.ilike(pattern, escape="\\"),
                    OrderRow.external_id.ilike(pattern, escape="\\"),
                    LabelRow.tracking_code.ilike(pattern, escape="\\"),
                    AuditRow.details.ilike(pattern, escape="\\"),
                )
            )
        return [AuditRecord(*tuple(row)) for row in self._session.execute(query)]

    def stations(self) -> list[str]:
        """Every station the log names, in name order."""
        rows = self._session.scalars(select(AuditRow.station).distinct().order_by(AuditRow.station))
        return [s for s in rows if s]

    def spend(self, since: datetime | None = None) -> list[SpendRow]:
        """Every label bought (since `since`), with its order's package group."""
        query = (
            select(
                LabelRow.service,
                OrderRow.group_id,
                LabelRow.bought_at,
                LabelRow.amount_usd,
                LabelRow.status,
                LabelRow.order_id,
            )
            .join(OrderRow, OrderRow.id == LabelRow.order_id)
            .order_by(LabelRow.id)
        )
        if since is not None:
            query = query.where(LabelRow.bought_at >= since)
        return [
            SpendRow(service, group_id, bought_at, amount, status, order_id)
            for service, group_id, bought_at, amount, status, order_id in self._session.execute(
                query
            )
        ]
