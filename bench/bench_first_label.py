"""Buy and print overlap: time to the first label at the printer, and N labels bought and queued.

The sandbox answers with realistic latency (1,000 ms to create a shipment, 700 ms to buy); the
purchase service buys at bounded concurrency and hands each label, in group order, to the print
queue of an emulated USB Zebra (the real pyusb code path). Printed: seconds from the start of
the buy to the first label the printer took and the first label out of it, the time until all
N were bought and queued, until all were printed, and the ratio against a sequential loop
measured on a sample in the same run (create + buy one after the other).

    .venv/bin/python bench/bench_first_label.py --labels 50          # quick
    .venv/bin/python bench/bench_first_label.py                      # the issue's 1,000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.groups import group_id_for
from app.domain.printing import PrintJobStatus
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditLog
from app.services.buy_plan import Selection
from app.services.print_queue import PrintQueueService, QueueEvent
from app.store import open_store
from printers.emulators.usb_backend import backend_from_spec
from printers.printer import Printer, open_printer
from tests.services.purchase_world import (
    make_gateway,
    purchase_service,
    seed,
    us_order,
)

ZD421 = "usb://0a5f:0185"
LATENCY = {"shipment.create": 1000, "shipment.buy": 700}


def _world(root: Path, count: int, first: int) -> tuple[object, Selection]:
    store = open_store(root / "packdesk.sqlite3")
    seed(store, [us_order(first + n) for n in range(count)])
    group = group_id_for((("TEE-M", 1),))
    return store, Selection(groups=(group,), service="GroundAdvantage")


def sequential_seconds_per_label(api_base: str, root: Path, sample: int) -> float:
    """Reference: create + buy one after the other (concurrency 1), per label."""
    store, selection = _world(root, sample, 50_000)
    gateway = make_gateway(api_base)
    service = purchase_service(store, gateway, root / "labels", concurrency=1)  # type: ignore[arg-type]
    service.lookahead = 1  # no creates ahead of the buy: a truly sequential loop
    service.preflight(selection)  # before the clock: the desk confirms the total first
    started = time.perf_counter()
    result = service.buy(selection, concurrency=1)
    seconds = time.perf_counter() - started
    assert len(result.bought) == sample, result
    gateway.close()
    store.close()  # type: ignore[attr-defined]
    return seconds / sample


def overlap_run(
    api_base: str, root: Path, count: int, concurrency: int, print_speed: float | None
) -> dict[str, float]:
    store, selection = _world(root, count, 0)
    gateway = make_gateway(api_base, pool_size=max(32, concurrency))
    buyer = purchase_service(store, gateway, root / "labels", concurrency=concurrency)  # type: ignore[arg-type]
    spec = "zd421-203" + (f"@{print_speed:g}" if print_speed else "")
    backend = backend_from_spec(spec)
    engine = backend.device("zd421-203").engine

    def factory(uri: str, model: str | None) -> Printer:
        return open_printer(uri, model, usb_backend=backend)

    queues = PrintQueueService(store, factory, AuditLog(store), labels_dir=root / "labels")  # type: ignore[arg-type]
    queue = queues.queue_for(ZD421)
    first_taken = threading.Event()
    marks: dict[str, float] = {}

    def on_event(event: QueueEvent) -> None:
        job = event.job
        if job is not None and job.status is PrintJobStatus.PRINTED and not first_taken.is_set():
            marks["first_taken"] = time.perf_counter()
            first_taken.set()

    queue.add_listener(on_event)
    t_pre = time.perf_counter()
    buyer.preflight(selection)  # before the clock: the desk confirms the total first
    marks["preflight"] = time.perf_counter() - t_pre

    started = time.perf_counter()
    mono_started = time.monotonic()
    result = buyer.buy(
        selection,
        concurrency=concurrency,
        on_label_bought=lambda label: queue.enqueue(label.label_id),
    )
    bought_and_queued = time.perf_counter() - started
    assert len(result.bought) == count, (len(result.bought), result.failed[:3])
    assert queue.wait_until_idle(3600), queue.status()
    all_sent = time.perf_counter() - started
    assert engine.wait_printed(count, 3600)
    all_printed = time.perf_counter() - started
    printed = engine.printed
    queues.close()
    backend.close()
    gateway.close()
    store.close()  # type: ignore[attr-defined]
    return {
        "preflight_s": marks["preflight"],
        "first_taken_s": marks["first_taken"] - started,
        "first_out_s": printed[0].printed_at - mono_started,
        "bought_and_queued_s": bought_and_queued,
        "all_sent_s": all_sent,
        "all_printed_s": all_printed,
        "labels_printed": float(len(printed)),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labels", type=int, default=1000, help="labels to buy (default 1000)")
    parser.add_argument("--concurrency", type=int, default=8, help="buys in flight (app default)")
    parser.add_argument("--sample", type=int, default=5, help="sequential reference sample")
    parser.add_argument(
        "--print-speed",
        type=float,
        default=None,
        help="emulated labels per second (default: as fast as it takes them)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-first-label-") as tmp:
        root = Path(tmp)
        faults = FaultConfig(op_latency_ms=dict(LATENCY))
        with SandboxServer(root / "sandbox.json", faults=faults) as sandbox:
            per_label = sequential_seconds_per_label(sandbox.api_base, root / "seq", args.sample)
            figures = overlap_run(
                sandbox.api_base, root / "run", args.labels, args.concurrency, args.print_speed
            )
    sequential_total = per_label * args.labels
    f = figures
    lines = [
        f"labels: {args.labels}, concurrency {args.concurrency}, "
        "latency create 1000 ms / buy 700 ms",
        f"pre-flight (before the clock: the desk confirms first): {f['preflight_s']:.2f} s",
        f"first label taken by the printer: {f['first_taken_s']:.2f} s (target <= 3 s)",
        f"first label out of the printer:   {f['first_out_s']:.2f} s",
        f"all bought and queued:            {f['bought_and_queued_s']:.1f} s "
        "(target <= 150 s for 1,000)",
        f"all sent to the printer:          {f['all_sent_s']:.1f} s",
        f"all printed:                      {f['all_printed_s']:.1f} s "
        f"({f['labels_printed']:.0f} labels)",
        f"sequential reference: {per_label:.2f} s per label on a sample of {args.sample} "
        f"-> {sequential_total:.0f} s for {args.labels}",
        f"speed-up vs sequential: {sequential_total / f['bought_and_queued_s']:.1f}x",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
