"""Print jobs: the persisted print queues, and the label files and order statuses they touch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Row, Select, func, or_, select, update
from sqlalchemy.orm import Session

from app.domain.orders import OrderStatus
from app.domain.printing import ACTIVE_JOB_STATUSES, LabelSource, PrintJob, PrintJobStatus
from app.store.models import OrderRow
from app.store.models_fulfilment import LabelRow, PrintJobRow

_JOB_COLUMNS = (
    PrintJobRow,
    LabelRow.order_id,
    LabelRow.batch_id,
    LabelRow.tracking_code,
    OrderRow.external_id,
)


def _job_query() -> Select[PrintJobRow, int, int | None, str, str]:
    return (
        select(*_JOB_COLUMNS)
        .join(LabelRow, LabelRow.id == PrintJobRow.label_id)
        .join(OrderRow, OrderRow.id == LabelRow.order_id)
    )


def _to_job(result: Row[PrintJobRow, int, int | None, str, str]) -> PrintJob:
    row, order_id, batch_id, tracking, order_number = result
    return PrintJob(
        id=row.id,
        label_id=row.label_id,
        printer_uri=row.printer_uri,
        sequence=row.sequence,
        status=PrintJobStatus(row.status),
        attempts=row.attempts,
        error=row.error,
        reprint=row.reprint,
        queued_at=row.queued_at,
        printed_at=row.printed_at,
        order_id=order_id,
        batch_id=batch_id,
        tracking_code=tracking,
        order_number=order_number,
        station=row.station,
        queued_by=row.queued_by,
    )


def _values(statuses: Iterable[PrintJobStatus]) -> list[str]:
    return [s.value for s in statuses]


def _of_station(station: str | None) -> ColumnElement[bool]:
    """Jobs one station's queue takes: its own, and those from before stations ('')."""
    if station is None:
        return PrintJobRow.id.is_not(None)
    return PrintJobRow.station.in_([station, ""])


class PrintJobRepository:
    """Print jobs inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    # --- reading ---------------------------------------------------------------------------

    def get(self, job_id: int) -> PrintJob | None:
        row = self._session.execute(_job_query().where(PrintJobRow.id == job_id)).first()
        return None if row is None else _to_job(row)

    def for_printer(
        self,
        printer_uri: str,
        *,
        statuses: Iterable[PrintJobStatus] | None = None,
        min_id: int | None = None,
        station: str | None = None,
    ) -> list[PrintJob]:
        """The printer's jobs in queue order: those with `statuses`, or any from `min_id` on
        (both given: either condition); with `station`, only that station's printer's."""
        query = _job_query().where(PrintJobRow.printer_uri == printer_uri, _of_station(station))
        conditions: list[ColumnElement[bool]] = []
        if statuses is not None:
            conditions.append(PrintJobRow.status.in_(_values(statuses)))
        if min_id is not None:
            conditions.append(PrintJobRow.id >= min_id)
        if conditions:
            query = query.where(or_(*conditions))
        rows = self._session.execute(query.order_by(PrintJobRow.sequence, PrintJobRow.id))
        return [_to_job(row) for row in rows]

    def queued_after(
        self, printer_uri: str, after_id: int, *, station: str | None = None
    ) -> list[PrintJob]:
        """The printer's queued jobs newer than `after_id` (another process, or another
        station, queued them); with `station`, only that station's printer's."""
        rows = self._session.execute(
            _job_query()
            .where(
                PrintJobRow.printer_uri == printer_uri,
                _of_station(station),
                PrintJobRow.status == PrintJobStatus.QUEUED.value,
                PrintJobRow.id > after_id,
            )
            .order_by(PrintJobRow.sequence, PrintJobRow.id)
        )
        return [_to_job(row) for row in rows]

    def for_label(self, label_id: int) -> list[PrintJob]:
        """Every job of one label, oldest first."""
        rows = self._session.execute(
            _job_query().where(PrintJobRow.label_id == label_id).order_by(PrintJobRow.id)
        )
        return [_to_job(row) for row in rows]

    def max_id(self) -> int:
        return int(self._session.scalar(select(func.max(PrintJobRow.id))) or 0)

    def label_source(self, label_id: int) -> LabelSource | None:
        row = self._session.get(LabelRow, label_id)
        if row is None:
            return None
        return LabelSource(
            label_id=row.id,
            order_id=row.order_id,
            batch_id=row.batch_id,
            tracking_code=row.tracking_code,
            label_format=row.label_format,
            label_path=row.label_path,
            preview_path=row.preview_path,
            live=row.status == "live",
        )

    def batch_labels(self, batch_id: int) -> list[int]:
        """The live labels of a batch in the order they were asked for (the purchase journal
        is written in group order), then by label id for labels without a journal row."""
        rows = self._session.scalars(
            select(LabelRow.id)
            .where(LabelRow.batch_id == batch_id, LabelRow.status == "live")
            .order_by(LabelRow.purchase_id.is_(None), LabelRow.purchase_id, LabelRow.id)
        )
        return list(rows)

    def labels_with_jobs(
        self, label_ids: Iterable[int], statuses: Iterable[PrintJobStatus]
    ) -> set[int]:
        """Which of `label_ids` have a job in one of `statuses`."""
        ids = list(label_ids)
        found: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(
                self._session.scalars(
                    select(PrintJobRow.label_id).where(
                        PrintJobRow.label_id.in_(chunk),
                        PrintJobRow.status.in_(_values(statuses)),
                    )
                )
            )
        return found

    # --- writing ---------------------------------------------------------------------------

    def add(
        self,
        label_id: int,
        printer_uri: str,
        *,
        reprint: bool,
        at: datetime,
        station: str = "",
        queued_by: str = "",
    ) -> PrintJob:
        """A new queued job at the end of every queue (sequences only grow), for `station`'s
        printer, sent by `queued_by`."""
        sequence = int(self._session.scalar(select(func.max(PrintJobRow.sequence))) or 0) + 1
        row = PrintJobRow(
            label_id=label_id,
            printer_uri=printer_uri,
            sequence=sequence,
            status=PrintJobStatus.QUEUED.value,
            attempts=0,
            error=None,
            reprint=reprint,
            queued_at=at,
            printed_at=None,
            station=station,
            queued_by=queued_by,
        )
        self._session.add(row)
        self._session.flush()
        job = self.get(row.id)
        assert job is not None
        return job

    def _move(
        self,
        job_id: int,
        from_statuses: Iterable[PrintJobStatus],
        to: PrintJobStatus,
        **values: object,
    ) -> bool:
        result = self._session.execute(
            update(PrintJobRow)
            .where(PrintJobRow.id == job_id, PrintJobRow.status.in_(_values(from_statuses)))
            .values(status=to.value, **values)
        )
        return bool(getattr(result, "rowcount", 0))

    def claim(self, job_id: int) -> bool:
        """queued -> printing (one more attempt); False when someone else settled it."""
        return self._move(
            job_id,
            [PrintJobStatus.QUEUED],
            PrintJobStatus.PRINTING,
            attempts=PrintJobRow.attempts + 1,
        )

    def mark_printed(self, job_id: int, at: datetime) -> bool:
        """printing/queued -> printed, and the order to printed if it was waiting for it."""
        if not self._move(
            job_id, ACTIVE_JOB_STATUSES, PrintJobStatus.PRINTED, printed_at=at, error=None
        ):
            return False
        job = self.get(job_id)
        assert job is not None
        self._session.execute(
            update(OrderRow)
            .where(
                OrderRow.id == job.order_id,
                OrderRow.status == OrderStatus.LABEL_PURCHASED.value,
            )
            .values(status=OrderStatus.PRINTED.value, updated_at=at)
        )
        return True

    def requeue(self, job_id: int, error: str | None) -> bool:
        """printing -> queued (it did not reach the printer; it goes again in its place)."""
        return self._move(
            job_id,
            [PrintJobStatus.PRINTING, PrintJobStatus.QUEUED],
            PrintJobStatus.QUEUED,
            error=error,
        )

    def note_error(self, job_id: int, error: str) -> None:
        """Keep the job where it is (e.g. printing, in doubt) with why."""
        self._session.execute(
            update(PrintJobRow).where(PrintJobRow.id == job_id).values(error=error)
        )

    def fail(self, job_id: int, error: str) -> bool:
        return self._move(job_id, ACTIVE_JOB_STATUSES, PrintJobStatus.FAILED, error=error)

    def skip(self, job_id: int, reason: str | None) -> bool:
        return self._move(job_id, ACTIVE_JOB_STATUSES, PrintJobStatus.SKIPPED, error=reason)
