"""Three stations buying 1,000 labels together from one PostgreSQL database (issue 11).

Target: three `packdesk-cli buy` processes (three station names, one database) buying 1,000
labels against the sandbox with 1,000 ms create / 700 ms buy latency are all done in at most
1.2x the time ONE station needs for 1,000 / 3 labels, measured in the same run.

Each run is a fresh database (the same seed as bench/bench_buy.py: four package groups of
unequal sizes) and a fresh sandbox; every station is its own process with its own profile
folder, exactly as a desk runs `packdesk-cli buy --yes`. Layouts (`--layout`):

- `overlap`:    every station buys every group, in the same order (a warehouse's "everyone works
                the campaign");
- `split-help`: the groups dealt out to the stations, each station starting on its own groups
                and then helping with the others' ("desk 1 does singles, then helps");
- `split`:      the groups dealt out, each station buying only its own (the largest share bounds
                the time: this seed's groups are 5:3:2:1, so no deal is even).

`--layout` takes a comma-separated list (default overlap,split-help).

Without --url a throwaway cluster is started (tests/pg_cluster.py; needs PostgreSQL).
Prints figures and ratios; never asserts (docs/BENCHMARKS.md keeps the results).

Run: .venv/bin/python bench/bench_stations.py [--orders 1000] [--stations 3]
     [--layout overlap,split-help,split] [--concurrency 8] [--url postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.postage.sandbox.faults import FaultConfig  # noqa: E402
from app.postage.sandbox.server import SandboxServer  # noqa: E402
from app.store import open_store  # noqa: E402
from bench.bench_buy import seed  # noqa: E402


@dataclass(frozen=True, slots=True)
class Station:
    """What one station process did."""

    name: str
    seconds: float
    bought: int
    taken: int
    cpu_s: float


def _command(url: str, api_base: str, home: Path, groups: list[str], concurrency: int) -> list[str]:
    command = [sys.executable, "-m", "app", "--home", str(home), "--db", url, "--sandbox"]
    command += ["--api-base", api_base, "buy"]
    for group in groups:
        command += ["--group", group]
    return [*command, "--concurrency", str(concurrency), "--yes", "--json"]


def _env(station: str) -> dict[str, str]:
    return {
        **os.environ,
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONUNBUFFERED": "1",
        "PACKDESK_STATION": station,
    }


def _run(
    url: str, count: int, plan: list[list[str] | None], work: Path, faults: FaultConfig, conc: int
) -> tuple[float, list[Station], float]:
    """Seed `count` orders, start one station per entry of `plan` (its groups; None = all).

    Returns (seconds until the last station is done, the stations, sandbox process CPU s).
    """
    work.mkdir(parents=True)
    store = open_store(url, anchor=work / "pg.local")
    try:
        groups = seed(store, count)
    finally:
        store.close()
    with SandboxServer(work / "sandbox.json", faults=faults) as sandbox:
        cpu_before = time.process_time()
        start = time.perf_counter()
        running = []
        for n, chosen in enumerate(plan):
            name = f"station-{n + 1}"
            command = _command(url, sandbox.api_base, work / name, chosen or groups, conc)
            process = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(name)
            )
            running.append((name, process, time.perf_counter()))
        outputs: dict[str, tuple[bytes, bytes, float]] = {}

        def collect(name: str, process: subprocess.Popen[bytes]) -> None:
            out, err = process.communicate(timeout=1800)
            outputs[name] = (out, err, time.perf_counter())

        readers = [
            threading.Thread(target=collect, args=(name, process)) for name, process, _ in running
        ]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        stations = []
        for name, process, began in running:
            out, err, ended = outputs[name]
            if process.returncode not in (0, 2):
                raise SystemExit(f"{name} failed ({process.returncode}): {err.decode()[-2000:]}")
            result = json.loads(out)
            for kind in ("failed", "unknown", "unrecorded", "blocked"):
                if result[kind]:
                    reasons = sorted({str(r.get("reason")) for r in result[kind]})
                    print(f"  {name}: {len(result[kind])} {kind}: {reasons[:3]}")
            stations.append(
                Station(name, ended - began, len(result["bought"]), len(result["taken"]), 0.0)
            )
        elapsed = time.perf_counter() - start
        sandbox_cpu = time.process_time() - cpu_before
        ledger = [e for e in sandbox.ledger() if e.get("event") == "purchase"]
    total = sum(s.bought for s in stations)
    if total != count or len(ledger) != count:
        raise SystemExit(f"bought {total} (ledger {len(ledger)}) of {count}")
    return elapsed, stations, sandbox_cpu


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--layout", default="overlap,split-help", help="overlap, split-help, split")
    parser.add_argument("--concurrency", type=int, default=8, help="each station's buys in flight")
    parser.add_argument("--create-ms", type=int, default=1000)
    parser.add_argument("--buy-ms", type=int, default=700)
    parser.add_argument("--url", help="a PostgreSQL server URL whose role may CREATE DATABASE")
    args = parser.parse_args()
    faults = FaultConfig(
        op_latency_ms={"shipment.create": args.create_ms, "shipment.buy": args.buy_ms}
    )
    work = Path(tempfile.mkdtemp(prefix="bench-stations-"))
    stop: list[str] = []
    from tests.pg_cluster import PgServer, _start_cluster

    cluster = Path(tempfile.mkdtemp(prefix="bench-stations-pg-"))
    if args.url is None:
        server, stop = _start_cluster(cluster)
    else:
        import itertools

        import psycopg

        info = psycopg.conninfo.conninfo_to_dict(args.url)
        server = PgServer(
            str(info.get("host", "127.0.0.1")),
            int(info.get("port", 5432)),
            str(info.get("user", "packdesk")),
            itertools.count(1),
        )
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    try:
        share = args.orders // args.stations
        cpu = _children_cpu()
        ref_s, _, ref_sandbox = _run(
            server.url(server.empty_database()), share, [None], work / "reference", faults,
            args.concurrency,
        )  # fmt: skip
        ref_cpu = _children_cpu() - cpu
        print(
            f"reference: 1 station, {share} labels in {ref_s:.1f} s "
            f"({share / ref_s:.1f} labels/s; station CPU {ref_cpu:.1f} s, "
            f"sandbox+bench CPU {ref_sandbox:.1f} s)"
        )
        layouts = [name.strip() for name in args.layout.split(",") if name.strip()]
        for layout in layouts:
            groups = seed_groups()
            dealt: list[list[str]] = [[] for _ in range(args.stations)]
            for n, group in enumerate(groups):
                dealt[n % args.stations].append(group)
            if layout == "overlap":
                plan: list[list[str] | None] = [None] * args.stations
            elif layout == "split":
                plan = [g or None for g in dealt]
            elif layout == "split-help":
                plan = [own + [g for g in groups if g not in own] for own in dealt]
            else:
                raise SystemExit(f"unknown layout {layout!r}")
            cpu = _children_cpu()
            elapsed, stations, sandbox_cpu = _run(
                server.url(server.empty_database()), args.orders, plan, work / layout, faults,
                args.concurrency,
            )  # fmt: skip
            used = _children_cpu() - cpu
            print(
                f"{layout}: {args.stations} stations, {args.orders} labels, all done in "
                f"{elapsed:.1f} s ({args.orders / elapsed:.1f} labels/s; stations CPU "
                f"{used:.1f} s, sandbox+bench CPU {sandbox_cpu:.1f} s)"
            )
            for station in stations:
                print(
                    f"  {station.name}: {station.bought} bought, {station.taken} left to "
                    f"others, done after {station.seconds:.1f} s"
                )
            print(f"  {layout} / reference: {elapsed / ref_s:.2f}x (target <= 1.2x)")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        if stop:
            subprocess.run(stop, capture_output=True, check=False)
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def seed_groups() -> list[str]:
    from app.domain.groups import group_id_for
    from bench.bench_buy import QUANTITIES

    return [group_id_for((("TEE-M", q),)) for q in QUANTITIES]


if __name__ == "__main__":
    main()
