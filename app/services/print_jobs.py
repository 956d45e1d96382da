"""Print jobs as database rows: queue one with the same checks wherever it is made, and the
sink a buy hands its labels to (this process's queue, or the rows another process prints)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import PrintJob, PrintJobStatus
from app.services.clock import Clock, utc_now
from app.store import Store, StoreTransaction

if TYPE_CHECKING:
    from app.services.print_queue import PrintQueue


def add_checked_job(
    tx: StoreTransaction,
    uri: str,
    label_id: int,
    *,
    reprint: bool,
    at: datetime,
    station: str = "",
    queued_by: str = "",
) -> tuple[PrintJob, bool]:
    """Queue `label_id` on `station`'s printer `uri` in `tx` (sent by `queued_by`): (the job,
    True), or (its existing job, False). Only `station`'s queue prints it.

    Without `reprint` it is idempotent: a label already queued, being sent or printed gets its
    existing job back, so it never prints twice.

    Raises:
        AppError: NOT_FOUND (no such label), CONFLICT (refunded label, or the label is waiting
            in another printer's queue).
    """
    source = tx.print_jobs.label_source(label_id)
    if source is None:
        raise AppError(
            f"There is no label {label_id}.",
            kind=ErrorKind.NOT_FOUND,
            details={"label_id": label_id},
        )
    if not source.live:
        raise AppError(
            f"Label {source.tracking_code} was refunded (or its refund is under "
            "way), so it must not be used.",
            hint="Buy a new label for the order if it still ships.",
            kind=ErrorKind.CONFLICT,
            details={"label_id": label_id, "order_id": source.order_id},
        )
    if not reprint:
        existing = _existing_job(uri, station, tx.print_jobs.for_label(label_id))
        if existing is not None:
            return existing, False
    job = tx.print_jobs.add(
        label_id, uri, reprint=reprint, at=at, station=station, queued_by=queued_by
    )
    return job, True


def _existing_job(uri: str, station: str, jobs: list[PrintJob]) -> PrintJob | None:
    for job in reversed(jobs):
        if job.status is PrintJobStatus.PRINTED:
            return job
        if job.active:
            if job.printer_uri != uri or job.station not in (station, ""):
                raise AppError(
                    f"Label {job.tracking_code} is already queued on {job.printer_label}.",
                    hint="Skip it there first, or reprint it here.",
                    kind=ErrorKind.CONFLICT,
                    details={"label_id": job.label_id, "job_id": job.id},
                )
            return job
    return None


@dataclass
class PrintSink:
    """Bought labels for one printer: printed by `queue` here, or left queued in the database
    for the process that holds the printer (`queue` None; `left` counts them): another window
    of this station, or the station the printer belongs to (`station`, sent by `queued_by`)."""

    printer_name: str
    uri: str
    queue: PrintQueue | None
    store: Store | None = None
    clock: Clock = utc_now
    left: list[int] = field(default_factory=list)
    label_format: str = ""  # what to buy for this printer (Setup); "" = the profile's format
    station: str = ""
    queued_by: str = ""
    other_station: bool = False

    @property
    def printed_elsewhere(self) -> bool:
        return self.queue is None

    def enqueue(self, label_id: int, *, reprint: bool = False) -> PrintJob:
        if self.queue is not None:
            return self.queue.enqueue(label_id, reprint=reprint)
        assert self.store is not None
        with self.store.transaction(write=True) as tx:
            job, created = add_checked_job(
                tx,
                self.uri,
                label_id,
                reprint=reprint,
                at=self.clock(),
                station=self.station,
                queued_by=self.queued_by,
            )
        if created:
            self.left.append(job.id)
        return job

    def where(self) -> str:
        """Who prints these labels, for the report."""
        if self.queue is not None:
            return f"printed on {self.printer_name}"
        if self.other_station:
            return (
                f"{len(self.left)} label(s) queued for {self.printer_name} at station "
                f"{self.station}; that station's Packdesk prints them"
            )
        return (
            f"{len(self.left)} label(s) queued for {self.printer_name} ({self.uri}); the "
            "Packdesk window that holds this printer prints them"
        )
