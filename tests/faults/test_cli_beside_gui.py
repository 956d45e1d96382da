"""Issue 9, "GUI and CLI side by side": with a window's context running the profile's sandbox,
`estimate`, `track --refresh` and `refund` from another process use that sandbox (it failed on
the sandbox state file's lock before)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.groups import group_id_for
from app.domain.printing import PrintJobStatus
from app.postage.sandbox.discovery import running_sandbox, url_file
from app.services.buy_plan import Selection
from app.services.print_queue import QueueEvent
from tests.services.purchase_world import seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))


@pytest.fixture
def window(tmp_path: Path) -> Iterator[AppContext]:
    """What the demo window holds: the profile's context, its sandbox started."""
    ctx = build_context(RuntimeOptions(profile="desk", home=tmp_path / "home", sandbox=True))
    with ctx:
        yield ctx


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app", "--home", str(tmp_path / "home"), "--profile"]
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost"}
    return subprocess.run(
        [*command, "desk", "--sandbox", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_estimate_track_and_refund_from_the_cli_while_the_window_runs_the_sandbox(
    window: AppContext, tmp_path: Path
) -> None:
    ids = seed(window.store, [us_order(n) for n in range(3)])
    result = window.purchase_service.buy(Selection(groups=(TEE_GROUP,)), verify_addresses=False)
    assert len(result.bought) == 3
    state = window.paths.sandbox_state
    assert running_sandbox(state) == window.gateway.api_base

    estimate = _cli(tmp_path, "estimate", "--order", str(ids[0]), "--json")
    assert estimate.returncode == 0, estimate.stderr
    assert json.loads(estimate.stdout)["priced"] == 1
    track = _cli(tmp_path, "track", "--refresh", "--json")
    assert track.returncode == 0, track.stderr
    assert json.loads(track.stdout)["refreshed"] == 3
    refund = _cli(tmp_path, "refund", "--order", str(ids[1]), "--yes", "--json")
    assert refund.returncode == 0, refund.stderr
    assert json.loads(refund.stdout)["submitted"] == 1

    # The refund reached the window's sandbox: its ledger has it.
    events = [e["event"] for e in window.sandbox_server.ledger()]
    assert events.count("purchase") == 3 and events.count("refund_submitted") == 1


def test_a_stale_advertisement_is_ignored_and_the_cli_runs_its_own(tmp_path: Path) -> None:
    ctx = build_context(RuntimeOptions(profile="desk", home=tmp_path / "home", sandbox=True))
    state = ctx.paths.sandbox_state
    state.parent.mkdir(parents=True, exist_ok=True)
    url_file(state).write_text(json.dumps({"api_base": "http://127.0.0.1:9/v2", "pid": 1}))
    with ctx:
        assert ctx.gateway.api_base != "http://127.0.0.1:9/v2"
        assert running_sandbox(state) == ctx.gateway.api_base
    assert not url_file(state).exists()  # withdrawn when that sandbox stopped


def test_a_cli_buy_beside_the_window_holding_the_printer_is_printed_by_the_window(
    window: AppContext, tmp_path: Path
) -> None:
    seed(window.store, [us_order(n) for n in range(4)])
    queue = window.print_queue_service.queue_for("virtual://demo")  # the window holds it
    printed: list[int] = []
    done = threading.Event()

    def listen(event: QueueEvent) -> None:
        if event.job is not None and event.job.status is PrintJobStatus.PRINTED:
            printed.append(event.job.label_id)
            if len(printed) == 4:
                done.set()

    queue.add_listener(listen)
    buy = _cli(
        tmp_path,
        "buy",
        "--group",
        TEE_GROUP,
        "--printer",
        "virtual://demo",
        "--yes",
        "--no-verify",
        "--json",
    )
    assert buy.returncode == 0, buy.stderr
    assert "the Packdesk window that holds this printer prints them" in buy.stderr
    assert len(json.loads(buy.stdout)["bought"]) == 4
    assert done.wait(30), printed
    with window.store.transaction() as tx:
        labels = {label.id for label in tx.labels.list()}
    assert sorted(printed) == sorted(labels)


def test_cli_print_of_a_batch_beside_the_window_holding_the_printer(
    window: AppContext, tmp_path: Path
) -> None:
    seed(window.store, [us_order(n) for n in range(3)])
    result = window.purchase_service.buy(Selection(groups=(TEE_GROUP,)), verify_addresses=False)
    queue = window.print_queue_service.queue_for("virtual://demo")
    printed: list[int] = []
    done = threading.Event()

    def listen(event: QueueEvent) -> None:
        if event.job is not None and event.job.status is PrintJobStatus.PRINTED:
            printed.append(event.job.label_id)
            if len(printed) == 3:
                done.set()

    queue.add_listener(listen)
    run = _cli(tmp_path, "print", "--batch", result.batch_reference, "--printer", "virtual://demo")
    assert run.returncode == 0, run.stderr
    assert "3 label(s) queued for" in run.stdout
    assert done.wait(30), printed
    assert sorted(printed) == sorted(label.label_id for label in result.bought)
