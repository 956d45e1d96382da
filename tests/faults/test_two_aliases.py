"""Issue 8 item 1, as reported: two `packdesk-cli buy` processes on one database through two
paths (a symlink, and the same file spelled with `..`), with buy latency injected. The second
is refused, naming the holder and since when; nothing is bought twice; the ledger and the
database agree exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.domain.groups import group_id_for
from app.postage.sandbox.faults import FaultConfig
from app.postage.sandbox.server import SandboxServer
from app.store import open_store
from tests.faults.ledger_check import assert_ledger_agrees
from tests.services.purchase_world import seed, us_order

ORDERS = 12
GROUP = group_id_for((("TEE-M", 1),))


def _buy(db: Path, api_base: str, home: Path) -> list[str]:
    command = [sys.executable, "-m", "app", "--home", str(home), "--db", str(db), "--sandbox"]
    command += ["--api-base", api_base, "buy", "--group", GROUP, "--concurrency", "2"]
    return [*command, "--yes", "--json"]


@pytest.mark.parametrize("alias_kind", ["symlink", "dotdot"])
def test_a_second_buyer_through_another_path_is_refused(tmp_path: Path, alias_kind: str) -> None:
    real = tmp_path / "data" / "packdesk.sqlite3"
    store = open_store(real)
    ids = seed(store, [us_order(n) for n in range(ORDERS)])
    if alias_kind == "symlink":
        alias = tmp_path / "elsewhere.sqlite3"
        alias.symlink_to(real)
    else:
        alias = tmp_path / "data" / ".." / "data" / "packdesk.sqlite3"
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}
    faults = FaultConfig(op_latency_ms={"shipment.buy": 1500})
    with SandboxServer(tmp_path / "sandbox.json", faults=faults) as sandbox:
        first = subprocess.Popen(
            _buy(real, sandbox.api_base, tmp_path / "home-a"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        deadline = time.monotonic() + 60
        while True:  # wait until the first buyer holds the lease
            with store.transaction() as tx:
                if tx.lease.current() is not None:
                    break
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        second = subprocess.run(
            _buy(alias, sandbox.api_base, tmp_path / "home-b"),
            capture_output=True,
            env=env,
            timeout=120,
        )
        out, err = first.communicate(timeout=120)
        ledger = sandbox.ledger()
    assert first.returncode == 0, err.decode()[-2000:]
    assert json.loads(out)["complete"]
    refused = second.stderr.decode()
    assert second.returncode == 1, refused
    assert "Another purchase is running on this database" in refused
    assert f"process {first.pid}" in refused and "since" in refused
    counts = assert_ledger_agrees(store, ledger)
    assert counts == {"sold": ORDERS, "recorded": ORDERS, "refunded": 0, "unrecorded": 0}
    with store.transaction() as tx:
        assert sorted(label.order_id for label in tx.labels.list()) == sorted(ids)
    store.close()
