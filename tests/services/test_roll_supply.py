"""Labels left on the roll: the DYMO 550's own count, a Zebra roll counted label by label (and by
its odometer), the warning before a batch, and the queue stopping at the roll's end."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import PauseCause, PrintJobStatus, QueueState
from app.domain.roll_supply import RollSource
from app.infra.settings import ConfiguredPrinter, PrinterSettings
from app.services.audit import AuditLog
from app.services.print_queue import PrintQueueService, QueueEvent
from app.services.roll_supply import RollSupplyService
from app.store import Store
from printers.emulators.usb_backend import EmulatedBackend
from printers.status import RollLevel
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    emulated_usb_fixture,
)
from tests.services.print_queue_helpers import NOW, EventLog, seed_labels, usb_factory

ZD421 = "usb://0a5f:0185"
FIVE_XL = "usb://0922:002a"


@pytest.fixture
def labels_dir(tmp_path: Path) -> Path:
    return tmp_path / "labels"


def _desk(uri: str) -> PrinterSettings:
    return PrinterSettings((ConfiguredPrinter("desk", uri),), default="desk")


def _wire(
    store: Store, labels_dir: Path, backend: EmulatedBackend, uri: str
) -> tuple[RollSupplyService, PrintQueueService]:
    """A roll service and the queues gated by it, as bootstrap wires them."""
    holder: list[PrintQueueService] = []
    rolls = RollSupplyService(
        store,
        printers=_desk(uri),
        queues=lambda: holder[0] if holder else None,
        printer_factory=usb_factory(backend),
        clock=lambda: NOW,
    )
    audit = AuditLog(store, station="desk", user="pat", clock=lambda: NOW)
    queues = PrintQueueService(
        store,
        usb_factory(backend),
        audit,
        lambda: NOW,
        labels_dir,
        printers=_desk(uri),
        roll_gate=rolls.before_label,
    )
    holder.append(queues)
    return rolls, queues


def test_550_reports_38_left_and_a_212_label_batch_gets_the_warning(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("dymo-5xl")
    backend.device("dymo-5xl").engine.load_roll(38)
    rolls, queues = _wire(store, labels_dir, backend, FIVE_XL)
    services.append(queues)
    check = rolls.check_batch("desk", 212)
    assert check.roll.labels_left == 38
    assert (check.roll.source, check.roll.level) == (RollSource.PRINTER, RollLevel.LOW)
    assert check.warning == "38 labels left on the roll; this batch needs 212"
    assert check.lines[0].startswith("38 labels left on the roll; this batch needs 212.")
    assert rolls.check_batch("desk", 38).warning is None
    assert rolls.status("desk").text == "desk: 38 labels left (low)"


def test_550_queue_stops_when_the_printer_says_the_roll_is_empty(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("dymo-5xl")
    engine = backend.device("dymo-5xl").engine
    engine.load_roll(2)
    rolls, queues = _wire(store, labels_dir, backend, FIVE_XL)
    services.append(queues)
    seeded = seed_labels(store, labels_dir, 3)
    queue = queues.queue_for("desk")
    events = EventLog()
    queue.add_listener(events)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    # The 550 says "media empty" after the second label (or the gate sees 0 left first).
    paused = events.wait_for(lambda e: e.status.pause is not None, 30).status.pause
    assert paused is not None and "empty" in paused.message
    assert paused.cause in {PauseCause.ROLL, PauseCause.PRINTER}
    assert engine.wait_printed(2, 20) and len(engine.printed) == 2
    engine.load_roll(250)  # the packer loads a genuine roll (the 550 reads its NFC tag)
    rolls.new_roll("desk", 250)
    assert queue.wait_until_idle(30)
    assert engine.wait_printed(3, 20)


def test_zebra_queue_pauses_at_the_end_of_the_roll_and_resumes_after_new_roll(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    rolls, queues = _wire(store, labels_dir, backend, ZD421)
    services.append(queues)
    rolls.new_roll("desk", 3)
    seeded = seed_labels(store, labels_dir, 5)
    queue = queues.queue_for("desk")
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert not queue.wait_until_idle(30)  # stopped short: paused
    status = queue.status()
    assert status.state is QueueState.PAUSED and status.pause is not None
    assert status.pause.cause is PauseCause.ROLL
    assert status.pause.message == (
        "The roll in desk is used up (3 labels since it was loaded): load a new roll."
    )
    assert "New roll" in status.pause.hint
    assert engine.wait_printed(3, 20) and len(engine.printed) == 3
    assert status.queued == 2 and rolls.status("desk").labels_left == 0
    queue.resume()  # Resume without a new roll: it stops again, nothing more comes out
    assert not queue.wait_until_idle(10)
    assert queue.status().pause is not None and len(engine.printed) == 3
    after = rolls.new_roll("desk", 250)  # resumes the queue
    assert after.labels_left == 250
    assert queue.wait_until_idle(30)
    assert engine.wait_printed(5, 20)
    jobs = [j for j in queue.jobs() if j.status is PrintJobStatus.PRINTED]
    assert [j.label_id for j in jobs] == seeded.label_ids  # in order, each once
    assert rolls.status("desk").labels_left == 248


def test_zebra_roll_count_goes_down_with_each_printed_label(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    rolls, queues = _wire(store, labels_dir, backend, ZD421)
    services.append(queues)
    rolls.new_roll("desk", 250)
    seeded = seed_labels(store, labels_dir, 4)
    queue = queues.queue_for("desk")
    seen: list[int | None] = []

    def on_event(event: QueueEvent) -> None:
        if event.job is not None and event.job.status is PrintJobStatus.PRINTED:
            seen.append(rolls.status("desk").labels_left)

    queue.add_listener(on_event)
    for label_id in seeded.label_ids:
        queue.enqueue(label_id)
    assert queue.wait_until_idle(30)
    assert seen == [249, 248, 247, 246]


def test_zebra_odometer_counts_labels_fed_outside_packdesk(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    rolls, queues = _wire(store, labels_dir, backend, ZD421)
    services.append(queues)
    rolls.new_roll("desk", 10)
    seeded = seed_labels(store, labels_dir, 3)
    queue = queues.queue_for("desk")
    for label_id in seeded.label_ids[:2]:
        queue.enqueue(label_id)
    assert queue.wait_until_idle(30) and engine.wait_printed(2, 20)
    for _ in range(3):  # another program (or the feed button) uses three labels
        engine.receive(b"^XA^FO0,0^GB100,100,100^FS^XZ", timeout_s=5)
    assert engine.wait_printed(5, 20)
    queue.enqueue(seeded.label_ids[2])  # the gate reads ~HQOD before this label
    assert queue.wait_until_idle(30) and engine.wait_printed(6, 20)
    status = rolls.status("desk")
    assert status.source is RollSource.ODOMETER
    assert status.labels_left == 10 - 5  # the odometer was read before the 6th label


def test_no_roll_entered_means_unknown_and_no_warning(store: Store) -> None:
    rolls = RollSupplyService(store, printers=_desk(ZD421), clock=lambda: NOW)
    check = rolls.check_batch("desk", 500)
    assert check.roll.labels_left is None and check.roll.source is RollSource.UNKNOWN
    assert check.warning is None and check.lines == []


def test_new_roll_refuses_a_nonsense_size(store: Store) -> None:
    rolls = RollSupplyService(store, printers=_desk(ZD421), clock=lambda: NOW)
    for labels in (0, -5, 1_000_000):
        with pytest.raises(AppError) as caught:
            rolls.new_roll("desk", labels)
        assert caught.value.kind is ErrorKind.INVALID_INPUT


def test_550_is_asked_even_when_its_queue_is_open_but_idle(
    store: Store, labels_dir: Path, emulated_usb: MakeBackend, services: list[PrintQueueService]
) -> None:
    # The GUI opens the print queue (no label sent yet) before Buy & print estimates.
    backend = emulated_usb("dymo-5xl")
    backend.device("dymo-5xl").engine.load_roll(38)
    rolls, queues = _wire(store, labels_dir, backend, FIVE_XL)
    services.append(queues)
    queue = queues.queue_for("desk")
    assert queue.status().state is QueueState.IDLE
    assert rolls.check_batch("desk", 212).warning == (
        "38 labels left on the roll; this batch needs 212"
    )
    seeded = seed_labels(store, labels_dir, 1)  # and the queue still prints afterwards
    queue.enqueue(seeded.label_ids[0])
    assert queue.wait_until_idle(30)
    assert backend.device("dymo-5xl").engine.wait_printed(1, 20)
