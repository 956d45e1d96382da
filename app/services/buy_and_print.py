"""Buy and print: the one use case behind the CLI's `buy` and the GUI's Buy & print panel.

Buys a selection (app.services.purchase) and hands each label to a printer's queue as soon as
it is bought, in group order; afterwards it queues again the labels of the same batch that an
interrupted earlier run bought but may not have printed (queueing is idempotent: a printed label
is not printed twice). When another Packdesk process holds the printer (a window beside a CLI
buy), the labels are left as queued jobs that process prints (app.services.print_jobs). Print
trouble never turns a bought label into a failure: it is reported.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, cast

from app.domain.errors import AppError
from app.postage.models import LabelFormat
from app.services.buy_plan import Selection
from app.services.print_jobs import PrintSink
from app.services.purchase import BuyResult, LabelInfo, PurchaseService
from app.services.purchase_results import OnProgress

log = logging.getLogger(__name__)


class PrintQueues(Protocol):
    """app.services.print_queue.PrintQueueService."""

    def sink_for(self, uri_or_name: str | None = None) -> PrintSink: ...


@dataclass(frozen=True, slots=True)
class BuyAndPrintResult:
    """The buy, and what happened on the printer's side."""

    buy: BuyResult
    requeued: int = 0  # labels of this batch from an interrupted run, queued again
    print_problems: tuple[str, ...] = ()
    printing_stopped: str = ""  # the queue's state when waiting for it ended early ("" = idle)
    printed_elsewhere: str = ""  # who prints the labels when another process holds the printer


class BuyAndPrintService:
    """Buy a selection and print each label as it is bought (CLI and GUI alike)."""

    def __init__(self, purchase: PurchaseService, queues: PrintQueues) -> None:
        self._purchase = purchase
        self._queues = queues

    def run(
        self,
        selection: Selection,
        *,
        printer: str | None = None,
        printing: bool = True,
        wait_for_printing: bool = False,
        concurrency: int | None = None,
        create_concurrency: int | None = None,
        progress: OnProgress | None = None,
        cancel: threading.Event | None = None,
        on_label_bought: Callable[[LabelInfo], None] | None = None,
        on_print_problem: Callable[[AppError], None] | None = None,
        verify_addresses: bool = True,
    ) -> BuyAndPrintResult:
        """Buy `selection`; with `printing`, queue each label on `printer` (None: the default).

        `wait_for_printing` blocks until the queue is idle (the CLI); the GUI shows the queue.

        Labels are bought in the printer's label format (Setup), else the profile's.

        Raises:
            AppError: as PurchaseService.buy (another buyer, a selection that cannot be
                resolved), or when `printer` cannot be found; labels' own problems are reported.
        """
        queue = self._queues.sink_for(printer) if printing else None
        problems: list[str] = []
        lock = threading.Lock()

        def report(error: AppError, label: LabelInfo | None) -> None:
            with lock:
                where = f"{label.tracking_code}: " if label else ""
                problems.append(f"{where}{error.message}")
            if on_print_problem is not None:
                on_print_problem(error)

        def bought(label: LabelInfo) -> None:
            if on_label_bought is not None:
                on_label_bought(label)
            if queue is None:
                return
            try:
                queue.enqueue(label.label_id)
            except AppError as error:  # bought and kept: it prints from the queue later
                report(error, label)

        result = self._purchase.buy(
            selection,
            label_format=_label_format(queue.label_format) if queue is not None else None,
            concurrency=concurrency,
            create_concurrency=create_concurrency,
            progress=progress,
            cancel=cancel,
            on_label_bought=bought,
            verify_addresses=verify_addresses,
        )
        requeued = 0
        stopped = elsewhere = ""
        if queue is not None:
            requeued = self._requeue_leftovers(queue, result, report)
            if queue.queue is None:
                elsewhere = queue.where()
            elif wait_for_printing and not queue.queue.wait_until_idle():
                stopped = str(queue.queue.status())
        return BuyAndPrintResult(result, requeued, tuple(problems), stopped, elsewhere)

    def _requeue_leftovers(
        self,
        queue: PrintSink,
        result: BuyResult,
        report: Callable[[AppError, LabelInfo | None], None],
    ) -> int:
        """Labels of this batch bought by an interrupted earlier run: queued (idempotent)."""
        this_run = {label.label_id for label in result.bought}
        count = 0
        for record in self._purchase.batch_labels(result.batch_id):
            if not record.is_live or record.id in this_run:
                continue
            try:
                queue.enqueue(record.id)
            except AppError as error:
                report(error, None)
                continue
            count += 1
        return count


def _label_format(printer_format: str) -> LabelFormat | None:
    """The format to ask EasyPost for a printer's labels (None: the profile's)."""
    fmt = printer_format.strip().upper()
    return cast(LabelFormat, fmt) if fmt in ("PNG", "PDF", "ZPL", "EPL2") else None
