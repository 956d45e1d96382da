"""`packdesk-cli sandbox`: run the offline EasyPost sandbox in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.faults import FaultConfig, parse_fault_spec
from app.postage.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from app.bootstrap import AppContext
from app.cli.args import bounded_int, decimal_arg


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "sandbox",
        help="run the offline EasyPost sandbox (prints its API base URL first)",
        description="Serve an EasyPost-compatible API on the loopback interface, for training, "
        "demos and tests. The first line printed is the API base URL to pass as "
        "EasyPostClient(api_key, api_base=URL). Any API key works; keys starting with "
        "EZBADKEY are rejected (401), EZINACTIVE (403), EZNOFUNDS cannot buy (402).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=bounded_int(0, 65_535, "--port"),
        default=0,
        help="port (default: a free one)",
    )
    parser.add_argument(
        "--state", type=Path, help="state file (default: the profile's sandbox-state.json)"
    )
    parser.add_argument(
        "--latency-ms",
        type=bounded_int(0, 600_000, "--latency-ms"),
        default=0,
        help="delay every API request by N ms",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject faults, e.g. 'error-rate=0.1,429-burst=3' (repeatable; see faults.py)",
    )
    parser.add_argument(
        "--log-requests", action="store_true", help="print each request and its status on stderr"
    )
    parser.add_argument(
        "--clock-start",
        type=_utc_moment,
        metavar="ISO",
        help="start the sandbox's clock at this UTC time, e.g. 2026-11-28T15:00:00 (training "
        "runs and tests that must not depend on today); default: now",
    )
    parser.add_argument(
        "--tracker-step-s",
        type=_seconds,
        default=None,
        help="seconds per tracker step pre_transit -> ... -> delivered (default 60)",
    )
    # For a window that runs its sandbox as a child (app.postage.sandbox.child): stop when the
    # window closes our standard input, or dies.
    parser.add_argument("--stop-on-stdin-eof", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(func=run_sandbox)


def _utc_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not an ISO date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _seconds(text: str) -> float:
    """A duration in seconds from 0 to a day (no nan, inf or 1e308)."""
    value = decimal_arg(text)
    if value > 86_400:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range (0 to 86400 seconds)")
    return float(value)


def run_sandbox(args: argparse.Namespace, ctx: AppContext) -> int:
    faults = FaultConfig(latency_ms=args.latency_ms)
    for spec in args.fault:
        faults = parse_fault_spec(spec, faults)
    state_path: Path = args.state or ctx.paths.sandbox_state
    state_path.parent.mkdir(parents=True, exist_ok=True)
    log = (lambda line: print(line, file=sys.stderr, flush=True)) if args.log_requests else None
    clock = SandboxClock(args.clock_start) if args.clock_start else None
    server = SandboxServer(
        state_path, host=args.host, port=args.port, faults=faults, request_log=log, clock=clock
    )
    if args.tracker_step_s is not None:
        server.set_timings(tracker_step_s=args.tracker_step_s)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    server.start()
    if args.stop_on_stdin_eof:
        threading.Thread(target=_stop_at_eof, args=(stop,), name="stdin", daemon=True).start()
    try:
        print(server.api_base, flush=True)
        print(f"state file: {state_path}", flush=True)
        print(f"control: {server.base_url}/_sandbox/(ledger|faults|timings|clock)", flush=True)
        print("any API key works; Ctrl-C stops the sandbox", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous)
        print("sandbox stopped; state saved", file=sys.stderr, flush=True)
    return 0


def _stop_at_eof(stop: threading.Event) -> None:
    """Set `stop` when standard input ends (the parent closed it or exited)."""
    for _line in sys.stdin:
        pass
    stop.set()
