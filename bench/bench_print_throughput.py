"""Printing throughput through emulated printers running at a simulated print speed.

The emulated printer prints `--lps` labels per second from a bounded receive buffer (bulk
OUT stalls while it is full, as a real printer NAKs). The host streams labels with
Printer.print_jobs, encoding the next one while the previous prints. Targets: 100 labels at
1 label/s finish within 102 s (the printer never waits for the host).

Reference measured in the same run: a "send, then wait until printed" host (what a naive
driver does), over the same emulated device.

    python bench/bench_print_throughput.py            # 10-label runs, then 100 labels (~2 min)
    python bench/bench_print_throughput.py --quick    # only the 10-label runs
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from printers.emulators.engine import EmulatedPrinter
from printers.emulators.tcp_server import EmulatedTcpPrinter
from printers.emulators.usb_backend import backend_from_spec
from printers.printer import Printer, open_printer
from tests.printers.corpus.make_corpus import make_corpus

URIS = {"zd421-203": "usb://0a5f:0185", "dymo-4xl": "usb://0922:0025"}


def label_file(model: str) -> bytes:
    corpus = make_corpus(Path(tempfile.mkdtemp(prefix="bench-corpus-")))
    return corpus["usps_203.png" if model.endswith("203") else "usps_300.png"].path.read_bytes()


def streamed_jobs(printer: Printer, source: bytes, count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield printer.encode(source)  # encoded while the previous label prints


def report(
    name: str, engine: EmulatedPrinter, started: float, host_done: float, count: int, lps: float
) -> float:
    printed = engine.printed[-count:]
    finish = printed[-1].printed_at - started
    gaps = [b.printed_at - a.printed_at for a, b in itertools.pairwise(printed)]
    ideal = count / lps
    print(
        f"{name:44} {count:4d} labels  total {finish:7.2f} s  (ideal {ideal:6.1f} s, "
        f"x{finish / ideal:.3f})  first {printed[0].printed_at - started:5.2f} s  "
        f"gap median {statistics.median(gaps) if gaps else 0:.3f} s max "
        f"{max(gaps) if gaps else 0:.3f} s  host done at {host_done - started:6.2f} s  "
        f"printer waited for host: {engine.stats.host_waits}x"
    )
    return finish


def run_usb(model: str, count: int, lps: float, buffer_bytes: int, *, naive: bool) -> float:
    backend = backend_from_spec(model, labels_per_second=lps, buffer_bytes=buffer_bytes)
    engine = backend.device(model).engine
    source = label_file(model)
    try:
        with open_printer(URIS[model], usb_backend=backend) as printer:
            job_bytes = len(printer.encode(source))
            started = time.monotonic()
            if naive:
                for job in streamed_jobs(printer, source, count):
                    printer.send_job(job)
                    printer.wait_until_printed(timeout_s=60, poll_s=0.05)
            else:
                printer.print_jobs(streamed_jobs(printer, source, count))
            host_done = time.monotonic()
            engine.wait_printed(count, timeout_s=count / lps * 3 + 30)
        how = "send+wait (reference)" if naive else "streamed"
        name = f"usb {model} {how}, {job_bytes // 1024} KiB/label, buf {buffer_bytes // 1024} KiB"
        return report(name, engine, started, host_done, count, lps)
    finally:
        backend.close()


def run_tcp(count: int, lps: float, buffer_bytes: int) -> float:
    with EmulatedTcpPrinter.for_preset(
        "zd421-203", labels_per_second=lps, buffer_bytes=buffer_bytes
    ) as server:
        source = label_file("zd421-203")
        with open_printer(server.uri, "zd421-203") as printer:
            started = time.monotonic()
            printer.print_jobs(streamed_jobs(printer, source, count))
            host_done = time.monotonic()
            server.engine.wait_printed(count, timeout_s=count / lps * 3 + 30)
        return report("tcp 9100 zd421-203 streamed", server.engine, started, host_done, count, lps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 10-label runs")
    parser.add_argument("--lps", type=float, default=1.0, help="simulated labels per second")
    parser.add_argument("--labels", type=int, default=100, help="labels in the long run")
    parser.add_argument("--buffer-kib", type=int, default=256, help="printer receive buffer")
    parser.add_argument(
        "--long-model", choices=sorted(URIS), default="zd421-203", help="model of the long run"
    )
    parser.add_argument("--long-only", action="store_true", help="skip the 10-label runs")
    args = parser.parse_args()
    buffer_bytes = args.buffer_kib * 1024
    print(f"simulated print speed {args.lps:g} label/s, printer buffer {args.buffer_kib} KiB")
    if not args.long_only:
        quick = run_usb("zd421-203", 10, args.lps, buffer_bytes, naive=False)
        reference = run_usb("zd421-203", 10, args.lps, buffer_bytes, naive=True)
        print(f"  -> streaming vs send+wait, 10 labels: x{reference / quick:.2f} faster")
        run_usb("dymo-4xl", 10, args.lps, buffer_bytes, naive=False)
        run_tcp(10, args.lps, buffer_bytes)
    if not args.quick:
        long = run_usb(args.long_model, args.labels, args.lps, buffer_bytes, naive=False)
        limit = args.labels / args.lps + 2
        verdict = "within" if long <= limit else "OVER"
        print(f"  -> {args.labels} labels in {long:.2f} s: {verdict} the {limit:.0f} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
