"""GUI speed and memory with 100,000 orders cached: window shown, the Orders list's first
screen and the whole list filled (wall and CPU time), the longest GUI-thread stall (a 10 ms
heartbeat timer) while loading, filtering, switching panels and buying ~1,000 labels (beside an
idle process's heartbeat over the same time), the filter's time, and the peak resident memory.
BENCH_GUI_SANDBOX=inprocess runs the buy's sandbox in the window's process (the default is a
child process, as `packdesk --demo` does); BENCH_GUI_TRACE=1 dumps every thread's stack when a
beat is 60 ms late (BENCH_GUI_TRACE=40: 40 ms).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_gui.py [--orders N] [--keep DIR]
The database is built once (import + ready) and reused from --keep; each measurement runs in a
fresh process, so start-up and peak memory are the window's own. Prints figures; never asserts
(docs/BENCHMARKS.md keeps the results).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TARGETS = {
    "window_shown_s": 1.5,
    "orders_first_screen_s": 2.0,
    "orders_filled_s": 2.0,
    "stall_load_ms": 50,
    "stall_switch_ms": 50,
    "peak_rss_mb": 300,
    "filter_ms": 100,
    "stall_buy_ms": 50,
}


def build_database(work: Path, n_orders: int) -> Path:
    """A database with `n_orders` imported Kickstarter orders, all ready to ship."""
    db = work / f"bench-gui-{n_orders}.sqlite3"
    if db.exists():
        return db
    from app.domain.order_flow import StatusAction
    from app.imports import read_order_file
    from app.services.error_csv import write_error_csv
    from app.services.importing import ImportService
    from app.services.orders import OrderSelection, OrderService
    from app.store import open_store
    from resources.samples.generate import write_kickstarter_csv

    csv_path = work / f"orders-{n_orders}.csv"
    write_kickstarter_csv(csv_path, n_orders)
    store = open_store(db)
    try:
        importer = ImportService(store, read_order_file, write_error_csv)
        for part in _split_csv(csv_path, 40_000):  # a file may hold at most 3,000,000 cells
            importer.import_file(part)
        OrderService(store).change_status(StatusAction.READY, OrderSelection(all=True))
    finally:
        store.close()
    return db


def _split_csv(path: Path, rows_per_part: int) -> list[Path]:
    """`path` as files of at most `rows_per_part` records, each with the header."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    parts = []
    for number, start in enumerate(range(0, len(rows), rows_per_part), start=1):
        part = path.with_name(f"{path.stem}-part{number}.csv")
        with part.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows[start : start + rows_per_part])
        parts.append(part)
    return parts


def cpu_reference_s() -> float:
    """A fixed pure-Python loop's time: how fast this machine runs Python right now (a shared
    VM's speed drifts by a third over an hour), to read the run's figures against."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    return time.perf_counter() - started


def idle_stall_ms(seconds: float = 3.0) -> float:
    """The longest late heartbeat of an idle Qt process: what the machine alone costs (a shared,
    loaded machine delays any thread), the reference for the stall figures of the same run."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    clock = QElapsedTimer()
    clock.start()
    last, worst = [0], [0.0]

    def beat() -> None:
        now = clock.elapsed()
        worst[0] = max(worst[0], float(now - last[0] - 10))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(beat)
    timer.start()
    while clock.elapsed() < seconds * 1000:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    timer.stop()
    return worst[0]


def _gap_figures(gaps: list[float], prefix: str) -> dict[str, float]:
    """The longest late beat, the 99th percentile and how many beats were 50+ ms late."""
    ordered = sorted(gaps) or [0.0]
    return {
        f"{prefix}_ms": ordered[-1],
        f"{prefix}_p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        f"{prefix}_over50": float(sum(1 for g in ordered if g > 50)),
    }


def idle_heartbeat_until_stdin_closes() -> dict[str, float]:
    """An idle Qt process's heartbeat, for exactly as long as a measurement of another process
    runs (its parent closes our standard input at the end): what the shared machine alone did
    to any thread meanwhile, the fair reference for that measurement's stalls."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    done = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    clock = QElapsedTimer()
    clock.start()
    last, gaps = [0], []

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(float(now - last[0] - 10))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(beat)
    timer.start()
    while not done.is_set():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    timer.stop()
    return _gap_figures(gaps, "idle_same_time")


def _trace_seconds() -> float | None:
    """BENCH_GUI_TRACE=MS: dump every thread's stack when a beat is MS late (1: 60 ms)."""
    raw = os.environ.get("BENCH_GUI_TRACE")
    if not raw:
        return None
    late_ms = float(raw) if float(raw) > 1 else 60.0
    return (late_ms + 10) / 1000


def track_full_collections(phase: list[str]) -> list[float]:
    """The cyclic collector's full (generation 2) collections from now on, in ms each; with
    BENCH_GUI_TRACE, each is printed with its phase and thread."""
    import gc

    collections: list[float] = []
    started = [0.0]

    def on_gc(step: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if step == "start":
            started[0] = time.perf_counter()
            return
        collections.append((time.perf_counter() - started[0]) * 1000)
        if os.environ.get("BENCH_GUI_TRACE"):
            print(
                f"gc2 {phase[0]} {collections[-1]:.0f} ms "
                f"{threading.current_thread().name} objs={len(gc.get_objects(2))}",
                file=sys.stderr,
            )

    gc.callbacks.append(on_gc)
    return collections


def measure_window(db: Path, home: Path) -> dict[str, float]:
    """In this (fresh) process: show the window over `db` and measure. Returns the figures."""
    started = time.perf_counter()
    started_cpu = time.process_time()  # ~0 (the bench's own imports are few)
    import resource

    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from app.bootstrap import RuntimeOptions, build_context
    from app.ui.main_window import MainWindow
    from app.ui.panels.orders_panel import OrdersPanel

    clock = QElapsedTimer()
    clock.start()
    gaps: dict[str, float] = {}
    phase = ["start"]
    last = [clock.elapsed()]

    trace = _trace_seconds()
    if trace:
        import faulthandler

    def beat() -> None:
        if trace:  # a C watchdog: dumps every thread's stack if the next beat is late
            faulthandler.dump_traceback_later(trace, exit=False)
        now = clock.elapsed()
        gap = now - last[0] - 10  # the timer's own period is not a stall
        gaps[phase[0]] = max(gaps.get(phase[0], 0.0), float(gap))
        last[0] = now

    heartbeat = QTimer()
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    heartbeat.start()

    def wait_until(condition: object, timeout_ms: int = 60_000) -> None:
        loop_clock = QElapsedTimer()
        loop_clock.start()
        while not condition() and loop_clock.elapsed() < timeout_ms:  # type: ignore[operator]
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    collections = track_full_collections(phase)
    figures: dict[str, float] = {}
    with build_context(RuntimeOptions(db=str(db), home=home)) as ctx:
        window = MainWindow(ctx)
        orders = window.panels["orders"]
        assert isinstance(orders, OrdersPanel)
        loaded: list[int] = []
        first: list[float] = []
        orders.orders_loaded.connect(loaded.append)
        first_screen = getattr(orders, "first_screen_shown", None)  # older code: none
        if first_screen is not None:
            first_screen.connect(
                lambda _rows: first.extend((time.perf_counter(), time.process_time()))
            )
        window.show()
        exposed: list[float] = []
        QTimer.singleShot(0, lambda: exposed.extend((time.perf_counter(), time.process_time())))
        phase[0] = "load"
        last[0] = clock.elapsed()
        wait_until(lambda: bool(exposed))
        figures["window_shown_s"] = exposed[0] - started
        figures["window_shown_cpu_s"] = exposed[1] - started_cpu
        wait_until(lambda: bool(loaded))
        figures["orders_filled_s"] = time.perf_counter() - started
        # The process's CPU time (every thread) up to then: steadier than wall time on a
        # loaded, shared machine, which delays every thread alike.
        figures["orders_filled_cpu_s"] = time.process_time() - started_cpu
        figures["orders_first_screen_cpu_s"] = (first[1] - started_cpu) if first else 0.0
        # The first screen (OrdersPanel.FIRST_SCREEN rows by number) before the whole list; 0
        # when the whole list came first.
        figures["orders_first_screen_s"] = (first[0] - started) if first else 0.0
        figures["orders_rows"] = float(orders.model.rowCount())
        wait_until(lambda: window.runner.active_count == 0)

        phase[0] = "filter"
        last[0] = clock.elapsed()
        t0 = time.perf_counter()
        orders.search.setText("99999")
        figures["filter_ms"] = (time.perf_counter() - t0) * 1000
        figures["filter_rows"] = float(orders.model.rowCount())
        t0 = time.perf_counter()
        orders.search.setText("")
        figures["filter_clear_ms"] = (time.perf_counter() - t0) * 1000

        phase[0] = "switch"
        last[0] = clock.elapsed()
        t0 = time.perf_counter()
        for key in window.panels:
            phase[0] = f"switch:{key}"
            window.show_panel(key)
            app.processEvents()
            wait_until(lambda: window.runner.active_count == 0)
        figures["switch_all_s"] = time.perf_counter() - t0
        phase[0] = "back to orders"
        window.show_panel("orders")
        wait_until(lambda: window.runner.active_count == 0)
        heartbeat.stop()
        phase[0] = "close"
        window.close()
    figures["stall_idle_reference_ms"] = idle_stall_ms()
    figures["stall_load_ms"] = gaps.get("load", 0.0)
    figures["stall_filter_ms"] = gaps.get("filter", 0.0)
    switches = {k: v for k, v in gaps.items() if k.startswith("switch")}
    figures["stall_switch_ms"] = max(switches.values(), default=0.0)
    if os.environ.get("BENCH_GUI_TRACE"):
        print(json.dumps(switches), file=sys.stderr)
    figures["gc_full_count"] = float(len(collections))
    figures["gc_full_max_ms"] = max(collections, default=0.0)
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    figures["peak_rss_mb"] = rss_kb / 1024
    return figures


def measure_buy(labels: int, home: Path) -> dict[str, float]:
    """In this (fresh) process: the demo profile plus more sample orders, then `labels` labels
    bought through the Buy & print panel (offline sandbox, virtual printer), with the
    heartbeat running. Returns the figures."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from app.bootstrap import RuntimeOptions, build_context
    from app.domain.order_flow import StatusAction
    from app.services.orders import OrderSelection
    from app.ui.main_window import MainWindow
    from app.ui.panels.buy_panel import BuyPanel
    from resources.samples.generate import write_kickstarter_csv

    def wait_until(condition: object, timeout_ms: int = 900_000) -> None:
        waited = QElapsedTimer()
        waited.start()
        while not condition() and waited.elapsed() < timeout_ms:  # type: ignore[operator]
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    figures: dict[str, float] = {}
    # As `packdesk --demo` runs: the sandbox in a child process (BENCH_GUI_SANDBOX=inprocess:
    # in this one, as before).
    child = os.environ.get("BENCH_GUI_SANDBOX", "process") != "inprocess"
    extra = {"sandbox_process": child} if "sandbox_process" in RuntimeOptions.__slots__ else {}
    options = RuntimeOptions(profile="demo", home=home, demo=True, **extra)  # type: ignore[arg-type]
    with build_context(options) as ctx:
        ctx.demo_seeder.seed()
        more = home / "more.csv"
        write_kickstarter_csv(more, labels * 2, seed=7)
        ctx.import_service.import_file(more)
        ctx.order_service.change_status(StatusAction.READY, OrderSelection(all=True))
        # Every group gets the demo's first package type and Ground Advantage / FCPI.
        package = ctx.catalog_service.list_package_types()[0].name
        for group in ctx.grouping_service.groups():
            ctx.grouping_service.assign(
                group.group_id,
                package_type=package,
                service="GroundAdvantage",
                international_service="FirstClassPackageInternationalService",
            )
        window = MainWindow(ctx)
        window.show()
        panel = window.panels["buy"]
        assert isinstance(panel, BuyPanel)
        loaded: list[int] = []
        panel.groups_loaded.connect(loaded.append)
        window.show_panel("buy")
        wait_until(lambda: bool(loaded))
        chosen, count = [], 0
        for row in sorted(panel.model.rows(), key=lambda r: -r.group.orders):
            if count >= labels:
                break
            chosen.append(row.group.group_id)
            count += row.group.orders
        panel.select_groups(chosen)
        estimated: list[object] = []
        panel.estimated.connect(estimated.append)
        panel.start_estimate()
        wait_until(lambda: bool(estimated))
        panel.confirm = lambda *_args: True  # type: ignore[method-assign]
        clock = QElapsedTimer()
        clock.start()
        last = [clock.elapsed()]
        gaps: list[float] = []

        trace = _trace_seconds()
        if trace:
            import faulthandler

        def beat() -> None:
            if trace:
                faulthandler.dump_traceback_later(trace, exit=False)
            now = clock.elapsed()
            gaps.append(float(now - last[0] - 10))
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(beat)
        finished: list[object] = []
        panel.buy_finished.connect(finished.append)
        idle = subprocess.Popen(
            [sys.executable, __file__, "--child-idle"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        collections = track_full_collections(["buy"])
        heartbeat.start()
        t0 = time.perf_counter()
        panel.start_buy()
        wait_until(lambda: bool(finished))
        figures["buy_s"] = time.perf_counter() - t0
        heartbeat.stop()
        idle_out, _ = idle.communicate(timeout=60)  # closes its stdin: it stops and reports
        figures["buy_labels"] = float(len(getattr(finished[0], "bought", ())))
        figures.update(_gap_figures(gaps, "stall_buy"))
        figures["buy_gc_full_count"] = float(len(collections))
        figures["buy_gc_full_max_ms"] = max(collections, default=0.0)
        figures.update(json.loads(idle_out.strip().splitlines()[-1]))
        figures["buy_idle_reference_ms"] = idle_stall_ms()
        figures["bought_rows"] = float(panel.bought_model.rowCount())
        import resource

        figures["buy_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        wait_until(lambda: window.runner.active_count == 0, 60_000)
        window.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="where to keep (and reuse) the database")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--buy", type=int, default=1000, help="labels to buy (0: skip)")
    parser.add_argument(
        "--cold", action="store_true", help="start without cached bytecode (the first start)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-buy", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-idle", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_idle:
        print(json.dumps(idle_heartbeat_until_stdin_closes()))
        return
    if args.child is not None:
        with tempfile.TemporaryDirectory() as home:
            print(json.dumps(measure_window(args.child, Path(home))))
        return
    if args.child_buy is not None:
        with tempfile.TemporaryDirectory() as home:
            print(json.dumps(measure_buy(args.child_buy, Path(home))))
        return
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-gui-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    db = build_database(work, args.orders)
    print(f"database: {args.orders:,} ready orders in {db} ({time.perf_counter() - t0:.1f} s)")
    print(f"cpu_reference_s    {cpu_reference_s():.3f}  (a 10-million-step Python loop, now)")
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    if not args.cold:
        # As an installed Packdesk starts: with its modules' bytecode cached (the bundle ships
        # it; a pip install writes it at the first start). PYTHONDONTWRITEBYTECODE=1, set on
        # some machines, would recompile ~180 modules (~0.3 s) at every start.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(REPO / "app"), str(REPO / "printers")],
            env=env,
            check=True,
        )
    runs = []
    for _ in range(args.runs):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(db)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    if args.buy:
        out = subprocess.run(
            [sys.executable, __file__, "--child-buy", str(args.buy)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        bought = json.loads(out.strip().splitlines()[-1])
        runs = runs or [{}]  # --runs 0: the buy alone
        for run in runs:
            run.update(bought)
    for key in runs[0]:
        values = sorted(run[key] for run in runs)
        target = TARGETS.get(key)
        goal = f"  (target <= {target:g})" if target is not None else ""
        shown = ", ".join(f"{v:,.3f}" if v < 100 else f"{v:,.0f}" for v in values)
        print(f"{key:<18} {shown}{goal}")


if __name__ == "__main__":
    main()
