"""Property tests: malformed files never crash with anything but AppError, a fatal file never
yields a result, and every data row of a file that is read is accounted for."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import AppError
from app.imports import ParsedOrders, read_order_file
from resources.samples.generate import KS_HEADER, SHOPIFY_HEADER
from tests.imports.helpers import assert_every_row_accounted

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
BK_HEADER = ["Backer ID", "Pledge Level", "Order Status", "Shipping Name", "Shipping Address 1",
             "Shipping City", "Shipping State", "Shipping Postal Code", "Shipping Country",
             "GAME", "TEE-L"]  # fmt: skip
HEADERS = {"kickstarter": list(KS_HEADER), "shopify": list(SHOPIFY_HEADER), "backerkit": BK_HEADER}
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Cells that look like what real files hold, plus the characters that break naive parsers.
cell_text = st.one_of(
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "2",
            "-1",
            "1.5",
            "x",
            "collected",
            "errored",
            "US",
            "UK",
            "Germany",
            "Atlantis",
            "MA",
            "Texas",
            "02108",
            "2108",
            "'84403",
            "K2P 2L8",
            "$1,500.00",
            "SEK 1,000.00",
            "#1001",
            "true",
            "false",
            "Jürgen",
            "山田",
            "1 Main St\nApt 2",
            '"',
            '""',
            ",",
            "\r",
            "\n",
            " ",
        ]
    ),
    st.text(max_size=12),
)


def read_or_fatal(path: Path, **kwargs: object) -> ParsedOrders | None:
    """Read; an AppError is fine (fatal file), anything else fails the test."""
    try:
        parsed = read_order_file(path, **kwargs)  # type: ignore[arg-type]
    except AppError as error:
        assert error.message
        return None
    assert_every_row_accounted(parsed)
    return parsed


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(data=st.binary(max_size=600))
def test_random_bytes(scratch: Path, data: bytes) -> None:
    path = scratch / "random.csv"
    path.write_bytes(data)
    read_or_fatal(path)


@FUZZ
@given(
    preset=st.sampled_from(sorted(HEADERS)),
    rows=st.lists(st.lists(cell_text, max_size=90), max_size=12),
)
def test_random_cells_under_a_real_header(
    scratch: Path, preset: str, rows: list[list[str]]
) -> None:
    header = HEADERS[preset]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = scratch / "cells.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    parsed = read_or_fatal(path)
    if parsed is not None:
        assert parsed.preset == preset
        nonblank = [r for r in rows if any(c.strip() for c in r)]
        assert parsed.rows_read <= len(nonblank) or any("\r" in c for r in rows for c in r)


@FUZZ
@given(
    preset=st.sampled_from(sorted(HEADERS)),
    fragments=st.lists(cell_text | st.sampled_from([",", "\n", '"', "\r\n", ",,"]), max_size=80),
)
def test_raw_malformed_text_after_a_real_header(
    scratch: Path, preset: str, fragments: list[str]
) -> None:
    path = scratch / "raw.csv"
    path.write_text(",".join(HEADERS[preset]) + "\n" + "".join(fragments), encoding="utf-8")
    read_or_fatal(path)


@FUZZ
@given(
    name=st.sampled_from(
        [
            "kickstarter_backer_report.csv",
            "shopify_orders_export.csv",
            "backerkit_sku_per_column.csv",
        ]
    ),
    cut=st.integers(min_value=0, max_value=60_000),
)
def test_truncated_sample_files(scratch: Path, name: str, cut: int) -> None:
    path = scratch / name
    path.write_bytes((SAMPLES / name).read_bytes()[:cut])
    read_or_fatal(path)


printable_cell = cell_text.filter(lambda text: all(ch >= " " or ch in "\r\n" for ch in text))


@FUZZ
@given(
    rows=st.lists(st.lists(printable_cell, min_size=3, max_size=9), max_size=5),
    tail=printable_cell,
)
def test_a_quote_left_open_at_the_end_is_always_fatal(
    scratch: Path, rows: list[list[str]], tail: str
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADERS["backerkit"])
    writer.writerows(rows)
    text = buffer.getvalue() + f'BK-9,Tier,complete,"Ann\n{tail.replace(chr(34), "")}\n'
    path = scratch / "open-quote.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AppError, match="never closed"):
        read_order_file(path)


# Letters whose Windows-1252 bytes (0xE0-0xFF) are never valid UTF-8 after one another or ASCII.
mixed_name = st.text(
    alphabet=st.sampled_from("abz AZ" + "".join(map(chr, range(0xE0, 0x100)))), max_size=12
)


@FUZZ
@given(rows=st.lists(st.tuples(mixed_name, st.booleans()), min_size=1, max_size=10))
def test_each_row_is_decoded_in_its_own_encoding(
    scratch: Path, rows: list[tuple[str, bool]]
) -> None:
    from app.imports.table import read_table

    path = scratch / "mixed.csv"
    lines = [f"n{i},{name}\n".encode("cp1252" if legacy else "utf-8") for i, (name, legacy) in
             enumerate(rows)]  # fmt: skip
    path.write_bytes(b"id,name\n" + b"".join(lines))
    table = read_table(path)
    assert [cells[1] for _row, cells in table.rows] == [name for name, _legacy in rows]
    legacy_rows = {i + 2 for i, (name, legacy) in enumerate(rows) if legacy and not name.isascii()}
    utf8_rows = any(not legacy and not name.isascii() for name, legacy in rows)
    warned = {warning.row for warning in table.warnings}
    if not legacy_rows:
        assert warned == set()
    elif utf8_rows:
        assert warned == legacy_rows
    else:
        assert warned == {0}  # a Windows-1252 file: one warning for the file
