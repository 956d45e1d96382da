"""Buying 1,000 labels against the sandbox with realistic latency (issue 5).

Target: 1,000 labels, 1,000 ms to create a shipment and 700 ms to buy it, all bought in at
most 150 s (a sequential loop needs ~1,700 s). Prints the time to the first label bought, the
ratio against a sequential loop measured on a sample in the same run, and labels per second.
Each run is the real PurchaseService: pre-flight (address verification), journal commits,
label file downloads (PNG), audit entries, over the official client on 127.0.0.1.

`--concurrency` is the buys in flight (default 8, the app's default); shipment creates run on
their own pool ahead of the buys (`--create-concurrency`, default the same), at most
2 x concurrency orders ahead.

Run: .venv/bin/python bench/bench_buy.py [--orders 1000] [--concurrency 8]
     [--create-concurrency N] [--sample 5]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from app.domain.groups import group_id_for
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderLine, OrderStatus, SourcePlatform
from app.domain.packages import PackageType
from app.domain.ship_from import ShipFromAddress
from app.infra.secrets import SANDBOX_API_KEY
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditLog
from app.services.buy_plan import Selection
from app.services.label_files import LabelFiles
from app.services.preflight import PreflightService
from app.services.purchase import DEFAULT_CONCURRENCY, LabelInfo, PurchaseService
from app.store import OrderWrite, Store, open_store
from app.store.groups_repo import GroupSetting

DESK = Address("Packdesk", "417 Montgomery St", "San Francisco", "94104", "US", state="CA")
PLACES = (
    ("New York", "NY", "100"), ("Boston", "MA", "021"), ("Atlanta", "GA", "303"),
    ("Chicago", "IL", "606"), ("Dallas", "TX", "752"), ("Denver", "CO", "802"),
    ("Phoenix", "AZ", "850"), ("Los Angeles", "CA", "900"), ("Seattle", "WA", "981"),
    ("Miami", "FL", "331"), ("Detroit", "MI", "482"), ("Portland", "OR", "972"),
)  # fmt: skip
#: Package groups: how many T-shirts an order holds.
QUANTITIES = (1, 2, 3, 4)


def seed(store: Store, count: int, seed_value: int = 5) -> list[str]:
    """`count` ready US orders in four package groups; returns the group ids."""
    rng = random.Random(seed_value)
    orders = []
    for n in range(count):
        city, state, zip3 = rng.choice(PLACES)
        quantity = rng.choices(QUANTITIES, weights=(5, 3, 2, 1))[0]
        orders.append(
            Order(
                source=SourcePlatform.SHOPIFY,
                external_id=f"#{10000 + n}",
                recipient=Address(
                    f"Backer {n}",
                    f"{rng.randint(1, 9999)} Main St",
                    city,
                    f"{zip3}{rng.randint(1, 40):02d}",
                    "US",
                    state=state,
                ),
                lines=(OrderLine("TEE-M", quantity),),
                status=OrderStatus.READY_TO_SHIP,
            )
        )
    stamp = datetime.now(UTC).replace(tzinfo=None)
    groups = [group_id_for((("TEE-M", q),)) for q in QUANTITIES]
    with store.transaction(write=True) as tx:
        tx.items.insert_many(
            [Item("TEE-M", "T-shirt", Decimal("5.5"), Decimal(20), "610910", "T-shirt", "US")]
        )
        box = tx.package_types.add(
            PackageType("Mailer", None, Decimal(10), Decimal(8), Decimal(2), Decimal(2))
        )
        tx.ship_from.add(ShipFromAddress("desk", DESK, is_default=True))
        tx.orders.insert_many(
            [OrderWrite(o, f"h{n}", group_id_for(o.item_multiset)) for n, o in enumerate(orders)],
            stamp,
        )
        for group in groups:
            tx.groups.save_setting(GroupSetting(group, box.id, "GroundAdvantage"), stamp)
    return groups


def purchase_service(
    store: Store, api_base: str, root: Path, concurrency: int, creators: int
) -> PurchaseService:
    gateway = EasyPostGateway(
        SANDBOX_API_KEY,
        GatewayConfig(api_base=api_base, pool_size=max(32, 2 * (concurrency + creators))),
    )
    return PurchaseService(
        store,
        gateway,
        PreflightService(store, gateway, verify_concurrency=16),
        LabelFiles(root / "labels", gateway),
        AuditLog(store, station="bench", user="bench"),
        concurrency=concurrency,
        create_concurrency=creators,
    )


def run(
    count: int, concurrency: int, creators: int, folder: Path, faults: FaultConfig
) -> tuple[float, float]:
    """Buy `count` labels; (seconds in all, seconds to the first label bought)."""
    folder.mkdir(parents=True)
    with SandboxServer(folder / "sandbox.json", faults=faults) as sandbox:
        store = open_store(folder / "packdesk.sqlite3")
        try:
            groups = seed(store, count)
            service = purchase_service(store, sandbox.api_base, folder, concurrency, creators)
            if concurrency == 1:
                service.lookahead = 1  # the reference: create + buy one after the other
            first: list[float] = []
            lock = threading.Lock()

            def on_label(label: LabelInfo) -> None:
                with lock:
                    if not first:
                        first.append(time.perf_counter())

            start = time.perf_counter()
            result = service.buy(
                Selection(groups=tuple(groups)), concurrency=concurrency, on_label_bought=on_label
            )
            elapsed = time.perf_counter() - start
            bought = len(result.bought)
            if bought != count or result.failed or result.unknown:
                raise SystemExit(
                    f"bought {bought} of {count}: failed {result.failed[:3]} unknown "
                    f"{result.unknown[:3]}"
                )
            return elapsed, (first[0] - start) if first else float("nan")
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=DEFAULT_CONCURRENCY)
    parser.add_argument(
        "--create-concurrency", type=int, default=0, help="0: same as --concurrency"
    )
    parser.add_argument("--sample", type=int, default=5, help="orders in the sequential sample")
    parser.add_argument("--create-ms", type=int, default=1000)
    parser.add_argument("--buy-ms", type=int, default=700)
    args = parser.parse_args()
    faults = FaultConfig(
        op_latency_ms={"shipment.create": args.create_ms, "shipment.buy": args.buy_ms}
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        creators = args.create_concurrency or args.concurrency
        sequential, _ = run(args.sample, 1, 1, folder / "sequential", faults)
        per_label = sequential / args.sample
        print(
            f"sequential sample: {args.sample} labels in {sequential:.1f} s "
            f"({per_label:.2f} s per label; {per_label * args.orders:.0f} s for {args.orders})"
        )
        elapsed, first = run(args.orders, args.concurrency, creators, folder / "concurrent", faults)
        print(
            f"concurrency {args.concurrency} (creates {creators}): "
            f"{args.orders} labels in {elapsed:.1f} s "
            f"({args.orders / elapsed:.1f} labels/s), first label bought after {first:.2f} s"
        )
        print(f"ratio vs sequential: {per_label * args.orders / elapsed:.1f}x faster")


if __name__ == "__main__":
    main()
