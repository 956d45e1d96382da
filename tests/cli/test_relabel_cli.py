"""`packdesk-cli orders` marks orders that need a relabel; `packdesk-cli relabel` lists them
and, with --order N --yes, refunds the old label and buys a new one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.exit_codes import EXIT_NOT_CONFIRMED
from app.cli.main import main
from app.domain.groups import group_id_for
from app.postage.sandbox.server import SandboxServer
from app.store import Store, open_store
from tests.services.purchase_world import seed, us_order

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


def test_orders_shows_needs_relabel_and_relabel_rebuys(
    store: Store, sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = seed(store, [us_order(n) for n in range(2)])
    base = ["--home", str(tmp_path / "home"), "--db", str(store.path), "--sandbox"]
    base += ["--api-base", sandbox.api_base]
    assert main([*base, "buy", "--group", TEE_GROUP, "--yes", "--no-verify"]) == 0
    with store.transaction(write=True) as tx:
        tx.session.connection().exec_driver_sql(
            "UPDATE orders SET city = 'Nowhere', postal_code = '99999' WHERE id = ?", (ids[1],)
        )
    capsys.readouterr()

    assert main([*base, "orders", "--json"]) == 0
    listed = {o["id"]: o["needs_relabel"] for o in json.loads(capsys.readouterr().out)}
    assert listed == {ids[0]: False, ids[1]: True}
    assert main([*base, "orders"]) == 0
    assert "(needs relabel)" in capsys.readouterr().out
    with store.transaction() as tx:
        (batch,) = tx.batches.list()
    assert main([*base, "batches", "show", batch.reference, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)["labels"]
    # Labels are listed in the order they were bought (concurrently): compare by order.
    assert {x["order_id"]: x["needs_relabel"] for x in shown} == {ids[0]: False, ids[1]: True}
    assert main([*base, "relabel", "--json"]) == 0
    (need,) = json.loads(capsys.readouterr().out)
    assert need["order"] == ids[1] and need["changed"] == ["city", "postal_code"]
    assert main([*base, "relabel", "--order", str(ids[1])]) == EXIT_NOT_CONFIRMED
    # An address EasyPost rejects is caught before the old label is refunded.
    assert main([*base, "relabel", "--order", str(ids[1]), "--yes"]) == 1
    assert "does not verify" in capsys.readouterr().err
    with store.transaction(write=True) as tx:
        tx.session.connection().exec_driver_sql(
            "UPDATE orders SET city = 'Dallas', postal_code = '75201' WHERE id = ?", (ids[1],)
        )
    capsys.readouterr()

    code = main([*base, "relabel", "--order", str(ids[1]), "--yes", "--json"])
    done = json.loads(capsys.readouterr().out)
    assert code == 0, done["problem"]
    assert done["refund_status"] == "submitted" and done["new_tracking_code"]
    assert main([*base, "relabel", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
