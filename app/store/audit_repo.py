"""The audit log: append entries, list them newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.store.models_fulfilment import AuditRow


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded action."""

    at: datetime
    action: str
    station: str = ""
    user: str = ""
    order_id: int | None = None
    label_id: int | None = None
    batch_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


def _to_entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        action=row.action,
        station=row.station,
        user=row.user,
        order_id=row.order_id,
        label_id=row.label_id,
        batch_id=row.batch_id,
        details=json.loads(row.details),
    )


class AuditRepository:
    """Audit entries inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, entry: AuditEntry) -> int:
        row = AuditRow(
            at=entry.at,
            station=entry.station,
            user=entry.user,
            action=entry.action,
            order_id=entry.order_id,
            label_id=entry.label_id,
            batch_id=entry.batch_id,
            # default=str: dates, decimals and paths in details become text, never an error.
            details=json.dumps(entry.details, default=str, sort_keys=True),
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def list(
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
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if order_id is not None:
            query = query.where(AuditRow.order_id == order_id)
        if label_id is not None:
            query = query.where(AuditRow.label_id == label_id)
        if batch_id is not None:
            query = query.where(AuditRow.batch_id == batch_id)
        if action is not None:
            query = query.where(AuditRow.action == action)
        if since is not None:
            query = query.where(AuditRow.at >= since)
        return [_to_entry(row) for row in self._session.scalars(query)]
