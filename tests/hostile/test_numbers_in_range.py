"""Issue 8: every number from a user or a file is range-checked, with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.errors import AppError
from app.domain.limits import MAX_RECORD_ID, record_id, whole_number

HUGE = "99999999999999999999999"


def _run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", str(db), *argv])
    except SystemExit as stop:  # argparse refuses a bad argument with exit 2
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [
        # --order takes the order's own number (text, looked up) or id:N (a range-checked id)
        ["ready", "--order", HUGE],
        ["ready", "--order", "id:" + HUGE],
        ["refund", "--order", "id:" + HUGE],
        ["hold", "--order", HUGE],
        ["release", "--order", HUGE],
        ["refund", "--order", HUGE],
        ["refund", "--label", HUGE],
        ["buy", "--order", HUGE],
        ["estimate", "--order", HUGE],
        ["track", "--order", HUGE],
        ["print", "--resend", HUGE],
        ["pickup", "confirm", HUGE],
        ["scanform", "print", HUGE],
        ["batches", "--days", HUGE],
        ["skus", "set", "X", "--weight", "1e308"],
        ["estimate", "--order", "1e3"],
        ["buy", "--concurrency", "0"],
        [
            "--sandbox",
            "rates",
            "--from-zip",
            "10001",
            "--to-zip",
            "1",
            "--weight-oz",
            "nan",
        ],  # fuzz find
        ["--sandbox", "rates", "--from-zip", "10001", "--to-zip", "1", "--weight-oz", "1e308"],
        ["sandbox", "--tracker-step-s", "inf"],
    ],
)
def test_a_number_out_of_range_is_a_clear_error(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _run(capsys, tmp_path / "d.sqlite3", *argv)
    assert code in (1, 2)
    assert "Traceback" not in err and "OverflowError" not in err
    assert any(
        words in err
        for words in ("range", "whole number", "plain number", "positive number", "Unknown order")
    )
    assert argv[-1][:10] in err  # the message names the offending value


def test_a_huge_order_barcode_is_an_invalid_scan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(capsys, tmp_path / "d.sqlite3", "scan", "PD-ORDER:" + HUGE + "999")
    assert "unusable order reference" in out + err and "Traceback" not in err
    assert code == 3  # an invalid scan


def test_whole_numbers_are_plain_digits_within_bounds() -> None:
    assert record_id(str(MAX_RECORD_ID)) == MAX_RECORD_ID
    assert whole_number(" 7 ", what="--x", low=1, high=9) == 7
    for bad in ("1e3", "2.0", "-1", "", "0x10", str(MAX_RECORD_ID + 1), "9" * 5000):
        with pytest.raises(AppError) as caught:
            record_id(bad, what="--order")
        assert caught.value.message.startswith("--order:") and len(caught.value.message) < 120


def test_numbers_in_an_order_file_are_range_checked_by_row_and_column(tmp_path: Path) -> None:
    from app.imports import read_order_file

    mapping = tmp_path / "map.json"
    mapping.write_text(
        '{"version": 1, "name": "t", "columns": {"order": "external_id", "name": "name", '
        '"street": "street1", "city": "city", "state": "state", "zip": "postal_code", '
        '"country": "country", "sku": "sku", "qty": "quantity", "value": "item_value", '
        '"weight": "item_weight_oz"}}',
        encoding="utf-8",
    )
    source = tmp_path / "g.csv"
    source.write_text(
        "order,name,street,city,state,zip,country,sku,qty,value,weight\n"
        f"1,Ann,1 Main,Princeton,NJ,08540,US,A,1,${'9' * 35},1\n"
        "2,Bo,1 Main,Princeton,NJ,08540,US,B,1,1,1e308\n"
        "3,Cy,1 Main,Princeton,NJ,08540,US,C,1e3,1,1\n",
        encoding="utf-8",
    )
    parsed = read_order_file(source, mapping_path=mapping)
    problems = {(e.row, e.column): e.message for e in parsed.errors}
    assert "1e308" in problems[(3, "weight")] and "no 1e3" in problems[(4, "qty")]
    assert any(w.row == 2 and "unit value of A" in w.message for w in parsed.warnings)
    assert {item.sku: item.value_usd for item in parsed.items}["A"] == 0
