"""Buy runs (batches): create with a human reference, find one to resume, update."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.fulfilment import BatchStatus, PurchaseState
from app.store.models_fulfilment import BatchRow, LabelRow, PurchaseRow


@dataclass(frozen=True, slots=True)
class BatchRecord:
    """A stored batch."""

    id: int
    reference: str
    created_at: datetime
    station: str
    user: str
    status: BatchStatus
    package_type_id: int | None
    service_choice: str
    concurrency: int
    easypost_batch_id: str | None
    selection_json: str
    finished_at: datetime | None


def _to_record(row: BatchRow) -> BatchRecord:
    return BatchRecord(
        id=row.id,
        reference=row.reference,
        created_at=row.created_at,
        station=row.station,
        user=row.user,
        status=BatchStatus(row.status),
        package_type_id=row.package_type_id,
        service_choice=row.service_choice,
        concurrency=row.concurrency,
        easypost_batch_id=row.easypost_batch_id,
        selection_json=row.selection_json,
        finished_at=row.finished_at,
    )


class BatchRepository:
    """Batches inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def next_reference(self, day: datetime) -> str:
        """The next free B-YYYYMMDD-NNN for `day` (call inside a write transaction)."""
        prefix = f"B-{day:%Y%m%d}-"
        taken = self._session.scalars(
            select(BatchRow.reference).where(BatchRow.reference.like(f"{prefix}%"))
        ).all()
        numbers = [int(ref[len(prefix) :]) for ref in taken if ref[len(prefix) :].isdigit()]
        return f"{prefix}{max(numbers, default=0) + 1:03d}"

    def create(
        self,
        *,
        now: datetime,
        station: str,
        user: str,
        package_type_id: int | None,
        service_choice: str,
        concurrency: int,
        selection_json: str = "{}",
    ) -> BatchRecord:
        row = BatchRow(
            reference=self.next_reference(now),
            created_at=now,
            station=station,
            user=user,
            status=BatchStatus.OPEN.value,
            package_type_id=package_type_id,
            service_choice=service_choice,
            concurrency=concurrency,
            selection_json=selection_json,
        )
        self._session.add(row)
        self._session.flush()
        return _to_record(row)

    def get(self, batch_id: int) -> BatchRecord | None:
        row = self._session.get(BatchRow, batch_id)
        return None if row is None else _to_record(row)

    def by_reference(self, reference: str) -> BatchRecord | None:
        row = self._session.scalar(select(BatchRow).where(BatchRow.reference == reference))
        return None if row is None else _to_record(row)

    def latest_unfinished(self, selection_json: str) -> BatchRecord | None:
        """The newest batch with exactly this selection that did not finish (to resume it)."""
        row = self._session.scalar(
            select(BatchRow)
            .where(
                BatchRow.selection_json == selection_json,
                BatchRow.status != BatchStatus.DONE.value,
            )
            .order_by(BatchRow.id.desc())
            .limit(1)
        )
        return None if row is None else _to_record(row)

    def list(self, *, since: datetime | None = None, limit: int = 200) -> list[BatchRecord]:
        """Newest first."""
        query = select(BatchRow).order_by(BatchRow.id.desc()).limit(limit)
        if since is not None:
            query = query.where(BatchRow.created_at >= since)
        return [_to_record(row) for row in self._session.scalars(query)]

    def set_status(
        self, batch_id: int, status: BatchStatus, *, finished_at: datetime | None = None
    ) -> None:
        self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id)
            .values(status=status.value, finished_at=finished_at)
        )

    def set_concurrency(self, batch_id: int, concurrency: int) -> None:
        self._session.execute(
            update(BatchRow).where(BatchRow.id == batch_id).values(concurrency=concurrency)
        )

    def set_easypost_batch_id(self, batch_id: int, easypost_batch_id: str | None) -> None:
        self._session.execute(
            update(BatchRow)
            .where(BatchRow.id == batch_id)
            .values(easypost_batch_id=easypost_batch_id)
        )

    def spent(self, batch_id: int) -> Decimal:
        """What the batch spent: its labels plus its bought labels not recorded yet (derived,
        never a tally; exact decimals, summed here)."""
        return self.spent_by_batch([batch_id]).get(batch_id, Decimal(0))

    def spent_by_batch(self, batch_ids: Sequence[int]) -> dict[int, Decimal]:
        """Spend per batch (see spent())."""
        totals: dict[int, Decimal] = {batch_id: Decimal(0) for batch_id in batch_ids}
        for start in range(0, len(batch_ids), 900):
            chunk = batch_ids[start : start + 900]
            labels = self._session.execute(
                select(LabelRow.batch_id, LabelRow.amount_usd).where(LabelRow.batch_id.in_(chunk))
            )
            unrecorded = self._session.execute(
                select(PurchaseRow.batch_id, PurchaseRow.amount_usd).where(
                    PurchaseRow.batch_id.in_(chunk),
                    PurchaseRow.state == PurchaseState.UNRECORDED.value,
                )
            )
            for batch_id, amount in [*labels, *unrecorded]:
                if batch_id is not None and amount is not None:
                    totals[batch_id] += amount
        return totals
