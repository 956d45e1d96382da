"""Formula-safe CSV cells and files that are never clobbered."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.documents.csv_safe import FORMULA_TRIGGERS, safe_cell, write_csv
from app.domain.errors import AppError


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-2+3", "'-2+3"),
        ("-3.20", "-3.20"),
        ("Ana Müller", "Ana Müller"),
        (Decimal("-4.10"), "-4.10"),
        (-7, "-7"),
        (None, ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(raw: object, written: str) -> None:
    assert safe_cell(raw) == written


@given(st.text())
def test_no_text_cell_starts_a_formula(text: str) -> None:
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_TRIGGERS) or cell.lstrip("-").replace(".", "").isdigit()


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    assert write_csv(target, ["name", "n"], [["=1+1", 3], ["Zoë", Decimal("1.50")]]) == 2
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows == [["name", "n"], ["'=1+1", "3"], ["Zoë", "1.50"]]
    assert target.stat().st_mode & 0o777 == 0o600


def test_an_existing_file_is_refused_unless_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("keep me")
    with pytest.raises(AppError, match="already exists") as caught:
        write_csv(target, ["a"], [])
    assert "--overwrite" in (caught.value.hint or "")
    assert target.read_text() == "keep me"
    write_csv(target, ["a"], [], overwrite=True)
    assert target.read_text(encoding="utf-8-sig").strip() == "a"


def test_a_symlink_is_never_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    for overwrite in (False, True):
        with pytest.raises(AppError, match="symbolic link"):
            write_csv(link, ["a"], [["b"]], overwrite=overwrite)
    assert victim.read_text() == "precious"
