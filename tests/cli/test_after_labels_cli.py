"""`packdesk-cli scan|scanform|refund|pickup|track|batches` on a real database and the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.tracking import GS
from app.services.ship_from import ShipFromService
from app.store import Store, open_store
from tests.services.after_labels_support import STUDIO, Desk, desk  # noqa: F401


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "packdesk.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def cli(
    desk: Desk,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[object]:
    monkeypatch.setenv("PACKDESK_STATION", "desk-cli")

    def run(*args: str) -> tuple[int, str]:
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
        return code, captured.out + captured.err

    yield run


def _json(result: tuple[int, str]) -> object:
    return json.loads(result[1])


def test_scan_json_statuses(desk: Desk, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    code, out = cli("scan", f"]C1420021081234{GS}{label.tracking_code}", "--json")
    shipped = json.loads(out)
    assert code == 0
    assert (shipped["status"], shipped["order"], shipped["tracking_code"]) == (
        "shipped",
        "1",
        label.tracking_code,
    )
    assert shipped["station"] == "desk-cli"
    code, out = cli("scan", label.tracking_code, "--json")
    assert (code, json.loads(out)["status"]) == (0, "already_shipped")
    code, out = cli(
        "scan",
        label.tracking_code[:-1] + "0"
        if label.tracking_code[-1] != "0"
        else label.tracking_code[:-1] + "1",
        "--json",
    )
    invalid = json.loads(out)
    assert (code, invalid["status"]) == (3, "invalid")
    assert "check digit" in invalid["message"]
    code, out = cli("scan", "LZ123456785US")
    assert code == 3 and out.startswith("UNKNOWN: ")


def test_scanform_refund_track_batches_pickup(desk: Desk, cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    ShipFromService(desk.store).add("Studio", STUDIO, make_default=True)
    batch = desk.batch()
    first, _second, third = (desk.buy(o, batch=batch) for o in desk.orders(3))

    code, out = cli("refund", "--label", str(third.id))
    assert code == 0 and "can be refunded" in out and "add --yes" in out
    code, out = cli("refund", "--label", str(third.id), "--yes", "--json")
    assert code == 0 and json.loads(out)["submitted"] == 1

    code, out = cli("scanform", "--batch", batch, "--json")
    made = _json((code, out))
    assert code == 0
    assert isinstance(made, dict)
    (form,) = made["forms"]
    assert form["status"] == "created" and form["labels"] == 2
    assert Path(form["path"]).is_file()
    assert [x["label"] for x in made["excluded"]] == [third.id]
    code, out = cli("scanform", "list")
    assert code == 0 and form["easypost_id"] in out
    code, out = cli("scanform", "print", str(form["id"]), "--printer", "usb://0a5f:0181")
    assert code == 1 and "4x6 label printer" in out

    code, out = cli("refund", "--label", str(first.id), "--yes", "--json")
    refused = json.loads(out)
    assert code == 4 and refused["refused"] == 1  # nothing refunded (app.cli.exit_codes)
    assert "SCAN form" in refused["lines"][0]["reason"]

    desk.sandbox.advance(61)
    code, out = cli("track", "--refresh", "--json")
    tracked = json.loads(out)
    assert code == 0 and tracked["shipped"] == 2
    code, out = cli("refund", "status", "--json")
    assert [s["refund_status"] for s in json.loads(out)] == ["refunded"]

    code, out = cli("batches", "--json")
    (summary,) = json.loads(out)
    assert summary["batch"] == batch
    assert (summary["bought"], summary["shipped"], summary["refunded"]) == (3, 2, 1)
    assert summary["scan_form"] == "complete"
    code, out = cli("batches", "show", batch)
    assert code == 0 and first.tracking_code in out

    code, out = cli("refund", "reminders", "--days", "0")
    assert code == 0

    day = desk.clock().date() + timedelta(days=1)
    if day.weekday() == 6:
        day += timedelta(days=1)
    code, out = cli(
        "pickup",
        "schedule",
        "--date",
        day.isoformat(),
        "--packages",
        "2",
        "--batch",
        batch,
        "--from",
        "10:00",
        "--to",
        "12:00",
        "--location",
        "Porch",
        "--json",
    )
    assert code == 0
    pickup = json.loads(out)["pickup"]
    code, out = cli("pickup", "confirm", str(pickup["id"]))
    assert code == 1 and "--yes" in out
    code, out = cli("pickup", "confirm", str(pickup["id"]), "--yes", "--json")
    assert code == 0 and json.loads(out)["pickup"]["status"] == "scheduled"
    code, out = cli("pickup", "cancel", str(pickup["id"]))
    assert code == 0 and "canceled" in out
    code, out = cli("pickup", "list", "--json")
    assert [p["status"] for p in json.loads(out)] == ["canceled"]
