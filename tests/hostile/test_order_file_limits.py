"""Issue 8: hostile order files end in a clear error, quickly and in bounded memory."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.domain.errors import AppError
from app.imports import read_order_file

HEADER = "Backer Number,Backer Name,Pledged Status,T-Shirt (L),Shipping Name,Shipping Address 1,"
HEADER += "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code"
ROW = "1,B,collected,1,{name},1 Main St,Princeton,NJ,08540,US"
MEMORY_LIMIT_MB = 600


def _workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(ROW.format(name="Ann").split(","))
    book.save(path)
    return path


def _damaged(source: Path, target: Path, member: str) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, data[: len(data) // 2] if info.filename == member else data)
    return target


@pytest.mark.parametrize("member", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_malformed_xlsx_xml_is_a_clear_error(tmp_path: Path, member: str) -> None:
    bad = _damaged(_workbook(tmp_path / "ok.xlsx"), tmp_path / "bad.xlsx", member)
    with pytest.raises(AppError, match=r"bad\.xlsx") as caught:
        read_order_file(bad)
    assert "Export the orders again" in caught.value.hint


def _empty_rows_workbook(path: Path, rows: int) -> Path:
    """A workbook whose sheet has no <dimension> and `rows` empty <row/> elements."""
    ok = _workbook(path.with_name("template.xlsx"))
    sheet = io.BytesIO()
    sheet.write(
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxml'
        b'formats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        b"<is><t>Backer Number</t></is></c></row>"
    )
    for number in range(2, rows + 2):
        sheet.write(b"<row r=%d/>" % number)
    sheet.write(b"</sheetData></worksheet>")
    with zipfile.ZipFile(ok) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.getvalue()
            zout.writestr(info.filename, data)
    return path


def test_limits_name_the_line_and_the_limit(tmp_path: Path) -> None:
    long_line = tmp_path / "line.csv"
    long_line.write_text(HEADER + "\n" + "1," * 600_000 + "\n", encoding="utf-8")
    with pytest.raises(AppError, match=r"line 2: 600,001 columns"):
        read_order_file(long_line)
    longer = tmp_path / "longer.csv"  # past 8M characters: refused line by line, before csv
    longer.write_text(HEADER + "\n" + "1," * 4_500_000 + "\n", encoding="utf-8")
    with pytest.raises(AppError, match=r"line 2: 9,000,00\d characters on one line"):
        read_order_file(longer)
    wide = tmp_path / "wide.csv"
    wide.write_text(HEADER + "\n" + ",".join(["x"] * 1_500) + "\n", encoding="utf-8")
    with pytest.raises(AppError, match=r"line 2: 1,500 columns"):
        read_order_file(wide)
    huge_cell = tmp_path / "cell.csv"
    huge_cell.write_text(HEADER + "\n" + ROW.format(name="N" * 900_000) + "\n", encoding="utf-8")
    with pytest.raises(AppError, match=r"line 2, column 5: a cell of 900,000 characters"):
        read_order_file(huge_cell)


def test_a_long_name_within_a_cell_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "name.csv"
    path.write_text(f"{HEADER}\n{ROW.format(name='N' * 5_000)}\n", encoding="utf-8")
    parsed = read_order_file(path)
    assert not parsed.orders
    (error,) = parsed.errors
    assert error.row == 2 and error.column == "Shipping Name"
    assert "5,000 characters" in error.message and "N" * 50 not in error.message


def test_lone_cr_line_endings_still_read(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(f"{HEADER}\r{ROW.format(name='Ann')}\r".encode())
    assert [o.recipient.name for o in read_order_file(path).orders] == ["Ann"]


_PROBE = """
import resource, sys, time
from pathlib import Path
from app.domain.errors import AppError
from app.imports import read_order_file
started = time.monotonic()
try:
    read_order_file(Path(sys.argv[1]))
    outcome = "read"
except AppError as error:
    outcome = "error: " + error.message
# VmHWM is this process's own peak since it started Python. ru_maxrss is not: on Linux it keeps
# the peak of the process it was forked from (pytest, several hundred MB late in the suite).
status = Path("/proc/self/status")
if status.exists():
    line = next(l for l in status.read_text().splitlines() if l.startswith("VmHWM:"))
    peak = int(line.split()[1]) // 1024
else:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(f"{peak}|{time.monotonic() - started:.1f}|{outcome}")
"""


def _probe(path: Path) -> tuple[int, float, str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    peak, seconds, outcome = done.stdout.strip().split("|", 2)
    return int(peak), float(seconds), outcome


@pytest.mark.slow
def test_hostile_files_stay_under_the_memory_limit(tmp_path: Path) -> None:
    """Each file is read in a fresh process; its peak memory (ru_maxrss) stays under 600 MB."""
    empty_rows = _empty_rows_workbook(tmp_path / "empty.xlsx", 1_100_000)
    one_line = tmp_path / "one-line.csv"
    with one_line.open("w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        handle.write("1," * 25_000_000 + "\n")  # 50 MB on one line
    wide = tmp_path / "wide.csv"
    with wide.open("w", encoding="utf-8") as handle:
        handle.write(",".join(f"C{n}" for n in range(1_000)) + "\n")
        row = ",".join(["xx"] * 1_000) + "\n"
        handle.writelines(row for _ in range(20_000))  # 60 MB, 20 million cells
    results = {path.name: _probe(path) for path in (empty_rows, one_line, wide)}
    for name, (peak_mb, seconds, outcome) in results.items():
        print(f"{name}: {peak_mb} MB peak, {seconds} s, {outcome}")
        assert outcome.startswith("error: ") and peak_mb < MEMORY_LIMIT_MB, name
    assert "1,048,576 rows" in results["empty.xlsx"][2]
    assert "on one line" in results["one-line.csv"][2]
    assert "cells" in results["wide.csv"][2]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_the_probe_counts_the_reading_process_not_the_one_that_started_it(tmp_path: Path) -> None:
    """A pytest process grown past the limit made every probe report its peak (a flake late in
    the suite: 'empty.xlsx: 600 MB peak, 0.1 s')."""
    small = tmp_path / "small.csv"
    small.write_text(HEADER + "\n" + ROW.format(name="Ann") + "\n", encoding="utf-8")
    ballast = bytearray(b"x") * (MEMORY_LIMIT_MB + 100) * 1024 * 1024  # touched pages: RSS
    peak_mb, _seconds, outcome = _probe(small)
    assert outcome == "read" and peak_mb < 300, peak_mb
    del ballast


def test_the_row_limit_counts_data_rows_not_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("app.imports.table.MAX_ROWS", 3)
    rows = [ROW.format(name=f"Ann {n}").replace("1,", f"{n},", 1) for n in range(1, 5)]
    exactly = tmp_path / "three.csv"
    exactly.write_text("\n".join([HEADER, *rows[:3]]) + "\n", encoding="utf-8")
    assert len(read_order_file(exactly).orders) == 3
    over = tmp_path / "four.csv"
    over.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(AppError, match="reached at line 5"):
        read_order_file(over)


def test_a_100000_backer_kickstarter_export_is_within_the_limits(tmp_path: Path) -> None:
    # The Kickstarter backer report has 37 columns: 100,000 backers are 3.7 million cells,
    # which the first cell limit (3 million) refused, so a large campaign could not be imported.
    from app.imports.table import check_limits

    columns = 37
    check_limits(tmp_path / "backers.csv", "line 100001", ["x"] * columns, 100_000, 100_000 * 37)
