"""Documents: packing slips, labels on paper, the Package Group report, tracking exports and
bulk tracking emails, on real SQLite files (and a real local SMTP server).

Targets (issue 10): 1,000 packing slips <= 5 s; 1,000 labels on letter paper <= 10 s; the
Package Group report over 100,000 orders <= 10 s; a tracking export of 100,000 labels <= 3 s;
bulk email to 1,000 orders over local SMTP, unthrottled, <= 20 s.

References measured in the same run: reportlab's own drawImage for labels (30 labels,
extrapolated to 1,000), and a plain csv.writer over the same export rows.

    .venv/bin/python bench/bench_documents.py            # everything (~1-2 min)
    .venv/bin/python bench/bench_documents.py --quick    # 10,000 orders instead of 100,000
"""

from __future__ import annotations

import argparse
import csv
import io
import socket
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import ImageDraw
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.domain.exports import TrackingFormat
from app.domain.orders import OrderStatus
from app.domain.tracking import make_usps_tracking_number
from app.infra.email_settings import EmailSettings, Security
from app.infra.smtp import SmtpConnection
from app.services.audit import AuditLog
from app.services.exports import ExportService
from app.services.paper_labels import PaperLabelService
from app.services.reports import ReportKind, ReportService, StatusScope
from app.services.slips import PackingSlipService
from app.services.tracking_email import EmailSelection, TrackingEmailService
from app.store import open_store
from tests.documents.world import (
    ARABIC_NAME,
    JAPANESE_NAME,
    LONG_STREET,
    NOW,
    DocWorld,
    make_order,
)
from tests.printers.corpus.make_corpus import render_label

SKUS = ("TEE-M", "BOOK", "PIN")


def orders(count: int) -> list:  # type: ignore[type-arg]
    names = (JAPANESE_NAME, ARABIC_NAME, "Zoë Åström-Øster", "Дмитрий Иванов", "Ann Lee")
    return [
        make_order(
            str(100_000 + n),
            [(SKUS[n % 3], 1 + n % 2), (SKUS[(n + 1) % 3], 1)] if n % 4 else [(SKUS[n % 3], 1)],
            name=names[n % len(names)],
            street1=LONG_STREET if n % 7 == 0 else f"{n} Main St",
            email=f"backer{n}@example.com",
        )
        for n in range(count)
    ]


def add_labels(db: Path, batch_id: int, order_ids: list[int], files: list[Path] | None) -> None:
    """Live labels for the orders, straight into SQLite (the repositories insert one by one)."""
    with sqlite3.connect(db) as connection:
        rows = []
        for index, order_id in enumerate(order_ids):
            tracking = make_usps_tracking_number(index + 1)
            path = str(files[index % len(files)]) if files else None
            rows.append(
                (
                    order_id,
                    batch_id,
                    f"shp_{index:08d}",
                    tracking,
                    "GroundAdvantage",
                    "5.25",
                    "PNG",
                    path,
                    path,
                    NOW.isoformat(" "),
                    "live",
                    "",
                )
            )
        connection.executemany(
            "INSERT INTO labels (order_id, batch_id, shipment_id, tracking_code, service, "
            "amount_usd, label_format, label_path, preview_path, bought_at, status, "
            "from_address_key) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            rows,
        )
        connection.execute(
            f"UPDATE orders SET status = 'label_purchased' WHERE id IN "
            f"(SELECT order_id FROM labels WHERE batch_id = {batch_id})"
        )


def label_files(folder: Path, count: int) -> list[Path]:
    """`count` distinct 300-dpi label PNGs (a serial number stamped on each)."""
    base = render_label(300).convert("1")
    files = []
    for n in range(count):
        image = base.copy()
        ImageDraw.Draw(image).text((40, 1700), f"serial {n:06d}", fill=0)
        path = folder / f"label-{n:05d}.png"
        image.save(path, compress_level=1)
        files.append(path)
    return files


def timed(name: str, target: float, work) -> float:  # type: ignore[no-untyped-def]
    started, cpu = time.perf_counter(), time.process_time()
    detail = work()
    wall, used = time.perf_counter() - started, time.process_time() - cpu
    verdict = "ok" if wall <= target else "OVER"
    times = f"{wall:7.2f} s wall  {used:7.2f} s CPU"
    print(f"{name:52} {times}  (target {target:g} s: {verdict}) {detail}")
    return wall


def reference_drawimage(files: list[Path], count: int = 30) -> float:
    started = time.perf_counter()
    canvas = Canvas(io.BytesIO())
    for path in files[:count]:
        canvas.drawImage(ImageReader(str(path)), 36, 36, 4 * inch, 6 * inch)
        canvas.showPage()
    canvas.save()
    return (time.perf_counter() - started) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    big = 10_000 if args.quick else 100_000
    folder = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    print(f"data in {folder}")

    # 1,000 orders with labels in one batch: slips, paper labels, email.
    store = open_store(folder / "small.sqlite3")
    world = DocWorld(store, folder)
    ids = world.add_orders(orders(1000), OrderStatus.READY_TO_SHIP)
    batch = world.batch()
    files = label_files(folder, 1000)
    add_labels(store.path, world.batches[batch], ids, files)

    timed(
        "1,000 packing slips (letter)",
        5,
        lambda: f"{PackingSlipService(store).write(folder / 'slips.pdf', batch=batch)} pages",
    )
    timed(
        "1,000 labels on letter paper, one a sheet",
        10,
        lambda: (
            PaperLabelService(store).write(folder / "paper.pdf", batch, scan_forms=False).labels
        ),
    )
    timed(
        "1,000 labels on letter paper, two a sheet",
        10,
        lambda: (
            PaperLabelService(store)
            .write(folder / "paper2.pdf", batch, per_sheet=2, scan_forms=False)
            .labels
        ),
    )
    per_label = reference_drawimage(files)
    print(
        f"{'  reference: reportlab drawImage, per label':52} {per_label:7.1f} ms "
        f"(x1,000 = {per_label:.0f} s)"
    )

    # Bulk email to the 1,000 orders through a real SMTP server on 127.0.0.1, unthrottled.
    from aiosmtpd.controller import Controller

    class Sink:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            Sink.received += 1
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings = EmailSettings(
            host="127.0.0.1",
            port=port,
            security=Security.NONE,
            from_address="shop@example.com",
            per_minute=0,
        )
        mail = TrackingEmailService(store, lambda: settings, lambda s: SmtpConnection(s, None))
        timed(
            "bulk tracking email, 1,000 orders, unthrottled",
            20,
            lambda: (
                f"{mail.send(EmailSelection(batch=batch)).count('sent')} sent, "
                f"{Sink.received} received"
            ),
        )
    finally:
        controller.stop()
    store.close()

    # 100,000 orders: the Package Group report, and a tracking export of 100,000 labels.
    store = open_store(folder / "big.sqlite3")
    world = DocWorld(store, folder)
    started = time.perf_counter()
    ids = world.add_orders(orders(big), OrderStatus.READY_TO_SHIP)
    big_batch = world.batch()
    add_labels(store.path, world.batches[big_batch], ids, None)
    print(f"(set-up: {big:,} orders and labels in {time.perf_counter() - started:.1f} s)")
    reports = ReportService(store)

    def group_report() -> str:
        report = reports.build(ReportKind.GROUPS, status=StatusScope.ALL)
        reports.write_pdf(report, folder / "groups.pdf")
        return f"{sum(len(s.orders) for s in report.sections):,} orders"

    timed(f"Package Group report PDF, {big:,} orders", 10, group_report)
    timed(
        f"Package Group Counts PDF, {big:,} orders",
        10,
        lambda: reports.write_pdf(reports.build(ReportKind.GROUP_COUNTS), folder / "c.pdf").name,
    )
    exports = ExportService(store, AuditLog(store, "bench", "bench"))
    timed(
        f"tracking export (BackerKit), {big:,} labels",
        3,
        lambda: f"{exports.tracking(TrackingFormat.BACKERKIT, folder / 'bk.csv'):,} rows",
    )
    with store.transaction() as tx:
        rows = [
            (r.external_id, r.email, r.name, r.tracking_code, "USPS", "x")
            for r in tx.documents.export_labels(live=True)
        ]
    started = time.perf_counter()
    with (folder / "plain.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    print(
        f"{'  reference: plain csv.writer of the same rows':52} "
        f"{time.perf_counter() - started:7.2f} s"
    )
    store.close()


if __name__ == "__main__":
    main()
