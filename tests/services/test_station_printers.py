"""Printers belong to a station: any desk queues labels for any station's printer, and only the
owning station's queue prints them (on both engines)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import PrintJobStatus
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.postage.gateway import EasyPostGateway
from app.services.audit import AuditAction, AuditLog
from app.services.print_queue import PrintQueueService
from app.services.station_printers import split_station
from app.store import Store
from printers.printer import Printer, open_printer
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    emulated_usb_fixture,
)
from tests.services.print_queue_helpers import NOW, expected_page, seed_labels, usb_factory
from tests.services.purchase_world import purchase_service, seed, us_order

ZD421 = "usb://0a5f:0185"
ZEBRA_AT_B = PrinterSettings(
    configured=(ConfiguredPrinter("Zebra", ZD421, "zd421-203"),), default="Zebra"
)


@pytest.fixture
def services() -> Iterator[list[PrintQueueService]]:
    made: list[PrintQueueService] = []
    yield made
    for service in made:
        service.close()


def _station(
    store: Store, name: str, printers: PrinterSettings, factory: object, labels_dir: Path
) -> PrintQueueService:
    audit = AuditLog(store, station=name, user="pat", clock=lambda: NOW)
    return PrintQueueService(
        store,
        factory,  # type: ignore[arg-type]
        audit,
        lambda: NOW,
        labels_dir,
        printers=printers,
    )


def test_station_a_queues_on_b_printer_and_only_b_prints_it(
    store: Store, tmp_path: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    labels_dir = tmp_path / "labels"
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    opened_by_a: list[str] = []

    def a_factory(uri: str, model: str | None) -> Printer:
        opened_by_a.append(uri)
        raise AssertionError("station A opened a printer")

    b = _station(store, "desk-b", ZEBRA_AT_B, usb_factory(backend), labels_dir)
    services.append(b)
    # Desk B's window serves its printers from the start (and publishes them).
    assert b.serve_station() == [ZD421] and len(b.queues()) == 1
    b_queue = b.queue_for("Zebra")
    assert b_queue.name == "Zebra" and backend.device("zd421-203").engine.stats.jobs_received == 0
    a = _station(store, "desk-a", PrinterSettings(), a_factory, labels_dir)
    services.append(a)

    choices = a.directory.everywhere()
    assert [(c.text, c.spec, c.here) for c in choices] == [
        ("virtual://demo", "virtual://demo", True),
        ("Zebra (at desk-b)", "Zebra@desk-b", False),
    ]
    seeded = seed_labels(store, labels_dir, 3)
    sink = a.sink_for("Zebra@desk-b")
    assert sink.printed_elsewhere and sink.station == "desk-b" and sink.queued_by == "desk-a"
    for label_id in seeded.label_ids:
        sink.enqueue(label_id)
    assert "desk-b" in sink.where()

    assert engine.wait_printed(3, 15)  # B's queue picks the rows up and prints them
    assert b_queue.wait_until_idle(10)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(seeded.pngs[i], "zd421-203") for i in seeded.label_ids
    ]
    assert opened_by_a == [] and a.queues() == []
    with store.transaction() as tx:
        jobs = [tx.print_jobs.for_label(i)[-1] for i in seeded.label_ids]
    assert {(j.status, j.station, j.queued_by) for j in jobs} == {
        (PrintJobStatus.PRINTED, "desk-b", "desk-a")
    }
    # History says which station printed each label and which sent it.
    printed = AuditLog(store).entries(action=AuditAction.LABEL_PRINTED)
    assert {(e.station, e.details.get("sent_from")) for e in printed} == {("desk-b", "desk-a")}
    # A plain name only another station has goes there too; NAME@own-station stays here.
    assert a.sink_for("Zebra").station == "desk-b"
    assert b.sink_for("Zebra@desk-b").queue is b_queue


def test_a_queue_never_takes_another_station_s_jobs_for_the_same_uri(
    store: Store, tmp_path: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    labels_dir = tmp_path / "labels"
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 2)
    # Jobs for desk-c's printer at the same URI (another PC with the same model plugged in).
    with store.transaction(write=True) as tx:
        for label_id in seeded.label_ids:
            tx.print_jobs.add(
                label_id, ZD421, reprint=False, at=NOW, station="desk-c", queued_by="desk-a"
            )
    b = _station(store, "desk-b", ZEBRA_AT_B, usb_factory(backend), labels_dir)
    services.append(b)
    queue = b.queue_for("Zebra")
    assert queue.status().queued == 0 and queue.jobs() == []
    # B's own label still prints; desk-c's wait for desk-c.
    more = seed_labels(store, labels_dir, 1)
    queue.enqueue(more.label_ids[0])
    assert queue.wait_until_idle(10) and engine.wait_printed(1, 10)
    assert len(engine.printed) == 1
    with store.transaction() as tx:
        waiting = tx.print_jobs.for_printer(ZD421, statuses=[PrintJobStatus.QUEUED])
    assert {j.station for j in waiting} == {"desk-c"} and len(waiting) == 2


def test_printer_names_with_a_station(store: Store, tmp_path: Path) -> None:
    assert split_station("Zebra@desk-2") == ("Zebra", "desk-2")
    assert split_station("tcp://a@b:9100") == ("tcp://a@b:9100", None)
    assert split_station("Zebra") == ("Zebra", None)
    a = _station(store, "desk-a", PrinterSettings(), None, tmp_path)
    c = _station(store, "desk-c", ZEBRA_AT_B, None, tmp_path)
    d = _station(store, "desk-d", ZEBRA_AT_B, None, tmp_path)
    c.directory.publish()
    d.directory.publish()
    with pytest.raises(AppError) as several:
        a.sink_for("Zebra")
    assert several.value.kind is ErrorKind.INVALID_INPUT and "Zebra@desk-c" in str(several.value)
    with pytest.raises(AppError) as missing:
        a.sink_for("Zebra@desk-x")
    assert missing.value.kind is ErrorKind.NOT_FOUND
    assert a.sink_for("Zebra@desk-d").station == "desk-d"
    # Publishing again without a change writes nothing (every write wakes other windows).
    with store.transaction() as tx:
        before = tx.printers.all()
    c.directory.publish()
    with store.transaction() as tx:
        assert tx.printers.all() == before


def test_a_purchase_names_the_station_that_bought(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    seed(store, [us_order(0)])
    from tests.services.test_buy_and_print import TEE

    result = purchase_service(store, gateway, tmp_path / "labels").buy(TEE)
    assert len(result.bought) == 1
    with store.transaction() as tx:
        assert [p.station for p in tx.purchases.all()] == ["desk-1"]
        facts = tx.shipping.label(result.bought[0].label_id)
    assert facts is not None and facts.bought_station == "desk-1"


def test_a_printer_another_station_process_holds_on_this_pc_prints_its_labels(
    store: Store, tmp_path: Path, services: list[PrintQueueService]
) -> None:
    labels_dir = tmp_path / "labels"
    shared = PrinterSettings(default="virtual://shared")
    a = _station(store, "desk-a", shared, lambda u, m: open_printer(u, m), labels_dir)
    services.append(a)
    holder = a.queue_for(None)  # desk-a's process holds the printer's lock
    done = threading.Event()
    holder.add_listener(lambda event: event.status.printed >= 2 and done.set())
    b = _station(store, "desk-b", shared, lambda u, m: open_printer(u, m), labels_dir)
    services.append(b)
    seeded = seed_labels(store, labels_dir, 2)
    sink = b.sink_for(None)
    assert sink.queue is None and (sink.station, sink.queued_by) == ("desk-a", "desk-b")
    for label_id in seeded.label_ids:
        sink.enqueue(label_id)

    assert done.wait(15) and holder.status().printed == 2
    with store.transaction() as tx:
        jobs = [tx.print_jobs.for_label(i)[-1] for i in seeded.label_ids]
    assert {(j.status, j.station, j.queued_by) for j in jobs} == {
        (PrintJobStatus.PRINTED, "desk-a", "desk-b")
    }
