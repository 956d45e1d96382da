"""Issue 8: import errors name the spreadsheet row, and the text line where that differs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main

HEADER = "Backer Number,Backer Name,Pledged Status,T-Shirt (L),Shipping Name,Shipping Address 1,"
HEADER += "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code"


def test_a_400_row_sheet_with_line_breaks_reports_rows_a_spreadsheet_has(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rows = [
        f'{n},B {n},collected,1,Ann {n},"{n} Elm St\nApt {n}",Boston,MA,02108,US'
        for n in range(1, 400)
    ]
    rows.append("400,B 400,collected,1,Bo,1 Elm St,Boston,MA,02108,Atlantis")
    source = tmp_path / "k.csv"
    source.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    code = main(["--db", str(tmp_path / "d.sqlite3"), "import", str(source), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    (error,) = report["errors"]
    assert (error["row"], error["line"]) == (401, 800)  # the sheet's last row, the file's line
    code = main(["--db", str(tmp_path / "d.sqlite3"), "import", str(source)])
    assert "error, row 401 (line 800), Shipping Country Code" in capsys.readouterr().out
