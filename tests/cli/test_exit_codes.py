"""Exit codes (issue 8 item 7): a buy where every order fails exits non-zero, and partial and
total failure are told apart (app.cli.exit_codes)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.exit_codes import EXIT_OK, EXIT_PARTIAL, EXIT_TOTAL_FAILURE, outcome
from app.cli.main import build_parser, main
from app.domain.groups import group_id_for
from app.postage.sandbox.server import SandboxServer
from app.store import Store, open_store
from tests.services.purchase_world import foreign_order, seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))
PIN_GROUP = group_id_for((("PIN", 1),))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


def _cli(tmp_path: Path, store: Store, api_base: str, *args: str, sandbox: bool = True) -> int:
    base = ["--home", str(tmp_path / "home"), "--db", str(store.path), "--api-base", api_base]
    return main([*base, *(["--sandbox"] if sandbox else []), *args])


def test_outcome_tells_partial_from_total_failure() -> None:
    assert outcome(done=3, failed=0) == EXIT_OK
    assert outcome(done=0, failed=0) == EXIT_OK
    assert outcome(done=2, failed=1) == EXIT_PARTIAL
    assert outcome(done=0, failed=4) == EXIT_TOTAL_FAILURE


def test_the_codes_are_in_the_help() -> None:
    assert "exit codes" in (build_parser().epilog or "")


def test_a_buy_where_every_order_fails_on_a_wrong_key_exits_4(
    store: Store,
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store, [us_order(n) for n in range(3)])
    monkeypatch.setenv("EASYPOST_API_KEY", "EZBADKEY_wrong")
    code = _cli(
        tmp_path,
        store,
        sandbox.api_base,
        "buy",
        "--group",
        TEE_GROUP,
        "--yes",
        "--json",
        sandbox=False,
    )
    report = json.loads(capsys.readouterr().out)
    assert report["bought"] == []
    assert code == EXIT_TOTAL_FAILURE


def test_a_buy_with_some_orders_blocked_exits_2_and_a_whole_one_0(
    store: Store, sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(store, [us_order(n) for n in range(2)])
    seed(store, [foreign_order(50, [("PIN", 1)])])  # no customs data: blocked
    args = ("buy", "--group", TEE_GROUP, "--group", PIN_GROUP, "--yes", "--json", "--no-verify")
    assert _cli(tmp_path, store, sandbox.api_base, *args) == EXIT_PARTIAL
    capsys.readouterr()
    assert _cli(tmp_path, store, sandbox.api_base, "buy", "--group", TEE_GROUP, "--yes") == 0


def test_an_estimate_where_no_order_is_priced_exits_4(
    store: Store,
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(store, [us_order(n) for n in range(2)])
    assert _cli(tmp_path, store, sandbox.api_base, "estimate", "--group", TEE_GROUP) == EXIT_OK
    monkeypatch.setenv("EASYPOST_API_KEY", "EZBADKEY_wrong")
    code = _cli(tmp_path, store, sandbox.api_base, "estimate", "--group", TEE_GROUP, sandbox=False)
    assert code == EXIT_TOTAL_FAILURE
    assert "not priced" in capsys.readouterr().err
