"""One print queue per printer across processes: a second window's queue is refused.

Otherwise the second queue (CLI `print --batch` beside the GUI) would take the job the GUI is
sending (`printing`) for one left by a crash, and the packer could print it twice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import QueueState
from app.services.print_queue import PrintQueueService, printer_lock_path
from app.store import Store, open_store
from tests.services.print_queue_helpers import make_service, seed_labels, virtual_factory

DESK = "virtual://desk1"


def test_a_second_queue_on_the_same_printer_is_refused_until_the_first_closes(
    store: Store, tmp_path: Path, services: list[PrintQueueService]
) -> None:
    labels_dir = tmp_path / "labels"
    seeded = seed_labels(store, labels_dir, 1)
    gui = make_service(store, labels_dir, virtual_factory(tmp_path / "virtual"))
    services.append(gui)
    gui_queue = gui.queue_for(DESK)
    gui_queue.pause()
    # The GUI is sending this label right now (its worker marked it printing).
    job = gui_queue.enqueue(seeded.label_ids[0])
    with store.transaction(write=True) as tx:
        assert tx.print_jobs.claim(job.id)

    other_process = open_store(
        store.target, anchor=store.path
    )  # the CLI: its own connection to the same file
    try:
        cli = make_service(other_process, labels_dir, virtual_factory(tmp_path / "virtual"))
        services.append(cli)
        with pytest.raises(AppError) as refused:
            cli.queue_for(DESK)
        assert refused.value.kind is ErrorKind.CONFLICT
        assert DESK in refused.value.message
        assert "close the other packdesk window or wait" in refused.value.hint.lower()
        # A different printer is not held by the GUI.
        assert cli.queue_for("virtual://desk2").status().state is not QueueState.CLOSED

        gui.close()  # the GUI window closes: its queue lets go of the printer
        queue = cli.queue_for(DESK)
        assert queue.status().in_doubt == (job.id,)  # now truly left by a stopped queue
    finally:
        for service in services:
            service.close()
        other_process.close()


def test_the_lock_is_named_from_the_canonical_printer_address(tmp_path: Path) -> None:
    database = tmp_path / "packdesk.db"
    same = {
        printer_lock_path(database, uri)
        for uri in ("usb://0A5F:0185", "usb://0a5f:0185", " USB://0a5f:0185 ")
    }
    assert len(same) == 1
    (path,) = same
    assert path.parent == tmp_path and path.name.startswith("packdesk.db.print-usb-0a5f-0185-")
    assert printer_lock_path(database, "tcp://Zebra-1:9100") == printer_lock_path(
        database, "tcp://zebra-1"
    )
    assert printer_lock_path(database, "usb://0a5f:0185") != printer_lock_path(
        database, "usb://0a5f:0186"
    )
