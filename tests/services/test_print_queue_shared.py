"""Issue 9: print jobs are rows in the database, and the process that holds a printer prints
every job queued for it, whoever bought the label: a CLI buy beside the window that holds the
printer leaves its jobs queued, and the window prints them."""

from __future__ import annotations

import threading
from pathlib import Path

from app.domain.printing import PrintJobStatus
from app.services.print_queue import PrintQueueService, QueueEvent
from app.store import Store, open_store
from tests.services.print_queue_helpers import make_service, seed_labels, virtual_factory

DESK = "virtual://desk1"


def test_labels_queued_by_another_process_are_printed_by_the_printer_holder(
    store: Store, tmp_path: Path, services: list[PrintQueueService]
) -> None:
    labels_dir = tmp_path / "labels"
    seeded = seed_labels(store, labels_dir, 3)
    window = make_service(store, labels_dir, virtual_factory(tmp_path / "virtual"))
    services.append(window)
    queue = window.queue_for(DESK)
    printed: set[int] = set()
    all_printed = threading.Event()

    def listen(event: QueueEvent) -> None:
        if event.job is not None and event.job.status is PrintJobStatus.PRINTED:
            printed.add(event.job.label_id)
            if printed >= set(seeded.label_ids):
                all_printed.set()

    queue.add_listener(listen)
    queue.enqueue(seeded.label_ids[0])  # the window's own label

    cli_store = open_store(store.target, anchor=store.path)  # the CLI: its own connection
    try:
        cli = make_service(cli_store, labels_dir, virtual_factory(tmp_path / "virtual"))
        services.append(cli)
        sink = cli.sink_for(DESK)
        assert sink.printed_elsewhere
        for label_id in seeded.label_ids[1:]:
            sink.enqueue(label_id)
        sink.enqueue(seeded.label_ids[1])  # idempotent: still one job per label
        assert len(sink.left) == 2 and "holds this printer prints them" in sink.where()

        assert all_printed.wait(15), printed
    finally:
        cli.close()
        services.remove(cli)
        cli_store.close()
    with store.transaction() as tx:
        jobs = [j for label in seeded.label_ids for j in tx.print_jobs.for_label(label)]
    assert sorted(j.label_id for j in jobs) == sorted(seeded.label_ids)
    assert {j.status for j in jobs} == {PrintJobStatus.PRINTED}
    assert queue.status().printed == 3


def test_a_sink_prints_here_when_nobody_holds_the_printer(
    store: Store, tmp_path: Path, services: list[PrintQueueService]
) -> None:
    labels_dir = tmp_path / "labels"
    seeded = seed_labels(store, labels_dir, 1)
    cli = make_service(store, labels_dir, virtual_factory(tmp_path / "virtual"))
    services.append(cli)
    sink = cli.sink_for(DESK)
    assert not sink.printed_elsewhere and sink.queue is not None
    sink.enqueue(seeded.label_ids[0])
    assert sink.queue.wait_until_idle(15)
