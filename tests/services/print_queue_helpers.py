"""Builders for print queue tests: bought labels with files on disk, a queue, what came out."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy import update

from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import OrderStatus
from app.domain.printing import PrintJob, PrintJobStatus
from app.services.audit import AuditLog
from app.services.print_queue import Listener, PrinterFactory, PrintQueueService, QueueEvent
from app.store import OrderWrite, Store
from app.store.labels_repo import NewLabel
from app.store.models import OrderRow
from printers.imaging import RasterLabel, load_label
from printers.models import get_model
from printers.pipeline import page_bitmap
from printers.printer import Printer, open_printer
from tests.services.factories import order

NOW = datetime(2026, 11, 25, 14, 0, 0)


def label_png(mark: int, dpi: int = 203) -> bytes:
    """A 4x6 label with a block placed by `mark`, so no two labels look alike."""
    image = Image.new("L", (4 * dpi, 6 * dpi), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 4 * dpi - 40, 80), fill=0)
    draw.rectangle((60 + 9 * (mark % 60), 200, 100 + 9 * (mark % 60), 260), fill=0)
    draw.rectangle((60 + 9 * (mark // 60), 300, 100 + 9 * (mark // 60), 360), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def expected_page(png: bytes, model_name: str) -> bytes:
    """The page bitmap the printer must print for this label file."""
    model = get_model(model_name)
    label = load_label(png, model)
    assert isinstance(label, RasterLabel)
    data: bytes = page_bitmap(label, model).data
    return data


@dataclass
class SeededLabels:
    """Labels bought for a batch, in group order, with their PNG files."""

    batch_id: int
    label_ids: list[int]
    pngs: dict[int, bytes]
    order_ids: dict[int, int]


def seed_labels(store: Store, labels_dir: Path, count: int, *, first_mark: int = 0) -> SeededLabels:
    """`count` orders with a live PNG label each (relative paths under `labels_dir`)."""
    labels_dir.mkdir(parents=True, exist_ok=True)
    with store.transaction(write=True) as tx:
        existing = tx.labels.count()
        if tx.items.get("TEE-M") is None:
            tx.items.insert_many([Item("TEE-M")])
        orders = [order(f"PQ-{existing + i}") for i in range(count)]
        writes = [
            OrderWrite(o, f"hash-{o.external_id}", group_id_for(o.item_multiset), None)
            for o in orders
        ]
        order_ids = tx.orders.insert_many(writes, NOW)
        tx.session.execute(
            update(OrderRow)
            .where(OrderRow.id.in_(order_ids))
            .values(status=OrderStatus.LABEL_PURCHASED.value)
        )
        batch = tx.batches.create(
            now=NOW,
            station="desk",
            user="pat",
            package_type_id=None,
            service_choice="GroundAdvantage",
            concurrency=8,
        )
        label_ids: list[int] = []
        pngs: dict[int, bytes] = {}
        owners: dict[int, int] = {}
        for offset, order_id in enumerate(order_ids):
            number = existing + offset
            png = label_png(first_mark + number)
            name = f"label-{number:05d}.png"
            (labels_dir / name).write_bytes(png)
            record = tx.labels.add(
                NewLabel(
                    order_id=order_id,
                    shipment_id=f"shp_{number:06d}",
                    tracking_code=f"9400100000000000{number:06d}",
                    service="GroundAdvantage",
                    amount_usd=Decimal("5.00"),
                    label_format="PNG",
                    bought_at=NOW,
                    batch_id=batch.id,
                    label_path=name,
                    preview_path=name,
                )
            )
            label_ids.append(record.id)
            pngs[record.id] = png
            owners[record.id] = order_id
    return SeededLabels(batch.id, label_ids, pngs, owners)


def make_service(
    store: Store,
    labels_dir: Path,
    factory: PrinterFactory,
) -> PrintQueueService:
    audit = AuditLog(store, station="desk", user="pat", clock=lambda: NOW)
    return PrintQueueService(store, factory, audit, lambda: NOW, labels_dir)


def virtual_factory(folder: Path) -> PrinterFactory:
    """Opens virtual printers that write their pages into `folder`."""

    def factory(uri: str, model: str | None) -> Printer:
        return open_printer(uri, model, virtual_dir=folder)

    return factory


def usb_factory(backend: Any, opened: list[Printer] | None = None) -> PrinterFactory:
    """Opens printers through the emulated pyusb backend (the real pyusb code path)."""

    def factory(uri: str, model: str | None) -> Printer:
        printer = open_printer(uri, model, usb_backend=backend, status_timeout_ms=1000)
        if opened is not None:
            opened.append(printer)
        return printer

    return factory


@dataclass
class EventLog:
    """Collects queue events; tests wait on a condition instead of sleeping."""

    events: list[QueueEvent] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, event: QueueEvent) -> None:
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[QueueEvent], bool], timeout: float = 10) -> QueueEvent:
        with self.cond:
            found: list[QueueEvent] = []

            def seen() -> bool:
                found[:] = [e for e in self.events if predicate(e)]
                return bool(found)

            assert self.cond.wait_for(seen, timeout), "the expected queue event never came"
            return found[0]

    def jobs(self) -> list[PrintJob]:
        with self.cond:
            return [e.job for e in self.events if e.job is not None]


def after_printed(count: int, action: Callable[[], object]) -> Listener:
    """A listener that runs `action()` once `count` jobs have printed. It runs on the worker
    before the next job starts, so a fault injected there strikes a known label."""
    printed: set[int] = set()

    def listener(event: QueueEvent) -> None:
        job = event.job
        if job is not None and job.status is PrintJobStatus.PRINTED and job.id not in printed:
            printed.add(job.id)
            if len(printed) == count:
                action()

    return listener
