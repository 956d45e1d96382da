"""Rate estimation for many orders against the sandbox with injected latency.

Target (issue 4): 1,000 orders, 500 ms per request, at most 20 s, through bounded concurrency
and reuse of identical rate requests. Prints the ratio against a sequential loop measured on
a sample in the same run. Run: .venv/bin/python bench/bench_rates.py [--orders 1000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from app.domain.orders import Address
from app.infra.secrets import SANDBOX_API_KEY
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.models import ParcelSpec, RateRequest, ShipmentOptions
from app.postage.rating import RateQuoter
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer

DESK = Address("Packdesk", "417 Montgomery St", "San Francisco", "94104", "US", state="CA")
#: (city, state, ZIP3) of places backers live; the last two ZIP digits are drawn at random.
PLACES = (
    ("New York", "NY", "100"), ("Brooklyn", "NY", "112"), ("Boston", "MA", "021"),
    ("Philadelphia", "PA", "191"), ("Washington", "DC", "200"), ("Baltimore", "MD", "212"),
    ("Atlanta", "GA", "303"), ("Miami", "FL", "331"), ("Orlando", "FL", "328"),
    ("Charlotte", "NC", "282"), ("Nashville", "TN", "372"), ("Chicago", "IL", "606"),
    ("Detroit", "MI", "482"), ("Columbus", "OH", "432"), ("Indianapolis", "IN", "462"),
    ("Minneapolis", "MN", "554"), ("Milwaukee", "WI", "532"), ("St Louis", "MO", "631"),
    ("Kansas City", "MO", "641"), ("Omaha", "NE", "681"), ("Dallas", "TX", "752"),
    ("Houston", "TX", "770"), ("Austin", "TX", "787"), ("San Antonio", "TX", "782"),
    ("Denver", "CO", "802"), ("Salt Lake City", "UT", "841"), ("Phoenix", "AZ", "850"),
    ("Albuquerque", "NM", "871"), ("Las Vegas", "NV", "891"), ("Los Angeles", "CA", "900"),
    ("San Diego", "CA", "921"), ("San Jose", "CA", "951"), ("Sacramento", "CA", "958"),
    ("Portland", "OR", "972"), ("Seattle", "WA", "981"), ("Spokane", "WA", "992"),
    ("Anchorage", "AK", "995"), ("Honolulu", "HI", "968"), ("Boise", "ID", "837"),
    ("Des Moines", "IA", "503"),
)  # fmt: skip
#: Package groups of a typical campaign: (weight oz, L, W, H inches).
GROUPS = ((6, 9, 6, 2), (12, 9, 6, 2), (20, 12, 9, 4), (36, 12, 12, 6))


def synthesise_requests(count: int, seed: int = 7) -> list[RateRequest]:
    rng = random.Random(seed)
    requests: list[RateRequest] = []
    for n in range(count):
        city, state, zip3 = rng.choice(PLACES)
        weight, length, width, height = rng.choices(GROUPS, weights=(5, 3, 2, 1))[0]
        requests.append(
            RateRequest(
                from_address=DESK,
                to_address=Address(
                    f"Backer {n}",
                    f"{rng.randint(1, 9999)} Main St",
                    city,
                    f"{zip3}{rng.randint(1, 99):02d}",
                    "US",
                    state=state,
                ),
                parcel=ParcelSpec(
                    Decimal(weight), None, Decimal(length), Decimal(width), Decimal(height)
                ),
                options=ShipmentOptions(label_format="ZPL", print_custom_1=f"BENCH-{n}"),
                reference=f"BENCH-{n}",
            )
        )
    return requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--latency-ms", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--sample", type=int, default=10, help="sequential requests measured")
    parser.add_argument("--rate-429", type=float, default=0.0, help="share of requests 429'd")
    args = parser.parse_args(argv)

    requests = synthesise_requests(args.orders)
    unique = len({r.key for r in requests})
    faults = FaultConfig(latency_ms=args.latency_ms, rate_429=args.rate_429, seed=1)
    with (
        tempfile.TemporaryDirectory() as tmp,
        SandboxServer(Path(tmp) / "sandbox-state.json", faults=faults) as sandbox,
    ):
        config = GatewayConfig(api_base=sandbox.api_base, pool_size=max(32, args.concurrency))
        gateway = EasyPostGateway(SANDBOX_API_KEY, config)

        # Reference: a plain sequential loop (one request per order), measured on a sample.
        sample = synthesise_requests(args.sample, seed=99)
        started = time.perf_counter()
        for request in sample:
            gateway.quote(request)
        per_request = (time.perf_counter() - started) / len(sample)
        sequential_estimate = per_request * len(requests)

        quoter = RateQuoter(gateway, concurrency=args.concurrency)
        last_shown = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last_shown[0] > 2 or done == total:
                last_shown[0] = now
                print(f"  {done}/{total} quotes", file=sys.stderr)

        calls_before = gateway.calls
        started = time.perf_counter()
        outcomes = quoter.quote_many(requests, progress=progress)
        elapsed = time.perf_counter() - started
        failed = sum(1 for o in outcomes if not o.ok)
        http_calls = gateway.calls - calls_before
        gateway.close()

    print(f"orders                       {len(requests)}")
    print(f"injected latency             {args.latency_ms} ms per request")
    print(f"identical requests reused    {len(requests) - unique} ({unique} unique)")
    print(f"rate requests sent           {quoter.requests_sent} (HTTP calls incl. retries "
          f"{http_calls}, 429s {gateway.backoff.rate_limited_count})")  # fmt: skip
    print(f"concurrency                  {args.concurrency}")
    print(f"failed quotes                {failed}")
    print(f"elapsed                      {elapsed:.1f} s (target <= 20 s)")
    print(f"throughput                   {len(requests) / elapsed:.0f} orders/s")
    print(f"sequential sample            {args.sample} requests, {per_request * 1000:.0f} ms each")
    print(f"sequential loop (estimated)  {sequential_estimate:.0f} s")
    print(f"speed-up vs sequential       {sequential_estimate / elapsed:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
