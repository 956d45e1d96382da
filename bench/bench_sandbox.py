"""Sandbox speed through the official easypost client (figures only, no asserts).

Prints, for the same client threads in the same run:
  - shipment creations/s against the sandbox (no injected latency),
  - the same calls against a bare http.server that answers a canned shipment (the reference:
    client + HTTP cost without any sandbox work), and the ratio;
  - buys/s (each buy is written to the state file before it answers);
  - 32 concurrent creations with 500 ms injected latency (wall time vs the ideal 0.5 s).
Run: .venv/bin/python bench/bench_sandbox.py [CREATIONS] [THREADS]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import easypost

from app.postage.sandbox.server import SandboxServer

os.environ["NO_PROXY"] = "127.0.0.1,localhost"
TO = {"name": "Backer", "street1": "179 N Harbor Dr", "city": "Redondo Beach", "state": "CA",
      "zip": "90277", "country": "US"}  # fmt: skip
FROM = {"name": "Desk", "street1": "417 Montgomery St", "city": "San Francisco", "state": "CA",
        "zip": "94104", "country": "US"}  # fmt: skip
PARCEL = {"length": 10, "width": 8, "height": 4, "weight": 15.4}


def client_for(api_base: str) -> easypost.EasyPostClient:
    client = easypost.EasyPostClient("EZTK_bench", api_base=api_base, timeout=30)
    client._requests_session.trust_env = False
    return client


def per_second(api_base: str, count: int, threads: int, call: Callable[[Any], object]) -> float:
    """Run `call(client)` `count` times over `threads` client threads; calls per second."""
    clients = [client_for(api_base) for _ in range(threads)]
    for client in clients:  # warm the connections
        call(client)
    per_thread = count // threads
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda c: [call(c) for _ in range(per_thread)], clients))
    return per_thread * threads / (time.perf_counter() - started)


def canned_server(body: bytes) -> ThreadingHTTPServer:
    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def create(client: easypost.EasyPostClient) -> object:
    return client.shipment.create(to_address=TO, from_address=FROM, parcel=PARCEL)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    with tempfile.TemporaryDirectory() as folder:
        state = Path(folder) / "state.json"
        with SandboxServer(state) as sandbox:
            sandbox_rate = per_second(sandbox.api_base, count, threads, create)
            sample = create(client_for(sandbox.api_base)).to_dict()  # type: ignore[attr-defined]
            reference = canned_server(json.dumps(sample).encode())
            ref_base = f"http://127.0.0.1:{reference.server_address[1]}/v2"
            reference_rate = per_second(ref_base, count, threads, create)
            reference.shutdown()

            def buy(client: easypost.EasyPostClient) -> object:
                shipment = create(client)
                return client.shipment.buy(shipment.id, rate=shipment.lowest_rate())  # type: ignore[attr-defined]

            buy_rate = per_second(sandbox.api_base, count // 4, threads, buy)
            journal = state.with_name(state.name + ".journal")
            state_kb = sum(p.stat().st_size for p in (state, journal) if p.exists()) / 1024

            sandbox.set_faults(latency_ms=500)
            clients = [client_for(sandbox.api_base) for _ in range(32)]
            started = time.perf_counter()
            with ThreadPoolExecutor(32) as pool:
                list(pool.map(create, clients))
            slow_wall = time.perf_counter() - started

    print(f"client threads: {threads}, creations: {count}, cpus: {os.cpu_count()}")
    print(f"sandbox shipment creations/s:        {sandbox_rate:8.1f}")
    print(f"reference (canned http.server) /s:   {reference_rate:8.1f}")
    print(f"ratio sandbox / reference:           {sandbox_rate / reference_rate:8.2f}")
    print(f"sandbox create+buy pairs/s (durable): {buy_rate:7.1f}  (state {state_kb:.0f} KiB)")
    print(f"32 concurrent creations at 500 ms:   {slow_wall:8.2f} s (ideal 0.50 s)")


if __name__ == "__main__":
    main()
