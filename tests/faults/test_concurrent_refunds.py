"""Two processes refund the same labels at the same moment: each label is refunded once, and
EasyPost's ledger and the database agree (issue 8, fault suite: concurrent refunds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.fulfilment import LabelStatus
from app.domain.groups import group_id_for
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection
from app.store import Store, open_store
from tests.services.purchase_world import make_gateway, purchase_service, seed, us_order

LABELS = 12
TEE_GROUP = group_id_for((("TEE-M", 1),))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    # SQLite (two processes at one desk) and PostgreSQL (two stations on one server).
    opened = open_store(db_target, anchor=tmp_path / "home/postgresql.local")
    yield opened
    opened.close()


def test_two_processes_refunding_one_batch_refund_each_label_once(
    store: Store, sandbox: SandboxServer, tmp_path: Path
) -> None:
    seed(store, [us_order(n) for n in range(LABELS)])
    gateway = make_gateway(sandbox.api_base)
    try:
        result = purchase_service(store, gateway, tmp_path / "labels").buy(
            Selection(groups=(TEE_GROUP,)), verify_addresses=False
        )
    finally:
        gateway.close()
    assert len(result.bought) == LABELS
    command = [sys.executable, "-m", "app", "--home", str(tmp_path / "home")]
    command += ["--db", str(store.target), "--sandbox", "--api-base", sandbox.api_base]
    command += ["refund", "--batch", result.batch_reference, "--yes", "--json"]
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}

    runs = [
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**env, "PACKDESK_STATION": f"desk-{n}"},
        )
        for n in (1, 2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    reports = []
    for run, (out, err) in zip(runs, outputs, strict=True):
        assert run.returncode in (0, 2, 4), err.decode()
        reports.append(json.loads(out))
    submitted = Counter(
        line["label_id"]
        for report in reports
        for line in report["lines"]
        if line["status"] in ("submitted", "refunded")
    )
    # Each label's refund was asked by exactly one of the two processes.
    assert len(submitted) == LABELS and set(submitted.values()) == {1}
    asked = [e["shipment_id"] for e in sandbox.ledger() if e.get("event") == "refund_submitted"]
    assert sorted(asked) == sorted(label.shipment_id for label in _labels(store))
    assert {label.status for label in _labels(store)} == {LabelStatus.REFUND_SUBMITTED}


def _labels(store: Store) -> list:  # type: ignore[type-arg]
    with store.transaction() as tx:
        return tx.labels.list()
