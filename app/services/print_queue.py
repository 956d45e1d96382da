"""Print queues: one serial worker per printer; every label prints exactly once unless reprinted.

How a job moves (app.domain.printing.PrintJobStatus), and why it is exactly once:

- `enqueue` writes a `queued` row (its `sequence` fixes the order) before anything is sent.
- The worker marks the job `printing` (committed) BEFORE the first byte goes out, then sends it
  with `Printer.print_jobs([job], on_sent=...)`.
- It becomes `printed` once the printer has taken it: on USB (and the virtual, spooler and file
  routes) a finished write means the device holds the bytes; on TCP only a status reply read
  after the job proves it arrived. A fault the printer reports AFTER taking the job
  (`PrintResult.problem_after`, or a PAPER_OUT/HEAD_OPEN/DISCONNECTED raised after `on_sent`)
  leaves the label in the printer's buffer: it prints once the fault is fixed, so it is
  `printed` and never resent.
- A fault BEFORE the printer took the job (status check refused it, the write failed) puts it
  back to `queued` in its place and PAUSES the queue with the printer status and a hint; after
  the fix, `resume()` sends it again (a DISCONNECTED printer is reopened first).
- A job that may or may not have arrived (TCP connection lost between the write and the
  confirming status reply, or the program stopped while a job was `printing`) is IN DOUBT. It
  is never resent or dropped silently: the queue stays paused until the packer looks at the
  printer and calls `resend(job_id)` or `mark_printed(job_id)` (or `skip`). On start-up every
  job left `printing` by an earlier run is in doubt; jobs left `queued` are simply printed.
- One queue per printer across processes: a queue holds an OS file lock for its printer
  (beside the database) from start to close, so a job `printing` is never taken for in doubt
  while another window is sending it; a second queue on that printer is refused (CONFLICT).
- The printer is kept only a few labels ahead (MAX_LABELS_AHEAD by its own count, or
  MAX_UNCOUNTED_AHEAD since it was last idle), so its buffer never fills: a status query is
  always answered (a fault reads as that fault) and no write blocks half-way through a label.

Threads: `enqueue`, `reprint`, `pause`, `resume`, `skip`, `resend`, `mark_printed`, `jobs` and
`status` may be called from any thread (the purchase workers enqueue as labels are bought).
Listeners are called from the queue's worker thread or from the thread that made the change;
they must be quick and must not block on the GUI (post to it instead). A listener that raises
is logged with its traceback and the queue goes on.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import (
    LabelSource,
    PauseCause,
    PrintJob,
    PrintJobStatus,
    QueueState,
)
from app.infra.file_lock import ExclusiveFileLock
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.audit import AuditAction
from app.services.clock import Clock, utc_now
from app.services.print_jobs import PrintSink, add_checked_job
from app.services.station_printers import StationPrinter, StationPrinterDirectory
from app.store import Store, StoreTransaction
from printers.errors import PrinterError, PrinterErrorKind
from printers.media import get_media
from printers.models import PrinterModel
from printers.models import Protocol as PrinterProtocol
from printers.printer import Printer, open_printer
from printers.status import PrinterState, PrinterStatus
from printers.uri import parse_uri

_log = logging.getLogger(__name__)

#: Opens a printer: (URI, model name or None to detect it) -> an open Printer.
PrinterFactory = Callable[[str, str | None], Printer]
#: Asked before each label with (queue URI, open printer): why to stop (the roll is used up,
#: app.services.roll_supply) or None to go on.
RollGate = Callable[[str, Printer], str | None]

# A finished write means the device (or the spooler, the file, the virtual printer) has the
# bytes. Raw TCP only hands them to the kernel: a status reply after them proves they arrived.
_WRITE_ACKNOWLEDGED_SCHEMES = frozenset({"usb", "virtual", "spool", "file"})
# Faults of this label, not of the printer: the job fails and the queue goes on after resume.
_LABEL_FAULTS = frozenset({PrinterErrorKind.BAD_LABEL, PrinterErrorKind.LABEL_DOES_NOT_FIT})
# Faults after which the connection is not to be trusted: reopen it before the next job.
_LINK_FAULTS = frozenset(
    {
        PrinterErrorKind.DISCONNECTED,
        PrinterErrorKind.TIMEOUT,
        PrinterErrorKind.PROTOCOL,
        PrinterErrorKind.BUSY,
        PrinterErrorKind.NOT_FOUND,
    }
)
# EasyPost's ZPL and EPL2 labels are drawn at 203 dpi: sent raw only to a printer of that dpi.
_NATIVE_FORMATS = {"ZPL": PrinterProtocol.ZPL, "EPL2": PrinterProtocol.EPL2}
_NATIVE_DPI = 203
_IMAGE_FORMATS = frozenset({"PNG", "PDF", "JPG", "JPEG", "GIF"})
# Labels a printer may hold unprinted before the next is sent (when it reports the count, as
# Zebras do). Enough that it never waits; few enough that its buffer never fills, so a status
# query is always answered (paper out is seen as paper out) and no write is cut mid-job.
MAX_LABELS_AHEAD = 4
# Printers that only say busy or not (DYMO): labels sent since it was last seen idle. A DYMO's
# buffer holds about three 4x6 rasters; the mechanism takes seconds per label, so it still
# never waits long for the next.
MAX_UNCOUNTED_AHEAD = 2
STATUS_POLL_S = 0.2
_NEW_ROLL_HINT = (
    "Load a new roll, then choose New roll in the Print queue "
    "(packdesk-cli printers new-roll NAME --labels N); printing goes on from this label."
)


class PrintAudit(Protocol):
    """Where prints, skips and reprints are written down (app.services.audit.AuditLog), in the
    transaction that makes the change; its `station` is this desk's, read at each use since
    Setup may rename it)."""

    station: str

    def record_in(
        self,
        tx: StoreTransaction,
        action: AuditAction,
        *,
        order_id: int | None = None,
        label_id: int | None = None,
        batch_id: int | None = None,
        details: Mapping[str, object] | None = None,
    ) -> object: ...


@dataclass(frozen=True, slots=True)
class QueuePause:
    """Why a queue is paused and what the packer should do."""

    cause: PauseCause
    message: str
    hint: str = ""
    error_kind: str = ""  # the PrinterErrorKind value for printer faults
    job_id: int | None = None  # the job it concerns, if one


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """A snapshot of one printer's queue."""

    printer_uri: str
    printer_name: str
    model: str  # the detected or configured model name ("" until known)
    state: QueueState
    pause: QueuePause | None
    printer_status: PrinterStatus | None  # the last status the printer reported
    queued: int
    in_doubt: tuple[int, ...]  # job ids waiting for resend / mark printed
    current_job_id: int | None
    printed: int  # jobs this queue printed since it opened


@dataclass(frozen=True, slots=True)
class QueueEvent:
    """Something changed: the queue's status, and the job concerned (if one)."""

    status: QueueStatus
    job: PrintJob | None = None


Listener = Callable[[QueueEvent], None]


def open_configured_printer(uri: str, model: str | None) -> Printer:
    """The app's printer factory: open `uri` (the model detected when None)."""
    return open_printer(uri, model)


def printer_app_error(error: PrinterError) -> AppError:
    """A printer library error as the app's error family (kind PRINTER), hint kept."""
    return AppError(
        str(error.message) if not error.device else f"{error.device}: {error.message}",
        hint=error.hint,
        kind=ErrorKind.PRINTER,
        details={"printer": error.device, "printer_error": error.kind.value},
    )


def canonical_uri(uri: str) -> str:
    """One spelling per printer, so jobs of the same printer share a queue."""
    return str(parse_uri(uri))


def printer_lock_path(database: Path, uri: str) -> Path:
    """The lock file of one printer's queue, beside the database.

    Named from the canonical URI, lowercased (USB ids, host and queue names are not case
    sensitive; file paths are kept as they are), so every spelling of a printer shares it.
    """
    canonical = canonical_uri(uri)
    key = canonical if canonical.startswith("file://") else canonical.lower()
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:48]
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return database.with_name(f"{database.name}.print-{slug}-{digest}.lock")


class PrinterQueueLock:
    """One queue per printer across processes.

    Without it a second queue (CLI `print --batch` beside the GUI) would see the GUI's job
    being sent as `printing`, take it for in doubt, and could print it twice.
    """

    def __init__(self, path: Path, printer_name: str, uri: str, station: str = "") -> None:
        self.path = path
        self._printer_name = printer_name
        self._uri = uri
        self._station = station
        self._lock = ExclusiveFileLock(path)

    @staticmethod
    def holder_station(path: Path) -> str | None:
        """The station whose queue holds the lock at `path` (several station processes on one
        PC): a desk that finds the printer taken queues its labels for that station."""
        try:
            return path.with_name(path.name + ".station").read_text(encoding="utf-8").strip()
        except OSError:
            return None

    def acquire(self) -> None:
        """Raises AppError CONFLICT when another queue (any process) holds this printer."""
        if not self._lock.try_acquire():
            raise AppError(
                f"{self._printer_name} ({self._uri}) is already printing from another Packdesk "
                "window or command.",
                hint="Close the other Packdesk window or wait for its printing to finish, then "
                "try again.",
                kind=ErrorKind.CONFLICT,
                details={"printer": self._uri, "lock": str(self.path)},
            )
        if self._station:  # beside the lock: reading it never touches the locked byte
            with contextlib.suppress(OSError):
                self.path.with_name(self.path.name + ".station").write_text(
                    self._station, encoding="utf-8"
                )

    def release(self) -> None:
        self._lock.release()


def choose_label_file(source: LabelSource, model: PrinterModel, labels_dir: Path) -> Path:
    """The file to send: the bought raw language when the printer speaks it at its dpi, else
    the PNG preview (or the bought image/PDF).

    Raises:
        AppError: NOT_FOUND when the label has no printable file.
    """

    def resolve(path: str) -> Path:
        candidate = Path(path)
        return candidate if candidate.is_absolute() else labels_dir / candidate

    fmt = source.label_format.upper()
    if source.label_path and _NATIVE_FORMATS.get(fmt) is model.family and model.dpi == _NATIVE_DPI:
        return resolve(source.label_path)
    if source.preview_path:
        return resolve(source.preview_path)
    if source.label_path and fmt in _IMAGE_FORMATS:
        return resolve(source.label_path)
    raise AppError(
        f"Label {source.tracking_code} has no file {model.display_name} can print "
        f"(bought as {fmt}, no PNG preview).",
        hint="Download the label again as PNG, or print it on a printer of its language.",
        kind=ErrorKind.NOT_FOUND,
        details={"label_id": source.label_id},
    )


#: How often an idle (or paused) queue looks for jobs another process queued for its printer.
FOREIGN_JOBS_POLL_S = 1.0


class PrintQueue:
    """The serial queue of one printer. Create through PrintQueueService.queue_for."""

    def __init__(
        self,
        printer: ConfiguredPrinter,
        *,
        store: Store,
        printer_factory: PrinterFactory,
        audit: PrintAudit,
        clock: Clock,
        labels_dir: Path,
        roll_gate: RollGate | None = None,
    ) -> None:
        self.uri = canonical_uri(printer.uri)
        self._roll_gate = roll_gate
        self.name = printer.name
        self._configured_model = printer.model
        #: The stock loaded (Setup's media, "" = 4x6 die-cut); PrintQueueService keeps it current.
        self.media_name = printer.media
        self._store = store
        self._factory = printer_factory
        self._audit = audit
        self._clock = clock
        self._labels_dir = labels_dir
        self._acknowledged_writes = parse_uri(self.uri).scheme in _WRITE_ACKNOWLEDGED_SCHEMES
        self._cond = threading.Condition()
        self._enqueue_lock = threading.Lock()  # sequence order == call order == queue order
        self._pending: list[tuple[int, int]] = []  # (sequence, job id) of queued jobs
        self._in_doubt: dict[int, int] = {}  # job id -> sequence
        self._pause: QueuePause | None = None
        self._current: int | None = None
        self._closed = False
        self._printed = 0
        self._printer: Printer | None = None
        self._needs_reopen = False
        self._printer_status: PrinterStatus | None = None
        self._uncounted_ahead = 0  # labels sent since a count-less printer was last idle
        self._listeners: list[Listener] = []
        # Before reading the jobs: only the holder may take `printing` jobs for in doubt.
        self._printer_lock = PrinterQueueLock(
            printer_lock_path(store.path, self.uri), self.name, self.uri, audit.station
        )
        self._printer_lock.acquire()
        try:
            self._load()
            self._worker = threading.Thread(target=self._run, name=f"print-queue {self.uri}")
            self._worker.daemon = True  # close() stops it properly; never hold the process open
            self._worker.start()
        except BaseException:
            self._printer_lock.release()
            raise

    # --- start-up --------------------------------------------------------------------------

    def _load(self) -> None:
        """Pick up what an earlier run left: queued jobs go on, printing ones are in doubt."""
        with self._store.transaction() as tx:
            left = tx.print_jobs.for_printer(
                self.uri,
                statuses=[PrintJobStatus.QUEUED, PrintJobStatus.PRINTING],
                station=self._audit.station,
            )
            next_id = tx.print_jobs.max_id() + 1
        self._seen_job_id = next_id - 1  # jobs after it are picked up by _adopt_foreign_jobs
        # jobs() shows what this queue settles: its own and those it took over.
        self._first_job_id = min([job.id for job in left], default=next_id)
        for job in left:
            if job.status is PrintJobStatus.QUEUED:
                self._pending.append((job.sequence, job.id))
            else:
                self._in_doubt[job.id] = job.sequence
        self._pending.sort()
        if self._in_doubt:
            count = len(self._in_doubt)
            self._pause = QueuePause(
                PauseCause.IN_DOUBT,
                f"{count} label(s) were being sent to {self.name} when Packdesk stopped; "
                "they may or may not have printed.",
                hint="Look at what came out of the printer, then choose Resend or Mark printed "
                "for each (packdesk-cli print --resend JOB / --mark-printed JOB).",
                job_id=min(self._in_doubt, key=self._in_doubt.__getitem__),
            )

    # --- listeners -------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` on every change (see the module docstring for the thread);
        returns a function that removes it."""
        with self._cond:
            self._listeners.append(listener)

        def remove() -> None:
            with self._cond:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    def _emit(self, job: PrintJob | None = None) -> None:
        with self._cond:
            listeners = list(self._listeners)
            status = self._status_locked()
        event = QueueEvent(status, self._with_doubt(job) if job else None)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 (logged; a broken listener must not stop the printer)
                _log.exception("A print queue listener failed on %s", self.uri)

    # --- what callers do -------------------------------------------------------------------

    def enqueue(self, label_id: int, *, reprint: bool = False) -> PrintJob:
        """Queue one label at the end. Without `reprint` it is idempotent: a label already
        queued, being sent or printed gets its existing job back, so it never prints twice.

        Raises:
            AppError: NOT_FOUND (no such label), CONFLICT (refunded label, queue closed, or the
                label is waiting in another printer's queue).
        """
        with self._enqueue_lock:
            self._check_open()
            with self._store.transaction(write=True) as tx:
                station = self._audit.station
                job, created = add_checked_job(
                    tx,
                    self.uri,
                    label_id,
                    reprint=reprint,
                    at=self._clock(),
                    station=station,
                    queued_by=station,
                )
                if not created:
                    return self._with_doubt(job)
                if reprint:
                    self._record(tx, AuditAction.PRINT_REPRINT_QUEUED, job)
            with self._cond:
                self._queue_locked(job)
                self._cond.notify_all()
        self._emit(job)
        return job

    def _queue_locked(self, job: PrintJob) -> None:
        """Put a queued job in its place (once: the poller may have seen it first)."""
        entry = (job.sequence, job.id)
        if entry not in self._pending:
            bisect.insort(self._pending, entry)
        self._seen_job_id = max(self._seen_job_id, job.id)

    def _adopt_foreign_jobs(self) -> None:
        """Jobs other processes queued for this printer (a CLI buy beside this window, or
        another station's desk): this queue holds the printer, so it prints them. Only this
        station's: a printer at the same URI on another station is not this one. One cheap
        query while nothing changed."""
        with self._enqueue_lock:
            with self._store.transaction() as tx:
                newest = tx.print_jobs.max_id()
                if newest <= self._seen_job_id:
                    return
                found = tx.print_jobs.queued_after(
                    self.uri, self._seen_job_id, station=self._audit.station
                )
            with self._cond:
                self._seen_job_id = max(self._seen_job_id, newest)
                for job in found:
                    self._queue_locked(job)
                self._cond.notify_all()
        if found:
            _log.info("%s: %d label(s) queued by another process", self.uri, len(found))
            for job in found:  # listeners (the Print queue panel) show each new job
                self._emit(job)

    def reprint(self, label_id: int) -> PrintJob:
        """Queue another copy of an already printed (or skipped) label."""
        return self.enqueue(label_id, reprint=True)

    def pause(self, reason: str = "") -> None:
        """Stop after the label being sent now (a pause for another cause stays as it is)."""
        with self._cond:
            if self._pause is None:
                self._pause = QueuePause(
                    PauseCause.USER,
                    reason or f"Printing on {self.name} was paused.",
                    hint="Resume when ready.",
                )
        self._emit()

    def resume(self) -> None:
        """Go on with the next label (the one that did not print, after a fault).

        Raises:
            AppError: CONFLICT while labels are in doubt (resend or mark them printed first).
        """
        with self._cond:
            self._check_open_locked()
            if self._in_doubt:
                ids = ", ".join(str(i) for i in sorted(self._in_doubt))
                raise AppError(
                    f"Printing on {self.name} cannot go on yet: job(s) {ids} may or may not have "
                    "printed.",
                    hint="Look at the printer, then Resend or Mark printed each of them.",
                    kind=ErrorKind.CONFLICT,
                    details={"jobs": sorted(self._in_doubt)},
                )
            self._pause = None
            self._cond.notify_all()
        self._emit()

    def skip(self, job_id: int, reason: str = "") -> PrintJob:
        """Do not print this job (queued or in doubt).

        Raises:
            AppError: CONFLICT when it is being sent right now or is already settled.
        """
        with self._cond:
            if self._current == job_id:
                raise AppError(
                    f"Job {job_id} is being sent to the printer right now.",
                    hint="Pause the queue and try again when it stopped.",
                    kind=ErrorKind.CONFLICT,
                )
        return self._settle(
            job_id,
            PrintJobStatus.SKIPPED,
            reason or "skipped by the packer",
            AuditAction.PRINT_SKIPPED,
        )

    def resend(self, job_id: int) -> PrintJob:
        """The packer saw an in-doubt label did NOT print: send it again in its place."""
        return self._settle(
            job_id, PrintJobStatus.QUEUED, None, AuditAction.PRINT_RESENT, only_in_doubt=True
        )

    def mark_printed(self, job_id: int) -> PrintJob:
        """The packer saw an in-doubt label DID print: settle it without sending it again."""
        return self._settle(
            job_id,
            PrintJobStatus.PRINTED,
            None,
            AuditAction.PRINT_MARKED_PRINTED,
            only_in_doubt=True,
        )

    def _settle(
        self,
        job_id: int,
        to: PrintJobStatus,
        reason: str | None,
        action: AuditAction,
        *,
        only_in_doubt: bool = False,
    ) -> PrintJob:
        with self._cond:
            if self._current == job_id:
                raise AppError(
                    f"Job {job_id} is being sent to the printer right now.",
                    kind=ErrorKind.CONFLICT,
                )
            if only_in_doubt and job_id not in self._in_doubt:
                raise AppError(
                    f"Job {job_id} is not waiting for a decision on {self.name}.",
                    hint="Only labels in doubt (sent when the connection or program stopped) "
                    "can be resent or marked printed; use reprint for a new copy.",
                    kind=ErrorKind.CONFLICT,
                    details={"job_id": job_id},
                )
            with self._store.transaction(write=True) as tx:
                current = tx.print_jobs.get(job_id)
                if current is None or current.printer_uri != self.uri or not current.active:
                    raise AppError(
                        f"Job {job_id} is not waiting in the queue of {self.name}.",
                        kind=ErrorKind.CONFLICT,
                        details={"job_id": job_id},
                    )
                if to is PrintJobStatus.SKIPPED:
                    tx.print_jobs.skip(job_id, reason)
                elif to is PrintJobStatus.PRINTED:
                    tx.print_jobs.mark_printed(job_id, self._clock())
                else:
                    tx.print_jobs.requeue(job_id, None)
                job = tx.print_jobs.get(job_id)
                assert job is not None
                self._record(tx, action, job, reason=reason)
            self._in_doubt.pop(job_id, None)
            entry = (current.sequence, job_id)
            if entry in self._pending:
                self._pending.remove(entry)
            if to is PrintJobStatus.QUEUED:
                bisect.insort(self._pending, entry)
            if (
                not self._in_doubt
                and self._pause is not None
                and self._pause.cause is PauseCause.IN_DOUBT
            ):
                self._pause = None  # the packer decided: go on
            self._cond.notify_all()
        self._emit(job)
        return job

    # --- looking ---------------------------------------------------------------------------

    def jobs(self, *, include_finished: bool = True) -> list[PrintJob]:
        """The jobs waiting (and in doubt), plus those settled since this queue opened."""
        with self._store.transaction() as tx:
            jobs = tx.print_jobs.for_printer(
                self.uri,
                statuses=[PrintJobStatus.QUEUED, PrintJobStatus.PRINTING],
                min_id=self._first_job_id if include_finished else None,
                station=self._audit.station,
            )
        return [self._with_doubt(job) for job in jobs]

    def status(self) -> QueueStatus:
        with self._cond:
            return self._status_locked()

    def _status_locked(self) -> QueueStatus:
        if self._closed:
            state = QueueState.CLOSED
        elif self._current is not None:
            state = QueueState.PRINTING
        elif self._pause is not None:
            state = QueueState.PAUSED
        elif self._pending:
            state = QueueState.PRINTING
        else:
            state = QueueState.IDLE
        return QueueStatus(
            printer_uri=self.uri,
            printer_name=self.name,
            model=self._printer.model.name if self._printer else self._configured_model,
            state=state,
            pause=self._pause,
            printer_status=self._printer_status,
            queued=len(self._pending),
            in_doubt=tuple(sorted(self._in_doubt, key=self._in_doubt.__getitem__)),
            current_job_id=self._current,
            printed=self._printed,
        )

    def _with_doubt(self, job: PrintJob) -> PrintJob:
        with self._cond:
            doubt = job.id in self._in_doubt
        return replace(job, in_doubt=doubt) if doubt != job.in_doubt else job

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        """Wait until nothing is left to send; True then. False when it stopped short:
        paused (see status()), closed, or `timeout` seconds passed."""
        with self._cond:
            finished = self._cond.wait_for(
                lambda: (
                    self._closed
                    or (self._current is None and (not self._pending or self._pause is not None))
                ),
                timeout,
            )
            return bool(finished) and not self._closed and not self._pending and not self._in_doubt

    def close(self) -> None:
        """Stop after the label being sent; queued jobs stay queued for the next run."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._worker.join()
        printer, self._printer = self._printer, None
        try:
            if printer is not None:
                printer.close()
        finally:
            self._printer_lock.release()
        self._emit()

    def _check_open(self) -> None:
        with self._cond:
            self._check_open_locked()

    def _check_open_locked(self) -> None:
        if self._closed:
            raise AppError(f"The print queue of {self.name} is closed.", kind=ErrorKind.CONFLICT)

    # --- the worker ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (self._pause is not None or not self._pending):
                    if not self._cond.wait(timeout=FOREIGN_JOBS_POLL_S):
                        break  # a look at jobs other processes queued for this printer
                if self._closed:
                    return
                job_id = self._pending[0][1] if self._pause is None and self._pending else None
                self._current = job_id
            if job_id is None:
                try:
                    self._adopt_foreign_jobs()
                except Exception:  # noqa: BLE001 (a busy or locked database: look again later)
                    _log.exception("Looking for queued jobs of %s failed", self.uri)
                continue
            try:
                self._print_one(job_id)
            except Exception as error:  # noqa: BLE001 (a bug: logged, the queue pauses and says so)
                _log.exception("The print queue of %s failed on job %s", self.uri, job_id)
                self._set_pause(
                    QueuePause(
                        PauseCause.INTERNAL,
                        f"Printing stopped on an unexpected error: {error}",
                        hint="See the log for details; resume to try again.",
                        job_id=job_id,
                    )
                )
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()
            self._emit()

    def _drop_pending(self, job_id: int) -> None:
        with self._cond:
            self._pending = [entry for entry in self._pending if entry[1] != job_id]

    def _set_pause(self, pause: QueuePause) -> None:
        with self._cond:
            self._pause = pause
            self._cond.notify_all()

    def _printer_pause(self, error: PrinterError, job_id: int | None) -> None:
        self._set_pause(
            QueuePause(
                PauseCause.PRINTER,
                error.message,
                hint=error.hint,
                error_kind=error.kind.value,
                job_id=job_id,
            )
        )

    def _print_one(self, job_id: int) -> None:
        with self._store.transaction() as tx:
            job = tx.print_jobs.get(job_id)
            source = tx.print_jobs.label_source(job.label_id) if job else None
        if job is None or source is None or job.status is not PrintJobStatus.QUEUED:
            self._drop_pending(job_id)  # settled elsewhere (another window, another run)
            return
        if not source.live:
            self._fail(job, "the label was refunded", "It must not be used; nothing printed.")
            return
        try:
            printer = self._open_printer()
        except PrinterError as error:
            self._printer_pause(error, job_id)
            return
        if self._roll_gate is not None and (stop := self._roll_gate(self.uri, printer)):
            # The job stays queued in its place; new roll -> resume sends it.
            self._set_pause(QueuePause(PauseCause.ROLL, stop, hint=_NEW_ROLL_HINT, job_id=job_id))
            return
        try:
            payload = printer.encode(
                choose_label_file(source, printer.model, self._labels_dir).read_bytes(),
                media=get_media(self.media_name) if self.media_name.strip() else None,
            )
        except AppError as error:
            self._fail(job, error.message, error.hint)
            return
        except OSError as error:
            self._fail(
                job,
                f"its file cannot be read: {error.strerror or error}",
                "Download the label again, then reprint it.",
            )
            return
        except PrinterError as error:
            if error.kind in _LABEL_FAULTS:
                self._fail(job, error.message, error.hint)
            else:
                self._printer_pause(error, job_id)
            return
        try:
            if not self._wait_for_room(printer):
                return  # paused or closed meanwhile: the job waits, untouched
        except PrinterError as error:
            if error.kind in _LINK_FAULTS:
                self._needs_reopen = True
            self._printer_pause(error, job_id)
            return
        with self._store.transaction(write=True) as tx:
            claimed = tx.print_jobs.claim(job_id)
            printing = tx.print_jobs.get(job_id)
        if not claimed or printing is None:
            self._drop_pending(job_id)
            return
        self._drop_pending(job_id)
        self._emit(printing)
        self._send(printer, printing, payload)

    def _wait_for_room(self, printer: Printer) -> bool:
        """Hold the next label while the printer already has MAX_LABELS_AHEAD to print; False
        when the queue was paused or closed meanwhile. A fault seen here is raised."""
        status = self._printer_status
        while self._must_wait(status):
            with self._cond:
                self._cond.wait_for(lambda: self._closed or self._pause is not None, STATUS_POLL_S)
                if self._closed or self._pause is not None:
                    return False
            status = printer.status(query_write_timeout_ms=printer.write_timeout_ms)
            self._note_status(status)
            if status.state is PrinterState.OFFLINE:
                raise PrinterError(
                    PrinterErrorKind.TIMEOUT,
                    "The printer does not answer a status query",
                    hint="Check that it is on and not showing an error light.",
                    device=self.uri,
                )
            status.raise_for_problem(self.uri)
        return True

    def _must_wait(self, status: PrinterStatus | None) -> bool:
        if status is None:
            return False
        if status.labels_remaining is not None:
            return status.labels_remaining >= MAX_LABELS_AHEAD
        return status.state is PrinterState.BUSY and self._uncounted_ahead >= MAX_UNCOUNTED_AHEAD

    def _note_status(self, status: PrinterStatus) -> None:
        self._printer_status = status
        if status.state is PrinterState.READY:
            self._uncounted_ahead = 0  # nothing left in it

    def _open_printer(self) -> Printer:
        if self._printer is not None and self._needs_reopen:
            self._printer.reopen()  # e.g. after a replug: the printer has a new bus address
            self._needs_reopen = False
        if self._printer is None:
            self._printer = self._factory(self.uri, self._configured_model or None)
            self._needs_reopen = False
        return self._printer

    def _send(self, printer: Printer, job: PrintJob, payload: bytes) -> None:
        sent = False

        def on_sent(_index: int) -> None:
            nonlocal sent
            sent = True

        try:
            result = printer.print_jobs([payload], on_sent=on_sent)
        except PrinterError as error:
            if error.kind in _LINK_FAULTS:
                self._needs_reopen = True
            self._printer_status = None
            if not sent:
                self._requeue(job, error)
            elif self._acknowledged_writes or error.kind not in _LINK_FAULTS:
                # The device took every byte (or answered a status after them): the label is
                # in its buffer and comes out once the fault is fixed.
                self._printed_ok(job)
                self._printer_pause(error, None)
            else:
                self._doubt(job, error.message, error.hint)
            return
        except BaseException:
            # Not a printer fault (a bug, an interrupt): the job must not be lost either way.
            if sent:
                self._doubt(job, "printing was interrupted after the label was sent", "")
            else:
                self._requeue(job, None)
            raise
        self._uncounted_ahead += 1
        self._note_status(result.status_after)
        answered = result.status_after.state is not PrinterState.OFFLINE
        if self._acknowledged_writes or answered:
            self._printed_ok(job)
        else:
            self._doubt(
                job,
                "the printer stopped answering right after the label was sent",
                "Check whether it printed, then Resend or Mark printed.",
            )
            return
        if result.problem_after:
            try:
                result.status_after.raise_for_problem(self.uri)
            except PrinterError as error:
                self._printer_pause(error, None)

    # --- settling one job ------------------------------------------------------------------

    def _printed_ok(self, job: PrintJob) -> None:
        at = self._clock()
        with self._store.transaction(write=True) as tx:
            tx.print_jobs.mark_printed(job.id, at)
            done = tx.print_jobs.get(job.id)
            self._record(tx, AuditAction.LABEL_PRINTED, done or job)
        with self._cond:
            self._printed += 1
        self._emit(done)

    def _requeue(self, job: PrintJob, error: PrinterError | None) -> None:
        with self._store.transaction(write=True) as tx:
            tx.print_jobs.requeue(job.id, str(error) if error else None)
            again = tx.print_jobs.get(job.id)
        with self._cond:
            bisect.insort(self._pending, (job.sequence, job.id))
        if error is not None:
            self._printer_pause(error, job.id)
        self._emit(again)

    def _doubt(self, job: PrintJob, why: str, hint: str) -> None:
        with self._store.transaction(write=True) as tx:
            tx.print_jobs.note_error(job.id, f"in doubt: {why}")
            noted = tx.print_jobs.get(job.id)
            self._record(tx, AuditAction.PRINT_IN_DOUBT, job, reason=why)
        with self._cond:
            self._in_doubt[job.id] = job.sequence
        self._set_pause(
            QueuePause(
                PauseCause.IN_DOUBT,
                f"Label {job.tracking_code} may or may not have printed: {why}.",
                hint=(hint + " " if hint else "") + "Then choose Resend or Mark printed for it.",
                job_id=job.id,
            )
        )
        self._emit(noted)

    def _fail(self, job: PrintJob, why: str, hint: str) -> None:
        with self._store.transaction(write=True) as tx:
            tx.print_jobs.fail(job.id, why)
            failed = tx.print_jobs.get(job.id)
            self._record(tx, AuditAction.PRINT_FAILED, job, reason=why)
        self._drop_pending(job.id)
        self._set_pause(
            QueuePause(
                PauseCause.LABEL,
                f"Label {job.tracking_code} cannot be printed: {why}.",
                hint=(hint + " " if hint else "") + "Resume to go on with the next label.",
                job_id=job.id,
            )
        )
        self._emit(failed)

    def _record(
        self, tx: StoreTransaction, action: AuditAction, job: PrintJob, **extra: object
    ) -> None:
        details: dict[str, object] = {
            "job_id": job.id,
            "printer": self.uri,
            "reprint": job.reprint,
            "tracking_code": job.tracking_code,
        }
        if job.queued_by and job.queued_by != self._audit.station:
            details["sent_from"] = job.queued_by  # another station's desk sent it here
        details.update({k: v for k, v in extra.items() if v})
        self._audit.record_in(
            tx,
            action,
            order_id=job.order_id,
            label_id=job.label_id,
            batch_id=job.batch_id,
            details=details,
        )


class SavedPrinters:
    """The printers as saved in the settings file, read again only after the file changed.

    The Printers dialog saves through SettingsStore (an atomic replace: new inode, new mtime),
    so a printer added or a new default is seen at the next lookup without re-parsing the
    settings for every label queued.
    """

    def __init__(self, path: Path, load: Callable[[], PrinterSettings]) -> None:
        self._path = path
        self._load = load
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._cached: PrinterSettings | None = None

    def __call__(self) -> PrinterSettings:
        try:
            stat = self._path.stat()
            stamp: tuple[int, int, int] | None = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except FileNotFoundError:
            stamp = None  # no settings saved yet: the defaults
        with self._lock:
            if self._cached is None or stamp != self._stamp:
                self._cached = self._load()
                self._stamp = stamp
            return self._cached


class PrintQueueService:
    """The print queues of this desk: one per printer, created on first use."""

    def __init__(
        self,
        store: Store,
        printer_factory: PrinterFactory,
        audit: PrintAudit,
        clock: Clock = utc_now,
        labels_dir: Path | None = None,
        *,
        printers: PrinterSettings | Callable[[], PrinterSettings] | None = None,
        roll_gate: RollGate | None = None,
    ) -> None:
        """`printers`: the configured printers, or a function that reads them when a queue is
        looked up (so printers added or a default changed in the settings are seen);
        `roll_gate`: asked before each label (the roll's end pauses the queue)."""
        self._roll_gate = roll_gate
        self._store = store
        self._factory = printer_factory
        self._audit = audit
        self._clock = clock
        self._labels_dir = labels_dir or Path()
        self._printers = printers or PrinterSettings()
        self._queues: dict[str, PrintQueue] = {}
        self._lock = threading.Lock()
        self._closed = False
        #: Every station's printers (this station's published from its settings).
        self.directory = StationPrinterDirectory(
            store, lambda: audit.station, self._printer_settings, clock
        )

    def _printer_settings(self) -> PrinterSettings:
        return self._printers() if callable(self._printers) else self._printers

    def resolve(self, uri_or_name: str | None = None) -> ConfiguredPrinter:
        """The configured printer for a name or URI (None: the default printer)."""
        return self._printer_settings().resolve(uri_or_name)

    def queue_for(self, uri_or_name: str | None = None) -> PrintQueue:
        """The queue of a printer by name or URI (None: the default printer). Thread-safe."""
        printer = self.resolve(uri_or_name)
        uri = canonical_uri(printer.uri)
        with self._lock:
            if self._closed:
                raise AppError("The print queues are closed.", kind=ErrorKind.CONFLICT)
            queue = self._queues.get(uri)
            if queue is None:
                queue = PrintQueue(
                    printer,
                    store=self._store,
                    printer_factory=self._factory,
                    audit=self._audit,
                    clock=self._clock,
                    labels_dir=self._labels_dir,
                    roll_gate=self._roll_gate,
                )
                self._queues[uri] = queue
                created = True
            else:
                created = False
            queue.media_name = printer.media  # changed in Setup since the queue opened
        if created:
            self._publish()
        return queue

    def _publish(self) -> None:
        """Tell the other stations which printers are here (a failure only delays that)."""
        try:
            self.directory.publish()
        except AppError as error:
            _log.warning("could not publish this station's printers: %s", error.message)

    def queues(self) -> list[PrintQueue]:
        with self._lock:
            return list(self._queues.values())

    def serve_station(self) -> list[str]:
        """Open the queue of every printer of this station, so labels other desks send them
        print without anyone opening the Print queue panel (a queue opens its printer only
        for a job). Publishes the station's printers; returns the URIs now served here (a
        printer another Packdesk process of this PC already serves is left to it)."""
        served: list[str] = []
        for printer in self.directory.own():
            try:
                served.append(self.queue_for(printer.name).uri)
            except AppError as error:
                if error.kind is not ErrorKind.CONFLICT:
                    raise
                _log.info("%s is served by another Packdesk process", printer.uri)
        self._publish()
        return served

    def elsewhere(self, uri_or_name: str | None) -> StationPrinter | None:
        """Another station's printer this name means (`NAME@STATION`, or a name no printer
        here has and one other station has); None for a printer of this station."""
        if not uri_or_name or "://" in uri_or_name:
            return None
        if self._printer_settings().find(uri_or_name) is not None:
            return None
        return self.directory.elsewhere(uri_or_name)

    def sink_for(self, uri_or_name: str | None = None) -> PrintSink:
        """Where bought labels go for a printer: its queue here, or, when another Packdesk
        process holds that printer (the window beside a CLI buy), queued rows that the holder
        prints (it picks up new jobs for its printer within FOREIGN_JOBS_POLL_S).

        Another station's printer (`NAME@STATION`, or a name only another station has): the
        labels are queued for that station, whose queue prints them; this desk never opens it.
        """
        station = self._audit.station
        remote = self.elsewhere(uri_or_name)
        if remote is not None:
            return PrintSink(
                remote.name,
                canonical_uri(remote.uri),
                None,
                store=self._store,
                clock=self._clock,
                station=remote.station,
                queued_by=station,
                other_station=True,
            )
        if uri_or_name and uri_or_name.endswith("@" + station):
            uri_or_name = uri_or_name[: -len(station) - 1]  # NAME@this-station: here
        printer = self.resolve(uri_or_name)
        fmt = printer.label_format
        try:
            queue = self.queue_for(printer.uri)
            return PrintSink(printer.name, canonical_uri(printer.uri), queue, label_format=fmt)
        except AppError as error:
            if error.kind is not ErrorKind.CONFLICT or "lock" not in error.details:
                raise
            # The holder prints them: this station's other window, or another station's
            # process on this PC (its queue takes only jobs naming its station).
            holder = PrinterQueueLock.holder_station(Path(str(error.details["lock"])))
            return PrintSink(
                printer.name,
                canonical_uri(printer.uri),
                None,
                store=self._store,
                clock=self._clock,
                station=holder or station,
                queued_by=station,
                label_format=fmt,
            )

    def labels_to_print(self, batch_id: int, *, reprint: bool = False) -> list[int]:
        """A batch's live labels in group order: with `reprint` all of them, else those never
        printed, queued or skipped."""
        with self._store.transaction() as tx:
            labels = tx.print_jobs.batch_labels(batch_id)
            if reprint:
                return labels
            settled = tx.print_jobs.labels_with_jobs(
                labels,
                [
                    PrintJobStatus.QUEUED,
                    PrintJobStatus.PRINTING,
                    PrintJobStatus.PRINTED,
                    PrintJobStatus.SKIPPED,
                ],
            )
        return [label for label in labels if label not in settled]

    def close(self) -> None:
        """Stop every queue (each finishes the label it is sending)."""
        with self._lock:
            self._closed = True
            queues = list(self._queues.values())
        for queue in queues:
            queue.close()
