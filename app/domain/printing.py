"""Print jobs: one label sent (or to be sent) to one printer, and the queue's plain states."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class PrintJobStatus(StrEnum):
    """Where one print job is. PRINTING outside the worker's hands is "in doubt"."""

    QUEUED = "queued"  # waiting its turn (or waiting again after a fault)
    PRINTING = "printing"  # being sent; the printer may or may not have it
    PRINTED = "printed"  # the printer took it (it comes out, after a fault is fixed if need be)
    FAILED = "failed"  # this label cannot print (unreadable file, refunded, does not fit)
    SKIPPED = "skipped"  # the packer chose not to print it


#: Jobs still to be settled by the queue or by the packer.
ACTIVE_JOB_STATUSES = frozenset({PrintJobStatus.QUEUED, PrintJobStatus.PRINTING})


class QueueState(StrEnum):
    """What a printer's queue is doing."""

    IDLE = "idle"  # nothing to print
    PRINTING = "printing"
    PAUSED = "paused"  # by the packer, by a printer fault, or waiting for a decision
    CLOSED = "closed"


class PauseCause(StrEnum):
    """Why a queue is paused; each needs something different from the packer."""

    USER = "user"  # paused by hand: resume() when ready
    PRINTER = "printer"  # a printer fault: fix it (the hint says how), then resume()
    IN_DOUBT = "in_doubt"  # a label may or may not have printed: resend or mark printed
    LABEL = "label"  # one label could not be printed (job failed): resume() goes on
    ROLL = "roll"  # the roll ran out: load a new roll, say so (new roll), and it goes on
    INTERNAL = "internal"  # a bug; details in the log


@dataclass(frozen=True, slots=True)
class PrintJob:
    """One print job with what a packer needs to recognise its label."""

    id: int
    label_id: int
    printer_uri: str
    sequence: int
    status: PrintJobStatus
    attempts: int
    error: str | None
    reprint: bool
    queued_at: datetime
    printed_at: datetime | None
    order_id: int
    batch_id: int | None
    tracking_code: str
    in_doubt: bool = False  # PRINTING but no worker is sending it: the packer decides
    order_number: str = ""  # the source's own number, as the Orders panel shows it
    station: str = ""  # the station whose printer prints it ("" from before stations)
    queued_by: str = ""  # the station that sent it

    @property
    def printer_label(self) -> str:
        """The printer as desks name it: its URI, with the owning station when known."""
        return f"{self.printer_uri} @ {self.station}" if self.station else self.printer_uri

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES


@dataclass(frozen=True, slots=True)
class LabelSource:
    """Where a bought label's files are, to pick what to send to a printer."""

    label_id: int
    order_id: int
    batch_id: int | None
    tracking_code: str
    label_format: str  # PNG, ZPL, EPL2, PDF (as bought)
    label_path: str | None
    preview_path: str | None
    live: bool  # False once refunded or refund submitted/rejected: never print it
