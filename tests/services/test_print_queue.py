"""The print queue's everyday paths: TCP and virtual printers, skip, reprint, pause, restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import PauseCause, PrintJobStatus, QueueState
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.audit import AuditAction, AuditLog
from app.services.print_queue import PrintQueueService, choose_label_file
from app.store import Store
from printers.emulators.tcp_server import EmulatedTcpPrinter
from printers.models import get_model
from printers.printer import Printer, open_printer
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    MakeTcp,
    emulated_tcp_fixture,
    emulated_usb_fixture,
)
from tests.services.print_queue_helpers import (
    NOW,
    EventLog,
    expected_page,
    make_service,
    seed_labels,
    usb_factory,
)

ZD421 = "usb://0a5f:0185"


@pytest.fixture
def labels_dir(tmp_path: Path) -> Path:
    return tmp_path / "labels"


def test_tcp_printer_prints_the_labels_in_order(
    store: Store, labels_dir: Path, emulated_tcp: MakeTcp, services: list[PrintQueueService]
) -> None:
    server: EmulatedTcpPrinter = emulated_tcp("zd421-203")
    seeded = seed_labels(store, labels_dir, 3)

    def factory(uri: str, model: str | None) -> Printer:
        return open_printer(uri, model)  # the model is asked with ~HI

    service = make_service(store, labels_dir, factory)
    services.append(service)
    queue = service.queue_for(server.uri)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert queue.wait_until_idle(10)
    assert server.engine.wait_printed(3, 10)
    assert [p.bitmap.data for p in server.engine.printed] == [
        expected_page(seeded.pngs[i], "zd421-203") for i in seeded.label_ids
    ]
    assert queue.status().model == "zd421-203"


def test_virtual_printer_keeps_a_preview_per_label(
    store: Store, labels_dir: Path, tmp_path: Path, services: list[PrintQueueService]
) -> None:
    seeded = seed_labels(store, labels_dir, 2)
    folder = tmp_path / "virtual"

    def factory(uri: str, model: str | None) -> Printer:
        return open_printer(uri, model, virtual_dir=folder)

    service = make_service(store, labels_dir, factory)
    services.append(service)
    queue = service.queue_for("virtual://demo")
    events = EventLog()
    queue.add_listener(events)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert queue.wait_until_idle(10)
    previews = sorted(folder.glob("label-*.png"))
    assert len(previews) == 2
    with Image.open(previews[0]) as image:
        assert image.size == (812, 1218)
    printed = [j.label_id for j in events.jobs() if j.status is PrintJobStatus.PRINTED]
    assert printed == seeded.label_ids
    assert events.wait_for(lambda e: e.status.state is QueueState.IDLE).status.printed == 2


def test_pause_holds_everything_until_resume(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 3)
    service = make_service(store, labels_dir, usb_factory(backend))
    services.append(service)
    queue = service.queue_for(ZD421)
    queue.pause("lunch")
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert not queue.wait_until_idle(5)  # returns at once: paused
    status = queue.status()
    assert status.state is QueueState.PAUSED and status.queued == 3
    assert status.pause is not None and status.pause.cause is PauseCause.USER
    assert engine.stats.jobs_received == 0
    queue.resume()
    assert queue.wait_until_idle(10)
    assert engine.wait_printed(3, 10)


def test_skip_leaves_a_label_out_and_is_audited(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 3)
    service = make_service(store, labels_dir, usb_factory(backend))
    services.append(service)
    queue = service.queue_for(ZD421)
    queue.pause()
    jobs = [queue.enqueue(label_id) for label_id in seeded.label_ids]
    skipped = queue.skip(jobs[1].id, "order cancelled")
    assert skipped.status is PrintJobStatus.SKIPPED
    with pytest.raises(AppError) as again:
        queue.skip(jobs[1].id)
    assert again.value.kind is ErrorKind.CONFLICT
    queue.resume()
    assert queue.wait_until_idle(10)
    assert engine.wait_printed(2, 10)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(seeded.pngs[seeded.label_ids[i]], "zd421-203") for i in (0, 2)
    ]
    entries = AuditLog(store).entries(action=AuditAction.PRINT_SKIPPED)
    assert [(e.label_id, e.details["reason"]) for e in entries] == [
        (seeded.label_ids[1], "order cancelled")
    ]
    # The skipped label is not "still to print" for the batch.
    assert service.labels_to_print(seeded.batch_id) == []


def test_enqueue_twice_prints_once_and_reprint_prints_again(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 2)
    service = make_service(store, labels_dir, usb_factory(backend))
    services.append(service)
    queue = service.queue_for(ZD421)
    first = queue.enqueue(seeded.label_ids[0])
    assert queue.enqueue(seeded.label_ids[0]).id == first.id  # still queued: same job
    queue.enqueue(seeded.label_ids[1])
    assert queue.wait_until_idle(10)
    assert queue.enqueue(seeded.label_ids[0]).status is PrintJobStatus.PRINTED  # no new job
    again = queue.reprint(seeded.label_ids[0])
    assert again.reprint and again.id != first.id
    assert queue.wait_until_idle(10)
    assert engine.wait_printed(3, 10)
    pages = [p.bitmap.data for p in engine.printed]
    assert pages == [
        expected_page(seeded.pngs[seeded.label_ids[i]], "zd421-203") for i in (0, 1, 0)
    ]
    assert len(AuditLog(store).entries(action=AuditAction.PRINT_REPRINT_QUEUED)) == 1
    assert len(AuditLog(store).entries(action=AuditAction.LABEL_PRINTED)) == 3
    assert service.labels_to_print(seeded.batch_id) == []
    assert service.labels_to_print(seeded.batch_id, reprint=True) == seeded.label_ids


def test_label_already_waiting_on_another_printer_is_refused(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    seeded = seed_labels(store, labels_dir, 1)
    service = make_service(store, labels_dir, usb_factory(backend))
    services.append(service)
    usb_queue = service.queue_for(ZD421)
    usb_queue.pause()
    usb_queue.enqueue(seeded.label_ids[0])
    with pytest.raises(AppError) as refused:
        service.queue_for("virtual://other").enqueue(seeded.label_ids[0])
    assert refused.value.kind is ErrorKind.CONFLICT and ZD421 in refused.value.message


def test_unreadable_label_fails_alone_and_the_queue_goes_on_after_resume(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 3)
    (labels_dir / "label-00001.png").unlink()  # the second label's file is gone
    service = make_service(store, labels_dir, usb_factory(backend))
    services.append(service)
    queue = service.queue_for(ZD421)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert not queue.wait_until_idle(10)
    pause = queue.status().pause
    assert pause is not None and pause.cause is PauseCause.LABEL
    assert "cannot be read" in pause.message
    queue.resume()
    assert queue.wait_until_idle(10)
    assert engine.wait_printed(2, 10)
    statuses = [j.status for j in queue.jobs()]
    assert statuses == [PrintJobStatus.PRINTED, PrintJobStatus.FAILED, PrintJobStatus.PRINTED]


def test_refunded_label_is_not_queued(
    store: Store, labels_dir: Path, services: list[PrintQueueService]
) -> None:
    seeded = seed_labels(store, labels_dir, 1)
    with store.transaction(write=True) as tx:
        tx.labels.update(seeded.label_ids[0], status="refunded")
    service = make_service(store, labels_dir, lambda uri, model: open_printer(uri, model))
    services.append(service)
    with pytest.raises(AppError) as refused:
        service.queue_for("virtual://x").enqueue(seeded.label_ids[0])
    assert refused.value.kind is ErrorKind.CONFLICT and "refunded" in refused.value.message


@pytest.mark.parametrize("decision", ["mark_printed", "resend"])
def test_restart_with_a_job_left_printing_waits_for_the_packer(
    store: Store,
    labels_dir: Path,
    emulated_usb: MakeBackend,
    services: list[PrintQueueService],
    decision: str,
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    seeded = seed_labels(store, labels_dir, 3)
    # What a crash leaves: the first job marked printing (maybe sent), two queued.
    with store.transaction(write=True) as tx:
        jobs = [tx.print_jobs.add(i, ZD421, reprint=False, at=NOW) for i in seeded.label_ids]
        assert tx.print_jobs.claim(jobs[0].id)
    service = make_service(store, labels_dir, usb_factory(backend))
    services.append(service)
    queue = service.queue_for(ZD421)
    status = queue.status()
    assert status.state is QueueState.PAUSED and status.in_doubt == (jobs[0].id,)
    assert status.pause is not None and status.pause.cause is PauseCause.IN_DOUBT
    assert [j.in_doubt for j in queue.jobs()] == [True, False, False]
    assert not queue.wait_until_idle(5)
    assert engine.stats.jobs_received == 0  # nothing is resent on its own
    with pytest.raises(AppError) as refused:
        queue.resume()
    assert refused.value.kind is ErrorKind.CONFLICT
    with pytest.raises(AppError):
        queue.resend(jobs[1].id)  # only jobs in doubt take a decision

    settled = getattr(queue, decision)(jobs[0].id)
    assert queue.wait_until_idle(10)
    expected_labels = seeded.label_ids if decision == "resend" else seeded.label_ids[1:]
    assert engine.wait_printed(len(expected_labels), 10)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(seeded.pngs[i], "zd421-203") for i in expected_labels
    ]
    assert settled.status is (
        PrintJobStatus.QUEUED if decision == "resend" else PrintJobStatus.PRINTED
    )
    assert [j.status for j in queue.jobs()] == [PrintJobStatus.PRINTED] * 3
    action = AuditAction.PRINT_RESENT if decision == "resend" else AuditAction.PRINT_MARKED_PRINTED
    assert [e.label_id for e in AuditLog(store).entries(action=action)] == [seeded.label_ids[0]]


def test_printers_are_found_by_name_uri_or_default(
    store: Store, labels_dir: Path, services: list[PrintQueueService]
) -> None:
    settings = PrinterSettings(
        configured=(ConfiguredPrinter("desk", "usb://0a5f:0185", "zd421-203"),),
        default="desk",
    )
    audit = AuditLog(store)
    service = PrintQueueService(
        store, lambda u, m: open_printer(u, m), audit, labels_dir=labels_dir, printers=settings
    )
    services.append(service)
    assert service.queue_for(None) is service.queue_for("desk")
    assert service.queue_for("usb://0A5F:0185").name == "desk"
    assert service.queue_for("virtual://demo").uri == "virtual://demo"
    with pytest.raises(AppError) as unknown:
        service.queue_for("back-room")
    assert unknown.value.kind is ErrorKind.NOT_FOUND
    assert PrinterSettings().resolve(None).uri == "virtual://demo"


def test_native_zpl_goes_raw_to_a_203_dpi_zebra_only(tmp_path: Path) -> None:
    from app.domain.printing import LabelSource

    source = LabelSource(1, 1, None, "9400", "ZPL", "a.zpl", "a.png", live=True)
    assert choose_label_file(source, get_model("zd421-203"), tmp_path) == tmp_path / "a.zpl"
    assert choose_label_file(source, get_model("zd421-300"), tmp_path) == tmp_path / "a.png"
    assert choose_label_file(source, get_model("dymo-4xl"), tmp_path) == tmp_path / "a.png"
    bare = LabelSource(1, 1, None, "9400", "ZPL", "/x/a.zpl", None, live=True)
    with pytest.raises(AppError):
        choose_label_file(bare, get_model("dymo-4xl"), tmp_path)


def test_tcp_connection_lost_after_a_label_was_sent_leaves_it_in_doubt(
    store: Store, labels_dir: Path, emulated_tcp: MakeTcp, services: list[PrintQueueService]
) -> None:
    """Raw TCP only hands bytes to the kernel: when the connection drops before a status reply
    confirms the label, the queue cannot know whether it arrived and asks the packer."""
    server: EmulatedTcpPrinter = emulated_tcp("zd421-203")
    seeded = seed_labels(store, labels_dir, 4)
    written = [0]

    def factory(uri: str, model: str | None) -> Printer:
        printer = open_printer(uri, model)
        write = printer.transport.write

        def write_then_cut(data: bytes, timeout_ms: int = 30_000) -> None:
            write(data, timeout_ms)
            if len(data) > 100:
                written[0] += 1
                if written[0] == 2:  # the second label arrives, then the network drops
                    assert server.engine.wait_printed(2, 10)
                    server.engine.drop_link()

        printer.transport.write = write_then_cut  # type: ignore[method-assign]
        return printer

    service = make_service(store, labels_dir, factory)
    services.append(service)
    queue = service.queue_for(server.uri)
    jobs = [queue.enqueue(label_id) for label_id in seeded.label_ids]
    assert not queue.wait_until_idle(10)
    status = queue.status()
    assert status.pause is not None and status.pause.cause is PauseCause.IN_DOUBT
    assert status.in_doubt == (jobs[1].id,)
    assert [j.status for j in queue.jobs()] == [
        PrintJobStatus.PRINTED,
        PrintJobStatus.PRINTING,
        PrintJobStatus.QUEUED,
        PrintJobStatus.QUEUED,
    ]
    queue.mark_printed(jobs[1].id)  # the packer sees it came out
    assert queue.wait_until_idle(10)
    assert server.engine.wait_printed(4, 10)
    assert [p.bitmap.data for p in server.engine.printed] == [
        expected_page(seeded.pngs[i], "zd421-203") for i in seeded.label_ids
    ]


def test_printers_added_after_start_are_found_when_read_live(
    store: Store, labels_dir: Path, services: list[PrintQueueService]
) -> None:
    current = [PrinterSettings()]
    service = PrintQueueService(
        store,
        lambda u, m: open_printer(u, m),
        AuditLog(store),
        labels_dir=labels_dir,
        printers=lambda: current[0],
    )
    services.append(service)
    assert service.queue_for(None).uri == "virtual://demo"
    current[0] = PrinterSettings((ConfiguredPrinter("zebra", "virtual://zebra"),), "zebra")
    assert service.queue_for(None).uri == "virtual://zebra"
    assert service.queue_for("zebra").name == "zebra"
