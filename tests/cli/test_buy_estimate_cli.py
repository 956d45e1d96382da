"""`packdesk-cli estimate` and `packdesk-cli buy` on a real database and the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.groups import group_id_for
from app.postage.sandbox.server import SandboxServer
from app.store import Store, open_store
from tests.services.purchase_world import ledger_purchases, seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


def _run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, store: Store, api_base: str, *args: str
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(
        [
            "--home",
            str(tmp_path / "home"),
            "--db",
            str(store.path),
            "--sandbox",
            "--api-base",
            api_base,
            *args,
        ]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_estimate_json_sums_per_service_and_reuses_identical_requests(
    store: Store, sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, [us_order(n) for n in range(8)])  # 4 destinations, 2 orders each
    code, out, _ = _run(
        capsys, tmp_path, store, sandbox.api_base, "estimate", "--group", TEE_GROUP, "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["count"] == 8 and report["priced"] == 8
    assert report["requests_sent"] == 4
    services = {s["service"]: s for s in report["services"]}
    assert {"cheapest", "GroundAdvantage", "Priority", "Express"} <= set(services)
    ground = services["GroundAdvantage"]
    assert ground["count"] == 8
    amounts = [o["amount"] for o in report["orders"]]
    assert report["total"] == ground["total"] == str(sum(map(_dec, amounts)))
    assert _dec(services["cheapest"]["total"]) <= _dec(ground["total"])
    assert ground["fastest_days"] <= ground["slowest_days"]
    assert report["groups"][0]["group"] == TEE_GROUP
    assert ledger_purchases(sandbox.ledger()) == []


def _dec(text: str) -> Decimal:
    return Decimal(text)


def test_buy_needs_yes_then_buys_and_prints_one_json_object(
    store: Store, sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, [us_order(n) for n in range(3)])
    args = ("buy", "--group", TEE_GROUP, "--package-type", "Box S", "--service", "cheapest")
    code, out, err = _run(capsys, tmp_path, store, sandbox.api_base, *args)
    assert code == 3
    assert "add --yes" in err
    assert "3 of 3 orders can be bought" in out
    assert ledger_purchases(sandbox.ledger()) == []

    code, out, _ = _run(capsys, tmp_path, store, sandbox.api_base, *args, "--yes", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["batch"].startswith("B-")
    assert len(result["bought"]) == 3
    assert result["blocked"] == [] and result["failed"] == []
    assert _dec(result["spent"]) == sum((_dec(b["amount"]) for b in result["bought"]), Decimal(0))
    assert {b["tracking_code"] for b in result["bought"]} == {
        str(e["tracking_code"]) for e in ledger_purchases(sandbox.ledger())
    }

    code, out, _ = _run(capsys, tmp_path, store, sandbox.api_base, *args, "--yes", "--json")
    assert code == 0 and json.loads(out)["bought"] == []
    assert len(ledger_purchases(sandbox.ledger())) == 3


def test_buy_with_a_printer_prints_each_label_once_in_group_order(
    store: Store, sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = seed(store, [us_order(n) for n in range(4)])
    args = ("buy", "--group", TEE_GROUP, "--printer", "virtual://desk", "--yes", "--json")
    code, out, err = _run(capsys, tmp_path, store, sandbox.api_base, *args)
    assert code == 0, err
    result = json.loads(out)
    assert [b["order_id"] for b in result["bought"]] == ids
    assert [b["order"] for b in result["bought"]] == [f"#{1000 + n}" for n in range(4)]
    with store.transaction() as tx:
        by_order = sorted(tx.labels.list(), key=lambda label: label.order_id)  # group order
        jobs = [tx.print_jobs.for_label(label.id) for label in by_order]
    assert [len(j) for j in jobs] == [1, 1, 1, 1]
    assert {j[0].status for j in jobs} == {"printed"}
    assert [j[0].sequence for j in jobs] == sorted(j[0].sequence for j in jobs)


def test_buy_warns_about_the_roll_and_printing_stops_at_its_end_until_new_roll(
    store: Store, sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, [us_order(n) for n in range(4)])
    base = sandbox.api_base
    code, out, _ = _run(
        capsys, tmp_path, store, base, "printers", "new-roll", "virtual://desk", "--labels", "2"
    )
    assert code == 0 and "virtual://desk: 2 labels left" in out
    args = ("buy", "--group", TEE_GROUP, "--printer", "virtual://desk")
    code, _, err = _run(capsys, tmp_path, store, base, *args)  # not confirmed: warns only
    assert code == 3 and "warning: 2 labels left on the roll; this batch needs 4." in err
    code, out, err = _run(capsys, tmp_path, store, base, *args, "--yes", "--json")
    assert code == 0, err
    assert "2 labels left on the roll; this batch needs 4" in err  # said before spending
    assert "load a new roll" in err  # the queue stopped at the roll's end
    batch = json.loads(out)["batch"]
    with store.transaction() as tx:
        statuses = sorted(
            j.status for label in tx.labels.list() for j in tx.print_jobs.for_label(label.id)
        )
    assert statuses == ["printed", "printed", "queued", "queued"]
    code, out, _ = _run(
        capsys, tmp_path, store, base, "printers", "new-roll", "virtual://desk", "--labels", "250"
    )
    assert code == 0
    code, _, err = _run(
        capsys, tmp_path, store, base, "print", "--batch", batch, "--printer", "virtual://desk"
    )
    assert code == 0, err
    code, out, _ = _run(
        capsys, tmp_path, store, base, "printers", "roll", "virtual://desk", "--json"
    )
    roll = json.loads(out)
    assert (roll["labels_left"], roll["labels_loaded"], roll["source"]) == (248, 250, "counted")


def test_buy_on_a_full_disk_says_what_was_spent_exits_non_zero_and_never_rebuys(
    store: Store,
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 8 item 2: `buy --order 87 --yes` three times on a full disk bought it three times,
    each run printing `bought 0/1, spent $0` and exiting 0."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from app.store.labels_repo import LabelRepository

    (order_id,) = seed(store, [us_order(87)])

    def disk_full(self: LabelRepository, label: object) -> object:
        raise OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(LabelRepository, "add", disk_full)
    for _ in range(3):
        code, out, _ = _run(
            capsys, tmp_path, store, sandbox.api_base, "buy", "--order", f"id:{order_id}", "--yes"
        )
        assert code == 2
        assert "NOT RECORDED" in out and "1 label(s) bought but not recorded yet" in out
        assert "batch total $0)" not in out  # the money is shown, never "spent $0" alone
    assert len(ledger_purchases(sandbox.ledger())) == 1
    monkeypatch.undo()
    code, out, _ = _run(
        capsys, tmp_path, store, sandbox.api_base, "buy", "--order", f"id:{order_id}", "--yes"
    )
    assert code == 0 and "bought 1" in out
    code, out, _ = _run(capsys, tmp_path, store, sandbox.api_base, "batches", "--json")
    (batch,) = json.loads(out)
    assert batch["unrecorded"] == 0 and Decimal(batch["spent"]) > 0
    assert len(ledger_purchases(sandbox.ledger())) == 1


def test_buy_for_another_station_s_printer_queues_the_labels_for_that_station(
    store: Store,
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.store.station_printers_repo import StationPrinter
    from tests.services.print_queue_helpers import NOW

    seed(store, [us_order(n) for n in range(2)])
    with store.transaction(write=True) as tx:  # what desk-2's Packdesk published
        tx.printers.replace_station(
            "desk-2", [StationPrinter("desk-2", "Zebra", "usb://0a5f:0185", "zd421-203")], NOW
        )
    monkeypatch.setenv("PACKDESK_STATION", "desk-1")
    args = ("buy", "--group", TEE_GROUP, "--printer", "Zebra@desk-2", "--yes", "--json")
    code, out, err = _run(capsys, tmp_path, store, sandbox.api_base, *args)
    assert code == 0, err
    assert "labels print on Zebra at station desk-2" in err
    assert len(json.loads(out)["bought"]) == 2
    with store.transaction() as tx:
        jobs = [tx.print_jobs.for_label(label.id) for label in tx.labels.list()]
        purchases = tx.purchases.all()
    # Queued for desk-2, whose queue prints them; this desk opened no printer.
    assert {(j[0].status.value, j[0].station, j[0].queued_by) for j in jobs} == {
        ("queued", "desk-2", "desk-1")
    }
    assert {p.station for p in purchases} == {"desk-1"}
