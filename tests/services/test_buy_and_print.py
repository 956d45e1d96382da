"""The one "buy and print" use case (CLI `buy` and the GUI's panel): each label is queued as it
is bought, and a resumed run queues again the labels an interrupted run left unprinted."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

from app.domain.errors import AppError, ErrorKind
from app.domain.groups import group_id_for
from app.postage.gateway import EasyPostGateway
from app.services.buy_and_print import BuyAndPrintService, PrintQueues
from app.services.buy_plan import Selection
from app.services.print_jobs import PrintSink
from app.services.purchase import BuyProgress
from app.store import Store
from tests.services.purchase_world import purchase_service, seed, us_order

TEE = Selection(groups=(group_id_for((("TEE-M", 1),)),))


class FakeQueue:
    """Records what was queued; refuses the labels named in `refuse`."""

    def __init__(self, refuse: set[int] | None = None) -> None:
        self.queued: list[int] = []
        self.refuse = refuse or set()
        self.lock = threading.Lock()

    def enqueue(self, label_id: int, *, reprint: bool = False) -> None:
        if label_id in self.refuse:
            raise AppError("Printer unplugged.", hint="Plug it in.", kind=ErrorKind.PRINTER)
        with self.lock:
            if label_id not in self.queued:  # queueing is idempotent
                self.queued.append(label_id)

    def wait_until_idle(self, timeout: float | None = None) -> bool:
        return True

    def status(self) -> str:
        return "idle"


class FakeQueues:
    def __init__(self, queue: FakeQueue) -> None:
        self.queue = queue
        self.asked: list[str | None] = []

    def sink_for(self, uri_or_name: str | None = None) -> PrintSink:
        self.asked.append(uri_or_name)
        return PrintSink("desk", "virtual://desk", cast(Any, self.queue))


def test_a_resumed_buy_queues_the_labels_an_interrupted_run_left(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(6)])
    purchase = purchase_service(store, gateway, tmp_path / "labels", concurrency=1)
    cancel = threading.Event()

    def stop_after_two(progress: BuyProgress) -> None:
        if progress.done >= 2:
            cancel.set()

    # An interrupted run whose labels never reached a printer (window closed, crash).
    first = purchase.buy(TEE, progress=stop_after_two, cancel=cancel)
    assert first.cancelled and 2 <= len(first.bought) < 6
    queue = FakeQueue()
    queues = FakeQueues(queue)
    use_case = BuyAndPrintService(purchase, cast(PrintQueues, queues))
    # What the GUI's Buy & print panel calls (the default printer, no waiting).
    outcome = use_case.run(TEE, printer=None)
    assert outcome.buy.batch_id == first.batch_id and outcome.buy.complete
    assert outcome.requeued == len(first.bought)
    with store.transaction() as tx:
        batch_labels = [label.id for label in tx.labels.list(batch_id=first.batch_id)]
    assert sorted(queue.queued) == sorted(batch_labels) and len(batch_labels) == 6
    # This run's labels were queued as they were bought, in group order, before the left-overs.
    assert queue.queued[: len(outcome.buy.bought)] == [b.label_id for b in outcome.buy.bought]
    assert queues.asked == [None]


def test_a_printer_problem_is_reported_and_the_label_stays_bought(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(2)])
    purchase = purchase_service(store, gateway, tmp_path / "labels")
    problems: list[AppError] = []
    with store.transaction() as tx:
        next_label = tx.labels.count() + 1
    use_case = BuyAndPrintService(purchase, cast(PrintQueues, FakeQueues(FakeQueue({next_label}))))
    outcome = use_case.run(TEE, printer="virtual://desk", on_print_problem=problems.append)
    assert len(outcome.buy.bought) == 2 and outcome.buy.complete
    assert [p.kind for p in problems] == [ErrorKind.PRINTER]
    assert len(outcome.print_problems) == 1 and "Printer unplugged" in outcome.print_problems[0]


def test_without_printing_nothing_is_queued(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(0)])
    queues = FakeQueues(FakeQueue())
    use_case = BuyAndPrintService(
        purchase_service(store, gateway, tmp_path / "labels"), cast(PrintQueues, queues)
    )
    outcome = use_case.run(TEE, printing=False, wait_for_printing=True)
    assert len(outcome.buy.bought) == 1 and queues.asked == [] and outcome.requeued == 0
