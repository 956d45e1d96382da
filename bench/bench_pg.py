"""PostgreSQL beside SQLite in one run: import N Kickstarter orders into each (parse + apply),
then scan-to-ship on PostgreSQL (median of single scans, each its own write transaction).

Run: .venv/bin/python bench/bench_pg.py [--orders N] [--scans N] [--url postgresql://...]
Without --url a throwaway cluster is started (tests/pg_cluster.py; needs `apt-get install
postgresql`). Prints figures; never asserts (docs/BENCHMARKS.md keeps the results).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.domain.tracking import GS, make_usps_tracking_number  # noqa: E402
from app.imports import read_order_file, table  # noqa: E402
from app.services.audit import AuditAction, AuditLog  # noqa: E402
from app.services.error_csv import write_error_csv  # noqa: E402
from app.services.importing import ImportService  # noqa: E402
from app.services.live_updates import LiveUpdates  # noqa: E402
from app.services.scan_to_ship import ScanStatus, ScanToShipService  # noqa: E402
from app.store import Store, open_store  # noqa: E402
from bench.bench_import import timed, write_orders_file  # noqa: E402
from bench.bench_scan import ZIPS  # noqa: E402


def _import(store: Store, csv_path: Path, label: str) -> float:
    importer = ImportService(store, read_order_file, write_error_csv)
    elapsed, _ = timed(label, lambda: importer.import_file(csv_path))
    return elapsed


def server_cpu(data: Path | None) -> float:
    """CPU seconds the cluster's processes used so far (backends, live or exited), or NaN.

    Wall times swing with the load of a shared machine; the server's CPU does not.
    """
    if data is None:
        return float("nan")
    try:
        postmaster = (data / "postmaster.pid").read_text().split()[0]
    except OSError:
        return float("nan")
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if entry.name == postmaster:  # its own time and that of the backends it reaped
            total += sum(int(f) for f in fields[11:15])
        elif fields[1] == postmaster:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _labels(store: Store, count: int) -> list[tuple[int, str, str]]:
    """Give the first `count` orders a live label (status printed); (order, tracking, zip)."""
    rows = [(i, make_usps_tracking_number(i * 7919 % 10**12), ZIPS[i % len(ZIPS)]) for i in
            range(1, count + 1)]  # fmt: skip
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE orders SET status = 'printed', postal_code = %s WHERE id = %s",
            [(zip_code, i) for i, _, zip_code in rows],
        )
        connection.exec_driver_sql(
            "INSERT INTO labels (order_id, shipment_id, tracking_code, service, amount_usd, "
            "label_format, bought_at, status, from_address_key) VALUES "
            "(%s, %s, %s, 'GroundAdvantage', '5.10', 'PNG', now(), 'live', 'studio')",
            [(i, f"shp_{i:032x}", code) for i, code, _ in rows],
        )
        connection.exec_driver_sql("ANALYZE")
    return rows


def _visible(store: Store, work: Path, samples: int = 20) -> str:
    """Median and worst time from a commit at one desk to a follower at another seeing it."""
    other = open_store(store.target, anchor=work / "other.local")
    writer = AuditLog(other, station="desk-b", user="bench")
    seen = threading.Event()
    live = LiveUpdates(store, on_change=lambda _v: seen.set(), wait_seconds=0.5)
    live.start()
    delays = []
    try:
        time.sleep(0.5)
        for n in range(samples):
            seen.clear()
            start = time.perf_counter()
            writer.record(AuditAction.BATCH_OPEN, details={"bench": n})
            seen.wait(5)
            delays.append(time.perf_counter() - start)
            time.sleep(0.05 * (n % 3))
    finally:
        live.stop()
        other.close()
    return f"median {statistics.median(delays) * 1000:.0f} ms, worst {max(delays) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--scans", type=int, default=1_000)
    parser.add_argument("--url", help="an empty PostgreSQL database (else a throwaway cluster)")
    args = parser.parse_args()
    # The sample Kickstarter export has 37 columns: 100,000 backers are 3.7 million cells, past
    # the reader's 3 million cell limit (issue 8). The bench measures the same file as before.
    table.MAX_CELLS = max(table.MAX_CELLS, args.orders * 40)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    work = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    csv_path = work / "orders.csv"
    print(f"{args.orders:,} orders from {write_orders_file(csv_path, args.orders)}")
    stop: list[str] = []
    url = args.url
    data: Path | None = None
    if url is None:
        from tests.pg_cluster import _start_cluster

        cluster = Path(tempfile.mkdtemp(prefix="bench-pg-cluster-"))
        server, stop = _start_cluster(cluster)
        url = server.url(server.empty_database())
        data = cluster / "data"
    try:
        lite = open_store(work / "bench.sqlite3")
        pg = open_store(url, anchor=work / "pg.local")
        cpu = time.process_time()
        sqlite_s = _import(lite, csv_path, "SQLite: import into a fresh database")
        sqlite_cpu = time.process_time() - cpu
        cpu, before = time.process_time(), server_cpu(data)
        pg_s = _import(pg, csv_path, "PostgreSQL: import into a fresh database")
        pg_cpu, served = time.process_time() - cpu, server_cpu(data) - before
        print(f"  PostgreSQL / SQLite import time: {pg_s / sqlite_s:.2f}x")
        print(
            f"  PostgreSQL server CPU during the import: {served:.2f} s; CPU of both sides "
            f"{pg_cpu + served:.2f} s vs SQLite {sqlite_cpu:.2f} s "
            f"({(pg_cpu + served) / sqlite_cpu:.2f}x)"
        )
        rows = _labels(pg, min(args.scans * 2, args.orders))
        service = ScanToShipService(pg, AuditLog(pg, station="bench", user="bench"))
        picks = random.Random(7).sample(rows, min(args.scans, len(rows)))
        times = []
        for _, code, zip_code in picks:
            start = time.perf_counter()
            outcome = service.scan(f"]C1420{zip_code}{GS}{code}")
            times.append(time.perf_counter() - start)
            assert outcome.status is ScanStatus.SHIPPED, outcome.message
        times.sort()
        print(
            f"  PostgreSQL scan to ship: median {statistics.median(times) * 1000:.2f} ms, "
            f"p95 {times[int(len(times) * 0.95)] * 1000:.2f} ms over {len(times):,} scans"
        )
        for name, store in (("SQLite", lite), ("PostgreSQL", pg)):
            print(f"  {name} change seen by another desk: {_visible(store, work):s}")
        lite.close()
        pg.close()
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if stop:
            import subprocess

            subprocess.run(stop, capture_output=True, check=False)


if __name__ == "__main__":
    main()
