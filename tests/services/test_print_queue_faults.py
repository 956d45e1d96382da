"""Printer faults through the real pyusb path: the queue pauses, resumes, prints each label once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.orders import OrderStatus
from app.domain.printing import PauseCause, PrintJobStatus, QueueState
from app.services.audit import AuditAction, AuditLog
from app.services.print_queue import PrinterFactory, PrintQueueService
from app.store import Store
from printers.emulators.usb_backend import EmulatedBackend
from printers.printer import Printer, open_printer
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    emulated_usb_fixture,
)
from tests.services.print_queue_helpers import (
    SeededLabels,
    after_printed,
    expected_page,
    make_service,
    seed_labels,
    usb_factory,
)

ZD421 = "usb://0a5f:0185"


@pytest.fixture
def labels_dir(tmp_path: Path) -> Path:
    return tmp_path / "labels"


@pytest.fixture
def service_holder() -> Iterator[list[PrintQueueService]]:
    made: list[PrintQueueService] = []
    yield made
    for service in made:
        service.close()


def _pages(backend: EmulatedBackend, preset: str = "zd421-203") -> list[bytes]:
    return [p.bitmap.data for p in backend.device(preset).engine.printed]


def _expected(seeded: SeededLabels, label_ids: list[int] | None = None) -> list[bytes]:
    ids = seeded.label_ids if label_ids is None else label_ids
    return [expected_page(seeded.pngs[i], "zd421-203") for i in ids]


def _start(
    store: Store,
    labels_dir: Path,
    factory: PrinterFactory,
    holder: list[PrintQueueService],
) -> PrintQueueService:
    service = make_service(store, labels_dir, factory)
    holder.append(service)
    return service


def test_unplugged_mid_batch_pauses_then_prints_every_label_once_after_replug(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
) -> None:
    backend = emulated_usb("zd421-203")
    device = backend.device("zd421-203")
    seeded = seed_labels(store, labels_dir, 6)
    service = _start(store, labels_dir, usb_factory(backend), service_holder)
    queue = service.queue_for(ZD421)
    # The cable comes out 200 bytes into the third label (of about 420).
    queue.add_listener(after_printed(2, lambda: device.engine.set_faults(drop_after_bytes=200)))
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)

    assert not queue.wait_until_idle(10)
    status = queue.status()
    assert status.state is QueueState.PAUSED
    assert status.pause is not None and status.pause.cause is PauseCause.PRINTER
    assert status.pause.error_kind == "disconnected"
    assert "Plug the USB cable back in" in status.pause.hint
    third = next(j for j in queue.jobs() if j.label_id == seeded.label_ids[2])
    assert third.status is PrintJobStatus.QUEUED and third.attempts == 1
    assert status.pause.job_id == third.id and status.queued == 4

    queue.resume()  # still unplugged: it pauses again, nothing is lost
    assert not queue.wait_until_idle(10)
    again = queue.status().pause
    assert again is not None and again.cause is PauseCause.PRINTER
    assert again.error_kind in {"not_found", "disconnected"}

    device.replug()
    queue.resume()
    assert queue.wait_until_idle(20)
    assert device.engine.wait_printed(6, 20)
    assert _pages(backend) == _expected(seeded)
    assert device.engine.stats.decode_errors == []
    jobs = queue.jobs()
    assert [j.status for j in jobs] == [PrintJobStatus.PRINTED] * 6
    assert [j.label_id for j in jobs] == seeded.label_ids


@pytest.mark.parametrize(
    ("fault", "kind", "hint"),
    [("paper_out", "paper_out", "load labels"), ("head_open", "head_open", "close the print")],
)
def test_paper_out_or_head_open_mid_batch_pauses_and_resumes_with_the_next_label(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
    fault: str,
    kind: str,
    hint: str,
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 5)
    service = _start(store, labels_dir, usb_factory(backend), service_holder)
    queue = service.queue_for(ZD421)
    queue.add_listener(after_printed(2, lambda: engine.set_faults(**{fault: True})))
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)

    assert not queue.wait_until_idle(10)
    status = queue.status()
    assert status.pause is not None and status.pause.error_kind == kind
    assert hint in status.pause.hint
    assert engine.stats.jobs_received == 2  # nothing was sent into the void
    engine.set_faults(**{fault: False})  # the packer fixes it
    queue.resume()
    assert queue.wait_until_idle(20)
    assert engine.wait_printed(5, 20)
    assert _pages(backend) == _expected(seeded)


class _FaultAfterJob:
    """Wraps a USB printer so a fault strikes right after the printer took job `n`: the status
    read after that job reports it (PrintResult.problem_after)."""

    def __init__(self, backend: EmulatedBackend, n: int, fault: str) -> None:
        self.backend, self.n, self.fault = backend, n, fault
        self.jobs_written = 0

    def factory(self, uri: str, model: str | None) -> Printer:
        printer = open_printer(uri, model, usb_backend=self.backend, status_timeout_ms=1000)
        transport = printer.transport
        write = transport.write
        engine = self.backend.device("zd421-203").engine

        def write_then_fault(data: bytes, timeout_ms: int = 30_000) -> None:
            write(data, timeout_ms)
            if len(data) > 100:
                self.jobs_written += 1
                if self.jobs_written == self.n:
                    engine.set_faults(**{self.fault: True})

        transport.write = write_then_fault  # type: ignore[method-assign]
        return printer


def test_fault_reported_after_the_label_was_taken_does_not_resend_it(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 5)
    wrapper = _FaultAfterJob(backend, 3, "paper_out")
    service = _start(store, labels_dir, wrapper.factory, service_holder)
    queue = service.queue_for(ZD421)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)

    assert not queue.wait_until_idle(10)
    status = queue.status()
    assert status.pause is not None and status.pause.error_kind == "paper_out"
    jobs = queue.jobs()
    # The third label is in the printer's buffer: printed, never to be sent again.
    assert [j.status for j in jobs] == [PrintJobStatus.PRINTED] * 3 + [PrintJobStatus.QUEUED] * 2
    assert engine.stats.jobs_received == 3
    engine.set_faults(paper_out=False)
    queue.resume()
    assert queue.wait_until_idle(20)
    assert engine.wait_printed(5, 20)
    assert engine.stats.jobs_received == 5
    assert _pages(backend) == _expected(seeded)


def test_every_label_prints_once_with_faults_and_concurrent_enqueues(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
) -> None:
    """Enqueued from 4 threads (like purchase workers) while paper runs out and the cable is
    pulled: the printed pages are exactly the labels in sequence order."""
    backend = emulated_usb("zd421-203")
    device = backend.device("zd421-203")
    seeded = seed_labels(store, labels_dir, 12)
    service = _start(store, labels_dir, usb_factory(backend), service_holder)
    queue = service.queue_for(ZD421)
    queue.add_listener(after_printed(3, lambda: device.engine.set_faults(paper_out=True)))
    queue.add_listener(after_printed(7, lambda: device.engine.set_faults(drop_after_bytes=150)))

    def enqueue_all(label_ids: list[int]) -> None:
        for label_id in label_ids:
            queue.enqueue(label_id)

    threads = [
        threading.Thread(target=enqueue_all, args=(seeded.label_ids[i::4],)) for i in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for _ in range(2):  # paper out, then the unplug
        assert not queue.wait_until_idle(20)
        pause = queue.status().pause
        assert pause is not None and pause.cause is PauseCause.PRINTER
        if pause.error_kind == "paper_out":
            device.engine.set_faults(paper_out=False)
        else:
            assert pause.error_kind == "disconnected"
            device.replug()
        queue.resume()
    assert queue.wait_until_idle(30)
    assert device.engine.wait_printed(12, 30)
    jobs = queue.jobs()
    in_sequence = [j.label_id for j in sorted(jobs, key=lambda j: j.sequence)]
    assert sorted(in_sequence) == sorted(seeded.label_ids)
    assert _pages(backend) == _expected(seeded, in_sequence)


def test_orders_become_printed_and_every_print_is_audited(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
) -> None:
    backend = emulated_usb("zd421-203")
    seeded = seed_labels(store, labels_dir, 2)
    service = _start(store, labels_dir, usb_factory(backend), service_holder)
    queue = service.queue_for(ZD421)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert queue.wait_until_idle(10)
    with store.transaction() as tx:
        statuses = [tx.orders.get(seeded.order_ids[i]).status for i in seeded.label_ids]  # type: ignore[union-attr]
    assert statuses == [OrderStatus.PRINTED, OrderStatus.PRINTED]
    entries = AuditLog(store).entries(action=AuditAction.LABEL_PRINTED)
    assert sorted(e.label_id or 0 for e in entries) == sorted(seeded.label_ids)
    assert all(e.station == "desk" and e.user == "pat" for e in entries)
    assert {e.details["printer"] for e in entries} == {ZD421}


def test_a_slow_printer_is_kept_a_few_labels_ahead_and_paper_out_is_seen_as_such(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
) -> None:
    """The queue keeps only a few labels in the printer's buffer, so it never fills: a fault
    is always readable and no write is cut mid-label."""
    backend = emulated_usb("zd421-203", labels_per_second=10)
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 12)
    service = _start(store, labels_dir, usb_factory(backend), service_holder)
    queue = service.queue_for(ZD421)
    waiting: list[int] = []

    def on_printed(label: object) -> None:
        waiting.append(engine.state().jobs_waiting)

    engine.on_label = on_printed
    queue.add_listener(after_printed(8, lambda: engine.set_faults(paper_out=True)))
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert not queue.wait_until_idle(20)
    pause = queue.status().pause
    assert pause is not None and pause.error_kind == "paper_out"
    engine.set_faults(paper_out=False)
    queue.resume()
    assert queue.wait_until_idle(20)
    assert engine.wait_printed(12, 20)
    assert _pages(backend) == _expected(seeded)
    assert max(waiting) <= 5, waiting  # MAX_LABELS_AHEAD, and the one being printed


def test_a_dymo_which_reports_no_count_gets_two_labels_ahead_at_most(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    service_holder: list[PrintQueueService],
) -> None:
    backend = emulated_usb("dymo-4xl", labels_per_second=10)
    engine = backend.device("dymo-4xl").engine
    seeded = seed_labels(store, labels_dir, 8)
    service = _start(store, labels_dir, usb_factory(backend), service_holder)
    queue = service.queue_for("usb://0922:0025")
    waiting: list[int] = []
    engine.on_label = lambda label: waiting.append(engine.state().jobs_waiting)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert queue.wait_until_idle(20)
    assert engine.wait_printed(8, 20)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(seeded.pngs[i], "dymo-4xl") for i in seeded.label_ids
    ]
    assert max(waiting) <= 3, waiting  # two ahead, and the one being printed
