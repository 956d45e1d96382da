"""A real `packdesk-cli buy` SIGKILLed at each journal state, deterministically (the buyer kills
itself on reaching the state named by PACKDESK_KILL_AT), then run again until done: EasyPost's
ledger and the database agree exactly, no order is bought twice, the resumed runs continue the
original batch, and the batch's spend equals what EasyPost charged (derived, never a tally)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from app.domain.groups import group_id_for
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection
from app.services.fault_hooks import KILL_AT_ENV
from app.store import Store, open_store
from tests.faults.ledger_check import assert_ledger_agrees
from tests.services.purchase_world import make_gateway, purchase_service, seed, us_order

ORDERS = 4
GROUP = group_id_for((("TEE-M", 1),))


@dataclass(frozen=True)
class Scenario:
    """Kill points for successive runs (each must be reached), then clean runs until done."""

    kills: tuple[str, ...]
    faults: dict[str, Any] = field(default_factory=dict)  # sandbox faults during the kill runs
    reset: bool = False  # the sandbox was reset: it reissues the tracking numbers stored


SCENARIOS = {
    "intent": Scenario(("intent",)),
    "created": Scenario(("created",)),
    "buying": Scenario(("buying",)),
    "answered": Scenario(("answered",)),  # EasyPost answered, nothing recorded yet
    "bought": Scenario(("bought",)),
    "abandoned": Scenario(("intent", "abandoned")),  # the next run gives up the intent
    "failed": Scenario(("failed",), {"error_rate": 1.0, "error_ops": ["shipment.create"]}),
    # Buy answers lost, and the gateway's own look-up fails too: the row is left `unknown`.
    "unknown": Scenario(
        ("unknown",),
        {"drop_after_buy": 50, "error_rate": 1.0, "error_ops": ["shipment.retrieve"]},
    ),
    "unrecorded": Scenario(("unrecorded",), reset=True),
    "refunded": Scenario(("refunded",), reset=True),
}


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    # SQLite and PostgreSQL; on a server the desk's side files sit in its profile (--home).
    opened = open_store(db_target, anchor=tmp_path / "home/profiles/default/postgresql.local")
    yield opened
    opened.close()


def _command(store: Store, api_base: str, home: Path) -> list[str]:
    command = [sys.executable, "-m", "app", "--home", str(home), "--db", str(store.target)]
    command += ["--sandbox", "--api-base", api_base, "buy", "--group", GROUP]
    return [*command, "--concurrency", "1", "--yes", "--json"]


def _run(command: list[str], kill_at: str | None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}
    env.pop(KILL_AT_ENV, None)
    if kill_at:
        env[KILL_AT_ENV] = kill_at
    return subprocess.run(command, capture_output=True, env=env, cwd=Path.cwd(), timeout=120)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_kill_at_each_journal_state_loses_nothing_and_buys_nothing_twice(
    name: str, store: Store, tmp_path: Path
) -> None:
    scenario = SCENARIOS[name]
    earlier: list[dict[str, object]] = []
    if scenario.reset:
        # Labels bought before a sandbox reset: the new sandbox issues these numbers again.
        with SandboxServer(tmp_path / "before.json") as before:
            first = seed(store, [us_order(100 + n, [("TEE-M", 2)]) for n in range(ORDERS)])
            gw = make_gateway(before.api_base)
            bought = purchase_service(store, gw, tmp_path / "labels").buy(
                Selection(order_ids=tuple(first))
            )
            assert len(bought.bought) == ORDERS
            gw.close()
            earlier = before.ledger()
    ids = seed(store, [us_order(n) for n in range(ORDERS)])
    with SandboxServer(tmp_path / "sandbox.json") as sandbox:
        command = _command(store, sandbox.api_base, tmp_path / "home")
        for point in scenario.kills:
            sandbox.set_faults(FaultConfig(**scenario.faults))
            killed = _run(command, point)
            assert killed.returncode == -signal.SIGKILL, (point, killed.stderr.decode()[-2000:])
        sandbox.set_faults(FaultConfig())
        results: list[dict[str, Any]] = []
        for _ in range(4):
            done = _run(command, None)
            results.append(json.loads(done.stdout))
            if done.returncode == 0:
                break
            assert done.returncode == 2, done.stderr.decode()[-2000:]
        assert done.returncode == 0 and results[-1]["complete"], results
        ledger = sandbox.ledger()
    counts = assert_ledger_agrees(store, earlier + ledger)
    with store.transaction() as tx:
        labels = [label for label in tx.labels.list() if label.order_id in ids]
        batches = {label.batch_id for label in labels}
        assert tx.purchases.open_purchases() == []
        assert len(batches) == 1  # resumed runs continued the original batch
        (batch_id,) = batches
        spent = tx.batches.spent(batch_id)
    assert sorted(label.order_id for label in labels) == sorted(ids)
    # Every run reported the same batch, and the batch's spend is what its labels cost.
    assert {r["batch"] for r in results} == {results[0]["batch"]}
    assert spent == sum((label.amount_usd for label in labels), Decimal(0))
    if scenario.reset:
        assert counts["refunded"] >= 1
    print(f"{name}: {counts}")
