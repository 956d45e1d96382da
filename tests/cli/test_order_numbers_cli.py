"""`--order` takes the number the GUI shows (the source's own number), never the local id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import main
from app.store import Store, open_store
from tests.services.after_labels_support import Desk, desk  # noqa: F401


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


def _cli(
    desk: Desk,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(
        [
            "--home",
            str(tmp_path / "home"),
            "--db",
            str(desk.store.path),
            "--sandbox",
            "--api-base",
            desk.sandbox.api_base,
            *args,
        ]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_refund_track_and_orders_use_the_backer_number(
    desk: Desk,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    desk._next_order = 70  # backer numbers 71 and 72; local ids 1 and 2
    first, second = desk.orders(2)
    assert (first, second) == (1, 2)
    label = desk.buy(second)

    code, out, _ = _cli(desk, tmp_path, capsys, "refund", "--order", "72", "--json")
    assert code == 0
    (checked,) = json.loads(out)["checked"]
    assert (checked["order"], checked["tracking_code"]) == ("72", label.tracking_code)

    code, _, err = _cli(desk, tmp_path, capsys, "refund", "--order", "2")
    assert code != 0 and "Unknown order: 2" in err  # the local id is not what people see

    code, out, _ = _cli(desk, tmp_path, capsys, "track", "--order", "72", "--json")
    assert code == 0
    assert [line["order"] for line in json.loads(out)["labels"]] == ["72"]

    code, out, _ = _cli(desk, tmp_path, capsys, "orders", "--json")
    assert [o["order"] for o in json.loads(out)] == ["71", "72"]
    code, out, _ = _cli(desk, tmp_path, capsys, "orders")
    assert out.splitlines()[0].split()[0] == "ORDER"
    assert out.splitlines()[1].split()[0] == "71"

    code, _, _ = _cli(desk, tmp_path, capsys, "hold", "--order", "71")
    assert code == 0
