"""Issue 8: every CSV Packdesk writes is formula-safe; output files are never clobbered."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

from app.cli.main import build_parser, main
from printers.__main__ import main as printers_main

HEADER = "Backer Number,Backer Name,Pledged Status,T-Shirt (L),Shipping Name,Shipping Address 1,"
HEADER += "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code"
HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1"]


def _row(number: int, name: str = "Ann", country: str = "US") -> str:
    quoted = '"' + name.replace('"', '""') + '"'
    return f"{number},B {number},collected,1,{quoted},1 Main St,Princeton,NJ,08540,{country}"


def _run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_groups_csv_exports_are_formula_safe(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    source = tmp_path / "k.csv"
    rows = [_row(n, name) for n, name in enumerate(HOSTILE, start=1)]
    source.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    assert _run(capsys, db, "import", str(source))[0] == 0
    assert _run(capsys, db, "ready", "--all")[0] == 0
    code, out, _ = _run(capsys, db, "groups", "--orders", "--csv")
    assert code == 0
    names = _cells(out)
    for raw in HOSTILE:
        assert "'" + raw.strip("\t") in {c.strip("\t") for c in names}
        assert raw not in names  # never the live formula
    code, out, _ = _run(capsys, db, "groups", "--csv")
    assert code == 0 and not any(c.startswith(("=", "+", "@")) for c in _cells(out))


def test_every_csv_export_says_it_is_formula_safe() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    helps = {
        name: " ".join(a.help or "" for a in p._actions)
        for name, p in sub.choices.items()  # type: ignore[attr-defined]
    }
    assert "formula" in helps["import"] and "formula" in helps["groups"]


def test_errors_csv_is_formula_safe_and_never_clobbers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    source = tmp_path / "mixed.csv"
    bad = [_row(n, name, country="Atlantis") for n, name in enumerate(HOSTILE, start=2)]
    source.write_text("\n".join([HEADER, _row(1), *bad]) + "\n", encoding="utf-8")
    target = tmp_path / "mixed.errors.csv"
    code, _, err = _run(capsys, db, "import", str(source), "--errors-csv")
    assert code == 0, err
    with target.open(encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    for raw in HOSTILE:
        assert raw not in cells and "'" + raw in cells
    # A second run does not replace the first file without --overwrite, and saves nothing.
    target.write_text("keep me", encoding="utf-8")
    code, _, err = _run(capsys, db, "import", str(source), "--errors-csv")
    assert code == 1 and "already exists" in err and "--overwrite" in err
    assert target.read_text(encoding="utf-8") == "keep me"
    code, _, err = _run(capsys, db, "import", str(source), "--errors-csv", "--overwrite")
    assert code == 0, err
    assert "Atlantis" in target.read_text(encoding="utf-8-sig")


def test_errors_csv_never_follows_a_symlink(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    source = tmp_path / "mixed.csv"
    source.write_text(f"{HEADER}\n{_row(1)}\n{_row(2, country='Atlantis')}\n", encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    os.symlink(victim, tmp_path / "mixed.errors.csv")
    for extra in ([], ["--overwrite"]):
        code, _, err = _run(capsys, db, "import", str(source), "--errors-csv", *extra)
        assert code == 1 and "symbolic link" in err
    assert victim.read_text(encoding="utf-8") == "precious"


def test_test_label_refuses_to_replace_an_existing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    existing = tmp_path / "keep.zpl"
    existing.write_bytes(b"precious")
    uri = f"file://{existing}"
    assert printers_main(["test-label", uri, "--model", "zd421-203"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert existing.read_bytes() == b"precious"
    assert printers_main(["test-label", uri, "--model", "zd421-203", "--overwrite"]) == 0
    assert existing.read_bytes().startswith(b"^XA") or existing.read_bytes() != b"precious"
    fresh = tmp_path / "new.zpl"
    assert printers_main(["test-label", f"file://{fresh}", "--model", "zd421-203"]) == 0
    assert fresh.stat().st_size > 0


def test_a_control_character_in_a_printer_uri_is_a_clear_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert printers_main(["test-label", "spool://a%00b", "--model", "zd421-203"]) == 1
    assert "control character" in capsys.readouterr().err


@pytest.mark.parametrize("uri", ["spool://a%00b", "virtual://../x"])
def test_a_bad_printer_address_is_a_clear_error_in_the_app_too(
    uri: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Found by the CLI fuzz: `print --printer` raised the PrinterError as a traceback.
    code = main(["--home", str(tmp_path), "--sandbox", "print", "--batch", "x", "--printer", uri])
    err = capsys.readouterr().err
    assert code == 1 and "Cannot read printer address" in err and "Traceback" not in err
