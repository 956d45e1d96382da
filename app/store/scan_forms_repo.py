"""SCAN forms (USPS manifests) as the desk recorded them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.store.models_fulfilment import BatchRow, ScanFormRow


@dataclass(frozen=True, slots=True)
class StoredScanForm:
    """A SCAN form row."""

    id: int
    easypost_id: str
    batch_id: int | None
    batch_reference: str | None
    from_address_key: str
    status: str
    form_path: str | None
    created_at: datetime
    label_count: int


_COLUMNS = (
    ScanFormRow.id,
    ScanFormRow.easypost_id,
    ScanFormRow.batch_id,
    BatchRow.reference,
    ScanFormRow.from_address_key,
    ScanFormRow.status,
    ScanFormRow.form_path,
    ScanFormRow.created_at,
    ScanFormRow.label_count,
)


class ScanFormRepository:
    """SCAN form rows inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        easypost_id: str,
        batch_id: int | None,
        from_address_key: str,
        status: str,
        created_at: datetime,
        label_count: int,
    ) -> int:
        row = ScanFormRow(
            easypost_id=easypost_id,
            batch_id=batch_id,
            from_address_key=from_address_key,
            status=status,
            created_at=created_at,
            label_count=label_count,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def update(self, form_id: int, *, status: str, form_path: str | None = None) -> None:
        values: dict[str, object] = {"status": status}
        if form_path is not None:
            values["form_path"] = form_path
        self._session.execute(
            update(ScanFormRow)
            .where(ScanFormRow.id == form_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def get(self, form_id: int) -> StoredScanForm | None:
        row = self._session.execute(
            select(*_COLUMNS)
            .outerjoin(BatchRow, BatchRow.id == ScanFormRow.batch_id)
            .where(ScanFormRow.id == form_id)
        ).first()
        return None if row is None else StoredScanForm(*row)

    def by_easypost_id(self, easypost_id: str) -> StoredScanForm | None:
        row = self._session.execute(
            select(*_COLUMNS)
            .outerjoin(BatchRow, BatchRow.id == ScanFormRow.batch_id)
            .where(ScanFormRow.easypost_id == easypost_id)
        ).first()
        return None if row is None else StoredScanForm(*row)

    def all(self, *, since: datetime | None = None) -> list[StoredScanForm]:
        query = select(*_COLUMNS).outerjoin(BatchRow, BatchRow.id == ScanFormRow.batch_id)
        if since is not None:
            query = query.where(ScanFormRow.created_at >= since)
        rows = self._session.execute(query.order_by(ScanFormRow.created_at, ScanFormRow.id))
        return [StoredScanForm(*row) for row in rows]
