"""Labels left on each printer's roll: a new roll, the warning before a batch, the stop at the
end of the roll, and each printer's real labels per minute.

Where the figure comes from:
- DYMO 550 series: the printer itself (its status block reads the roll's NFC tag).
- Any other printer: the roll size the desk entered when loading it ("new roll", 250 labels)
  minus the labels printed on it since; on a Zebra that answers `~HQOD`, the odometer's count
  when it is higher (labels fed by hand or printed by another program come off the roll too).

The print queue asks `before_label` before each label (in its worker, which owns the open
printer); a roll that is used up pauses the queue with "load a new roll" until `new_roll`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import PauseCause, QueueState
from app.domain.roll_supply import (
    RollSource,
    expected_time,
    labels_left,
    labels_per_minute,
    shortfall_warning,
)
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.clock import Clock, utc_now
from app.services.print_queue import (
    PrinterFactory,
    PrinterQueueLock,
    PrintQueue,
    PrintQueueService,
    canonical_uri,
    printer_lock_path,
)
from app.store import Store
from printers.errors import PrinterError
from printers.models import DYMO_VID, MODELS
from printers.models import Protocol as PrinterProtocol
from printers.printer import Printer
from printers.status import RollLevel
from printers.uri import parse_uri

_log = logging.getLogger(__name__)

#: ~HQOD questions left unanswered before a printer is taken for one without an odometer.
ODOMETER_MISSES = 2

MAX_ROLL_LABELS = 100_000


@dataclass(frozen=True, slots=True)
class RollStatus:
    """One printer's roll as far as Packdesk knows."""

    printer_name: str
    printer_uri: str
    labels_left: int | None  # None: unknown (no roll entered, the printer does not tell)
    source: RollSource
    labels_loaded: int | None = None  # the roll size entered, when one was
    level: RollLevel | None = None  # what a DYMO 550 says of its roll
    per_minute: float | None = None  # measured from this printer's own printed labels

    @property
    def text(self) -> str:
        """ "desk-zebra: 38 labels left" for the status bar ("" when unknown)."""
        if self.labels_left is None:
            return ""
        words = "label" if self.labels_left == 1 else "labels"
        text = f"{self.printer_name}: {self.labels_left:,} {words} left"
        if self.level in {RollLevel.LOW, RollLevel.CRITICALLY_LOW}:
            text += f" ({self.level.value.replace('_', ' ')})"
        return text


@dataclass(frozen=True, slots=True)
class BatchCheck:
    """Before spending: can the roll finish the batch, and how long will it print."""

    roll: RollStatus
    needed: int
    warning: str | None  # "38 labels left on the roll; this batch needs 212"
    expected: str  # "about 9 min at 24 labels/min", "" until the printer's speed is known

    @property
    def lines(self) -> list[str]:
        """What to show before the buy: the warning (with what happens) and the time."""
        lines = []
        if self.warning:
            lines.append(
                f"{self.warning}. Buying goes ahead; printing stops at the end of the roll "
                "until a new roll is loaded."
            )
        if self.expected:
            lines.append(f"Printing {self.needed:,} labels takes {self.expected}.")
        return lines


class RollSupplyService:
    """Labels left per printer, shared by the CLI and the GUI."""

    def __init__(
        self,
        store: Store,
        *,
        printers: PrinterSettings | Callable[[], PrinterSettings],
        queues: Callable[[], PrintQueueService | None] | None = None,
        printer_factory: PrinterFactory | None = None,
        clock: Clock = utc_now,
    ) -> None:
        """`queues`: the desk's print queues when they exist (to resume one after a new roll
        and to read a printer's last status); `printer_factory`: opens a printer to ask a DYMO
        550 for its roll when no queue holds it."""
        self._store = store
        self._printers = printers
        self._queues = queues
        self._factory = printer_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._reported: dict[str, tuple[int, RollLevel | None]] = {}  # uri -> printer's figure
        self._no_odometer: set[str] = set()  # printers that did not answer ~HQOD
        self._odometer_misses: dict[str, int] = {}

    # --- looking -----------------------------------------------------------------------------

    def resolve(self, name_or_uri: str | None) -> ConfiguredPrinter:
        printers = self._printers() if callable(self._printers) else self._printers
        return printers.resolve(name_or_uri)

    def status(self, name_or_uri: str | None = None, *, ask_printer: bool = False) -> RollStatus:
        """The roll of a printer (None: the default printer). `ask_printer`: open a printer no
        queue holds to ask it (a DYMO 550 knows its roll); never while another queue has it."""
        printer = self.resolve(name_or_uri)
        uri = canonical_uri(printer.uri)
        with self._store.transaction() as tx:
            roll = tx.rolls.current(uri)
            printed = tx.rolls.printed_count(uri) if roll is not None else 0
            times = tx.rolls.printed_times(uri)
        per_minute = labels_per_minute(times)
        reported = self._reported_for(uri)
        if reported is None and ask_printer:
            reported = self._ask_printer(printer, uri)
        if reported is not None:
            left, level = reported
            return RollStatus(printer.name, uri, left, RollSource.PRINTER, None, level, per_minute)
        if roll is None:
            return RollStatus(printer.name, uri, None, RollSource.UNKNOWN, per_minute=per_minute)
        left, source = labels_left(roll.count(printed))
        return RollStatus(
            printer.name, uri, left, source, roll.labels_loaded, per_minute=per_minute
        )

    def check_batch(
        self, name_or_uri: str | None, needed: int, *, ask_printer: bool = True
    ) -> BatchCheck:
        """Before a buy of `needed` labels: the warning when the roll cannot finish it, and the
        expected printing time at the printer's measured speed."""
        roll = self.status(name_or_uri, ask_printer=ask_printer)
        return BatchCheck(
            roll=roll,
            needed=needed,
            warning=shortfall_warning(roll.labels_left, needed),
            expected=expected_time(needed, roll.per_minute),
        )

    def _name_for(self, uri: str) -> str:
        printers = self._printers() if callable(self._printers) else self._printers
        for printer in printers.configured:
            try:
                if canonical_uri(printer.uri) == uri:
                    return printer.name
            except PrinterError:
                continue
        return uri

    # --- changing ----------------------------------------------------------------------------

    def new_roll(self, name_or_uri: str | None, labels: int) -> RollStatus:
        """The desk loaded a new roll of `labels` labels: count from it, and let a queue that
        stopped at the end of the old roll go on.

        Raises:
            AppError: INVALID_INPUT for a size outside 1..100,000.
        """
        if not 1 <= labels <= MAX_ROLL_LABELS:
            raise AppError(
                f"A roll of {labels:,} labels? Give the number of labels on the new roll.",
                hint=f"Between 1 and {MAX_ROLL_LABELS:,}, e.g. --labels 250.",
                kind=ErrorKind.INVALID_INPUT,
            )
        printer = self.resolve(name_or_uri)
        uri = canonical_uri(printer.uri)
        with self._store.transaction(write=True) as tx:
            tx.rolls.load(uri, labels, self._clock())
        with self._lock:
            self._reported.pop(uri, None)  # a DYMO 550 tells again at the next label
        self._resume_after_roll(uri)
        return self.status(printer.uri)

    def _resume_after_roll(self, uri: str) -> None:
        service = self._queues() if self._queues is not None else None
        if service is None:
            return
        for queue in service.queues():
            status = queue.status()
            pause = status.pause
            if queue.uri != uri or status.state is not QueueState.PAUSED or pause is None:
                continue
            # Stopped by the roll count, or by the printer itself running out (a DYMO 550
            # reports its empty roll as paper out): the new roll is the fix for both.
            if pause.cause is PauseCause.ROLL or (
                pause.cause is PauseCause.PRINTER and pause.error_kind == "paper_out"
            ):
                queue.resume()

    # --- the print queue's gate ----------------------------------------------------------------

    def before_label(self, uri: str, printer: Printer) -> str | None:
        """Called by a print queue before it sends a label: why it must stop (the roll is used
        up) or None. Runs in the queue's worker, which owns `printer`."""
        if printer.model.family is PrinterProtocol.DYMO_550:
            return self._dymo_550_gate(uri, printer)
        with self._store.transaction() as tx:
            roll = tx.rolls.current(uri)
            printed = tx.rolls.printed_count(uri) if roll is not None else 0
        if roll is None:
            return None  # no roll entered: the printer's own paper-out is the stop
        count = roll.count(printed)
        if printer.model.family is PrinterProtocol.ZPL and uri not in self._no_odometer:
            odometer = self._read_odometer(uri, printer)
            if odometer is not None:
                with self._store.transaction(write=True) as tx:
                    tx.rolls.note_odometer(roll.id, odometer, count.jobs_printed)
                    roll = tx.rolls.current(uri) or roll
                count = roll.count(printed)
        left, _ = labels_left(count)
        if left > 0:
            return None
        return (
            f"The roll in {self._name_for(uri)} is used up ({roll.labels_loaded:,} labels since "
            "it was loaded): load a new roll."
        )

    def _read_odometer(self, uri: str, printer: Printer) -> float | None:
        try:
            odometer = printer.odometer()
        except PrinterError:
            return None  # the link hiccuped: the queue's own checks report it; try next label
        if odometer is None:
            # No odometer answer (older firmware): after two, stop asking at every label.
            self._odometer_misses[uri] = self._odometer_misses.get(uri, 0) + 1
            if self._odometer_misses[uri] >= ODOMETER_MISSES:
                self._no_odometer.add(uri)
            return None
        self._odometer_misses.pop(uri, None)
        return odometer.total_inches

    def _dymo_550_gate(self, uri: str, printer: Printer) -> str | None:
        try:
            status = printer.status()
        except PrinterError:
            return None  # the queue's own status checks report the fault
        if status.media_remaining is None:
            return None
        with self._lock:
            self._reported[uri] = (status.media_remaining, status.media_level)
        if status.media_remaining > 0 and status.media_level is not RollLevel.EMPTY:
            return None
        return f"The roll in {self._name_for(uri)} is empty: load a new roll."

    # --- a printer's own figure --------------------------------------------------------------

    def _reported_for(self, uri: str) -> tuple[int, RollLevel | None] | None:
        """The printer's own figure: its queue's latest status first (read after each label),
        else what the gate last read."""
        queue = self._queue_of(uri)
        status = queue.status().printer_status if queue is not None else None
        if status is not None and status.media_remaining is not None:
            return status.media_remaining, status.media_level
        with self._lock:
            return self._reported.get(uri)

    def _queue_of(self, uri: str) -> PrintQueue | None:
        service = self._queues() if self._queues is not None else None
        if service is None:
            return None
        return next((q for q in service.queues() if q.uri == uri), None)

    def _ask_printer(
        self, printer: ConfiguredPrinter, uri: str
    ) -> tuple[int, RollLevel | None] | None:
        """Open a printer nothing is printing on and ask it (only DYMO 550s know their roll)."""
        if self._factory is None or not self._may_know_its_roll(printer):
            return None
        lock: PrinterQueueLock | None = None
        queue = self._queue_of(uri)
        if queue is not None:
            # This process's queue holds the printer's lock: ask only while it has sent nothing
            # (it opens the printer for its first label), never while it prints.
            queue_status = queue.status()
            if (
                queue_status.state is not QueueState.IDLE
                or queue_status.printed
                or queue_status.in_doubt
            ):
                return None
        else:
            lock = PrinterQueueLock(printer_lock_path(self._store.path, uri), printer.name, uri)
            try:
                lock.acquire()  # another window's queue has it: do not disturb that one
            except AppError:
                return None
        try:
            with self._factory(uri, printer.model or None) as opened:
                if opened.model.family is not PrinterProtocol.DYMO_550:
                    return None
                status = opened.status()
        except PrinterError as error:
            _log.info("Could not ask %s for its roll: %s", printer.name, error.message)
            return None
        finally:
            if lock is not None:
                lock.release()
        if status.media_remaining is None:
            return None
        with self._lock:
            self._reported[uri] = (status.media_remaining, status.media_level)
        return status.media_remaining, status.media_level

    @staticmethod
    def _may_know_its_roll(printer: ConfiguredPrinter) -> bool:
        """Only a DYMO 550 knows its roll: never open a printer that cannot be one."""
        model = MODELS.get(printer.model)
        if model is not None:
            return model.family is PrinterProtocol.DYMO_550
        try:
            parsed = parse_uri(printer.uri)
        except PrinterError:
            return False
        return parsed.scheme == "usb" and parsed.vendor_id == DYMO_VID
