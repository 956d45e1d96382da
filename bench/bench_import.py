"""Import and package-group speed: 100,000 Kickstarter orders into a fresh database, a re-import
that must write nothing, marking them ready, recomputing groups, and sqlite3's own `.import` of
the same file as the reference.

Run: .venv/bin/python bench/bench_import.py [--orders N] [--keep DIR]
Prints figures; never asserts (docs/BENCHMARKS.md keeps the results).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.domain.order_flow import StatusAction  # noqa: E402
from app.imports import read_order_file  # noqa: E402
from app.services.error_csv import write_error_csv  # noqa: E402
from app.services.grouping import GroupingService  # noqa: E402
from app.services.importing import ImportService  # noqa: E402
from app.services.orders import OrderSelection, OrderService  # noqa: E402
from app.store import Store, open_store  # noqa: E402

# -- the input file --------------------------------------------------------------------------

_ITEMS = ["T-Shirt (M)", "T-Shirt (L)", "Sticker Pack", "Art Book", "Poster"]
_ADDONS = ["[Addon: 10750435] Enamel Pin", "[Addon: 10750436] Tote Bag"]
_HEADER = [
    "Backer Number", "Backer UID", "Backer Name", "Email", "Shipping Country", "Shipping Amount",
    "Reward Title", "Backing Minimum", "Reward ID", "Bonus Support", "Pledge Amount",
    "Pledged At", "Fulfillment Status", "Pledged Status", "Notes", *_ITEMS, *_ADDONS,
    "Survey Response", "Shipping Name", "Shipping Address 1", "Shipping Address 2",
    "Shipping City", "Shipping State", "Shipping Postal Code", "Shipping Country Name",
    "Shipping Country Code", "Shipping Phone Number", "Shipping Delivery Notes",
]  # fmt: skip
_PLACES = [
    ("US", "United States", "Boston", "MA", "02108"),
    ("US", "United States", "Austin", "TX", "78701"),
    ("US", "United States", "Seattle", "WA", "98144-2734"),
    ("CA", "Canada", "Ottawa", "ON", "K2P 2L8"),
    ("GB", "United Kingdom", "London", "", "SW1A 1AA"),
    ("DE", "Germany", "Berlin", "", "10115"),
    ("SE", "Sweden", "Tyresö", "Stockholms Län", "135 44"),
    ("AU", "Australia", "Sydney", "NSW", "2000"),
]


def write_kickstarter_csv_fallback(path: Path, n_orders: int, seed: int = 1) -> None:
    """A 2023/2025-layout backer report (used until resources/samples/generate.py exists)."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(_HEADER)
        for n in range(1, n_orders + 1):
            country, country_name, city, state, postal = rng.choices(
                _PLACES, weights=[30, 20, 20, 8, 8, 6, 4, 4]
            )[0]
            quantities = [rng.choice((0, 1, 1, 1)), 0, rng.choice((0, 1)), rng.choice((0, 0, 1)), 0]
            if not any(quantities):
                quantities[1] = 1
            addons = [rng.choice((0, 0, 0, 1)), rng.choice((0, 0, 0, 0, 2))]
            name = f"Backer {n} Ñandú"
            writer.writerow(
                [
                    n, 1_600_000_000 + n, name, f"backer{n}@example.com", country,
                    "$5.00 USD", "Tier", "$30.00 USD", 6526680, "$0.00 USD", "$1,035.00 USD",
                    "2025/03/28, 10:27", "Unfulfilled", "collected", "",
                    *quantities, *addons,
                    "2025/05/26, 14:05", name, f"{n} Main Street", "", city, state, postal,
                    country_name, country, "", "",
                ]
            )  # fmt: skip


def write_orders_file(path: Path, n_orders: int) -> str:
    """Write the file with F2's generator when it is there; say which one was used."""
    try:
        from resources.samples.generate import write_kickstarter_csv
    except ImportError:
        write_kickstarter_csv_fallback(path, n_orders)
        return "bench fallback generator"
    write_kickstarter_csv(path, n_orders, seed=1)
    return "resources/samples/generate.py"


# -- measuring -------------------------------------------------------------------------------


def timed(label: str, action: Callable[[], Any]) -> tuple[float, Any]:
    """Run `action`, print its wall time and this process's CPU time (steadier on a busy box)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = action()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"  {label:<44} {elapsed:8.3f} s   (CPU {cpu:.3f} s)")
    return elapsed, result


def file_state(db: Path) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of the database and its WAL: any write changes one of them."""
    state = {}
    for suffix in ("", "-wal"):
        candidate = Path(f"{db}{suffix}")
        if candidate.exists():
            stat = candidate.stat()
            state[candidate.name] = (stat.st_mtime_ns, stat.st_size)
    return state


class WriteCounter:
    """Counts statements that could write (anything but SELECT/PRAGMA/BEGIN/COMMIT/ROLLBACK)."""

    def __init__(self, store: Store) -> None:
        self.writes = 0
        event.listen(store.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb not in {"SELECT", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK"}:
            self.writes += 1


def sqlite_cli_import(csv_path: Path, work: Path) -> float | None:
    """Seconds for the sqlite3 shell to `.import` the CSV into one flat table (the reference)."""
    sqlite3_bin = shutil.which("sqlite3")
    if sqlite3_bin is None:
        print("  sqlite3 CLI not found; no reference figure")
        return None
    db = work / "flat.sqlite3"
    script = f".mode csv\n.import '{csv_path}' backers\n"
    start = time.perf_counter()
    subprocess.run([sqlite3_bin, str(db)], input=script, text=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="keep the files in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="packdesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / "kickstarter-backers.csv"
    db = work / "bench.sqlite3"
    for old in work.glob("*.sqlite3*"):
        old.unlink()

    print(f"Import and groups: {args.orders:,} orders, {os.cpu_count()} CPUs, Python "
          f"{sys.version.split()[0]}")  # fmt: skip
    _, source = timed("write the CSV", lambda: write_orders_file(csv_path, args.orders))
    print(f"  ({source}, {csv_path.stat().st_size / 1e6:.1f} MB)")

    store = open_store(db)
    counter = WriteCounter(store)
    importer = ImportService(store, read_order_file, write_error_csv)

    parse_s, parsed = timed("parse only (read_order_file)", lambda: read_order_file(csv_path))
    print(f"  ({len(parsed.orders):,} orders, {len(parsed.errors)} rejected rows)")
    first_s, first = timed(
        "import into a fresh database (parse + apply)", lambda: importer.import_file(csv_path)
    )
    print(f"  (created {first.orders_created:,}, SKUs {first.items_created})")

    before_state, before_writes = file_state(db), counter.writes
    _, again = timed("re-import, same file", lambda: importer.import_file(csv_path))
    after_state = file_state(db)
    print(
        f"  (unchanged {again.orders_unchanged:,}, updated {again.orders_updated}, "
        f"created {again.orders_created}; write statements {counter.writes - before_writes}, "
        f"files {'unchanged' if after_state == before_state else 'CHANGED'})"
    )

    orders = OrderService(store)
    _, ready = timed(
        "ready --all",
        lambda: orders.change_status(StatusAction.READY, OrderSelection(all=True)),
    )
    print(f"  ({len(ready.changed):,} marked ready)")

    grouping = GroupingService(store)
    runs = []
    groups = []
    for _ in range(5):
        start = time.perf_counter()
        groups = grouping.groups()
        runs.append(time.perf_counter() - start)
    print(
        f"  {'recompute groups (median of 5)':<44} {statistics.median(runs):8.3f} s   "
        f"(best {min(runs):.3f} s)"
    )
    timed("groups --orders (groups with their orders)", grouping.groups_with_orders)
    timed("customs check", grouping.customs_blocked)
    print(f"  ({len(groups)} groups over {sum(g.orders for g in groups):,} ready orders)")

    store.close()
    reference = sqlite_cli_import(csv_path, work)
    if reference is not None:
        print(f"  {'sqlite3 CLI .import into one flat table':<44} {reference:8.3f} s")
        print(f"  import / sqlite3 .import ratio: {first_s / reference:.1f}x "
              f"(apply only: {(first_s - parse_s) / reference:.1f}x)")  # fmt: skip
    if args.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
