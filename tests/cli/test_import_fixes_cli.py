"""`import` and `ready` review fixes: cancelled-at-source orders, the error CSV checked before
anything is saved, header-only files, unknown country codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main

HEADER = "Backer Number,Backer Name,Pledged Status,T-Shirt (L),Shipping Name,Shipping Address 1,"
HEADER += "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code"


def _row(number: int, status: str = "collected", country: str = "US") -> str:
    return f"{number},B {number},{status},1,B {number},1 Main St,Princeton,NJ,08540,{country}"


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _order_count(capsys: pytest.CaptureFixture[str], db: Path) -> int:
    code, out, err = run(capsys, db, "orders", "--json")
    assert code == 0, err
    listed = json.loads(out)
    return len(listed["orders"] if isinstance(listed, dict) else listed)


def test_reimport_names_the_cancelled_orders_in_text_and_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    run(capsys, db, "import", str(_write(tmp_path / "k1.csv", [_row(1), _row(2), _row(3)])))
    assert run(capsys, db, "ready", "--all")[0] == 0
    later = _write(tmp_path / "k2.csv", [_row(1, "dropped"), _row(2), _row(3)])
    code, out, _ = run(capsys, db, "import", str(later))
    assert code == 0
    assert "1 cancelled" in out
    assert "cancelled, row 2: order 1 (kickstarter:1): pledge status is 'dropped'" in out
    later2 = _write(tmp_path / "k3.csv", [_row(1, "dropped"), _row(2, "errored"), _row(3)])
    code, out, _ = run(capsys, db, "import", str(later2), "--json")
    report = json.loads(out)
    assert (code, report["orders_cancelled"]) == (0, 1)
    assert [(c["external_id"], c["row"]) for c in report["cancelled"]] == [("2", 3)]


def test_unwritable_error_csv_fails_before_anything_is_saved(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    source = _write(tmp_path / "mixed.csv", [_row(1), _row(2, country="Atlantis")])
    (tmp_path / "mixed.errors.csv").mkdir()  # the error file's place is taken by a folder
    code, out, err = run(capsys, db, "import", str(source), "--errors-csv")
    assert code != 0
    assert "cannot write the error file" in err and "Nothing was imported" in err
    assert _order_count(capsys, db) == 0
    # Without --errors-csv (or with a writable place) the same file imports.
    code, out, err = run(capsys, db, "import", str(source))
    assert code == 0 and "1 created" in out


def test_error_csv_failing_after_the_import_still_shows_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The early check passed but writing failed afterwards (a race: disk full, folder gone).
    monkeypatch.setattr("app.services.importing.ensure_writable", lambda target, **_: None)
    db = tmp_path / "d.sqlite3"
    source = _write(tmp_path / "mixed.csv", [_row(1), _row(2, country="Atlantis")])
    (tmp_path / "mixed.errors.csv").mkdir()
    code, out, err = run(capsys, db, "import", str(source), "--errors-csv")
    assert code == 1
    assert "1 created" in out and "error, row 3" in out  # the report and the row errors
    assert "cannot write" in err and "the import above was saved" in err
    assert _order_count(capsys, db) == 1
    code, out, err = run(capsys, db, "import", str(source), "--errors-csv", "--json")
    assert code == 1 and "cannot write" in json.loads(out)["errors_csv_failure"]


def test_a_header_only_file_warns_and_exits_zero(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    empty = _write(tmp_path / "empty.csv", [])
    code, out, err = run(capsys, db, "import", str(empty))
    assert code == 0 and "has no orders" in err and "0 rows read" in out
    code, out, err = run(capsys, db, "import", str(empty), "--json")
    assert code == 0 and "has no orders" in err and json.loads(out)["rows_read"] == 0
    code, out, err = run(capsys, db, "import", str(_write(tmp_path / "one.csv", [_row(1)])))
    assert code == 0 and "has no orders" not in err


def test_ready_with_an_unassigned_country_code_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    run(capsys, db, "import", str(_write(tmp_path / "k.csv", [_row(1)])))
    code, _, err = run(capsys, db, "ready", "--country", "ZZ")
    assert code != 0 and "'ZZ' is not a country code" in err and "ISO-3166" in err
    code, out, _ = run(capsys, db, "ready", "--country", "us")
    assert code == 0 and "1 changed" in out
