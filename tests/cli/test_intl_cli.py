"""`packdesk-cli tax-ids` and the SKU customs fields of issue 12, through app.cli.main.main."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main


def run(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", db, *argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "intl.sqlite3")


def test_tax_ids_set_show_and_refuse(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(
        capsys, db, "tax-ids", "set", "--ioss", "IM 276 000 0742", "--uk-vat", "GB123456789"
    )
    assert code == 0 and "IM2760000742" in out
    code, out, _ = run(capsys, db, "tax-ids", "show", "--json")
    assert json.loads(out)["ioss"] == "IM2760000742" and json.loads(out)["eori"] == ""
    code, _, err = run(capsys, db, "tax-ids", "set", "--eu-vat", "US12345")
    assert code != 0 and "EU VAT number" in err and "Traceback" not in err
    code, out, _ = run(capsys, db, "tax-ids", "set", "--ioss", "")
    assert json.loads(run(capsys, db, "tax-ids", "show", "--json")[1])["ioss"] == ""


def test_sku_product_ids_and_hts_checks(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, err = run(
        capsys, db, "skus", "set", "GAME", "--create", "--hts", "9504.90.6000",
        "--mfr-id", "MFR-GAME-1", "--barcode", "0850000000018", "--json",
    )  # fmt: skip
    assert code == 0, err
    item = json.loads(out)
    assert (item["manufacturer_product_id"], item["barcode"], item["hts_problem"]) == (
        "MFR-GAME-1",
        "0850000000018",
        None,
    )
    code, _, err = run(capsys, db, "skus", "set", "GAME", "--hts", "7700.00")
    assert code != 0 and "chapter 77" in err
    code, _, err = run(capsys, db, "skus", "set", "GAME", "--barcode", "0850000000016")
    assert code != 0 and "check digit" in err
    # A code that came in some other way (an old database, a hand edit) is flagged by the list.
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE items SET hts_code = '980000' WHERE sku = 'GAME'")
    code, out, _ = run(capsys, db, "skus", "list")
    assert "HTS looks wrong" in out
    listed = json.loads(run(capsys, db, "skus", "list", "--json")[1])
    assert "chapter 98" in listed[0]["hts_problem"]


def test_intl_report_and_address_commands_are_wired(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    code, out, err = run(capsys, db, "intl", "report", "--order", "1", "--json")
    assert code != 0 and "Unknown order: 1" in err and "Traceback" not in err
    code, out, err = run(capsys, db, "order-address", "check", "--help")
    assert code == 0 and "ORDER" in out
