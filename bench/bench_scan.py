"""Scan-to-ship speed: 100,000 orders with labels in the database, then scans through the whole
ScanToShipService call (parse, indexed lookup, the write transaction with the audit entry), next
to a bare indexed SELECT and a bare UPDATE+commit on the same file as references.

Run: .venv/bin/python bench/bench_scan.py [--orders N] [--scans N] [--keep DIR]
Prints figures; never asserts (docs/BENCHMARKS.md keeps the results).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.domain.tracking import GS, make_usps_tracking_number  # noqa: E402
from app.services.audit import AuditLog  # noqa: E402
from app.services.scan_to_ship import ScanStatus, ScanToShipService  # noqa: E402
from app.store import open_store  # noqa: E402

ZIPS = ["02108", "94107", "10001", "60601", "787451234"]


def fill(path: Path, count: int) -> list[tuple[int, str, str]]:
    """`count` orders, each with a live label; returns (order id, tracking, zip)."""
    store = open_store(path)  # creates and migrates
    store.close()
    now = datetime(2026, 3, 9, 12, 0).isoformat(sep=" ")
    rows: list[tuple[int, str, str]] = []
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO orders (id, source, external_id, status, recipient_name, company, "
            "street1, street2, city, state, postal_code, country, email, phone, notes, "
            "extra_json, content_hash, group_id, created_at, updated_at) VALUES "
            "(?, 'kickstarter', ?, 'printed', ?, '', '1 Main St', '', 'Boston', 'MA', ?, 'US', "
            "'', '', '', '{}', 'h', 'g', ?, ?)",
            (
                (i, str(1000 + i), f"Backer {i}", ZIPS[i % len(ZIPS)], now, now)
                for i in range(1, count + 1)
            ),
        )
        for i in range(1, count + 1):
            rows.append((i, make_usps_tracking_number(i * 7919 % 10**12), ZIPS[i % len(ZIPS)]))
        connection.executemany(
            "INSERT INTO labels (id, order_id, shipment_id, tracking_code, service, amount_usd, "
            "label_format, bought_at, status, from_address_key) VALUES "
            "(?, ?, ?, ?, 'GroundAdvantage', '5.10', 'PNG', ?, 'live', 'studio')",
            ((i, i, f"shp_{i:032x}", code, now) for i, code, _ in rows),
        )
    connection.execute("ANALYZE")
    connection.close()
    return rows


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def summary(name: str, times: list[float]) -> float:
    median = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[18]
    print(f"{name:<44} median {median:7.3f} ms   p95 {p95:7.3f} ms   (n={len(times)})")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=2_000)
    parser.add_argument("--keep", type=Path, help="keep the database in this folder")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-scan-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scan.sqlite3"
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    rows = fill(path, args.orders)
    print(f"{args.orders:,} orders with labels written in {time.perf_counter() - started:.1f} s")

    store = open_store(path)
    service = ScanToShipService(store, AuditLog(store, station="bench", user="bench"))
    picks = random.Random(7).sample(rows, min(args.scans, len(rows)))
    raw = [f"]C1420{zip_code}{GS}{code}" for _, code, zip_code in picks]
    iterator = iter(raw)

    def scan_new() -> None:
        outcome = service.scan(next(iterator))
        assert outcome.status is ScanStatus.SHIPPED, outcome.message

    shipped = timed(scan_new, len(raw))
    again = iter(raw)
    repeats = timed(lambda: service.scan(next(again)), len(raw))
    unknown_codes = iter(make_usps_tracking_number(10**12 + i) for i in range(len(raw)))
    unknown = timed(lambda: service.scan(next(unknown_codes)), len(raw))

    reference = sqlite3.connect(path, isolation_level=None)
    reference.execute("PRAGMA journal_mode = WAL")
    reference.execute("PRAGMA synchronous = NORMAL")
    codes = iter(code for _, code, _ in picks)
    select = timed(
        lambda: reference.execute(
            "SELECT id, order_id, status FROM labels WHERE tracking_code = ?", (next(codes),)
        ).fetchone(),
        len(picks),
    )
    ids = iter(order_id for order_id, _, _ in picks)

    def bare_write() -> None:
        reference.execute("BEGIN IMMEDIATE")
        reference.execute(
            "UPDATE orders SET notes = 'x' WHERE id = ?",
            (next(ids),),
        )
        reference.execute("COMMIT")

    write = timed(bare_write, len(picks))
    reference.close()
    store.close()

    print()
    m_ship = summary("scan -> shipped (whole service call)", shipped)
    summary("scan -> already_shipped", repeats)
    summary("scan -> unknown", unknown)
    m_select = summary("reference: bare indexed SELECT (sqlite3)", select)
    m_write = summary("reference: bare UPDATE + COMMIT (sqlite3)", write)
    print()
    print(f"shipped scan / bare SELECT: {m_ship / m_select:.0f}x")
    print(f"shipped scan / bare UPDATE+COMMIT: {m_ship / m_write:.1f}x")
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
