"""The foundation's commands through app.cli.main.main: import, skus, package-types, ready /
hold / release, orders, groups and customs-check, on a real database file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main

HEADER = (
    "Backer Number,Backer UID,Backer Name,Email,Shipping Country,Shipping Amount,Reward Title,"
    "Backing Minimum,Reward ID,Bonus Support,Pledge Amount,Pledged At,Fulfillment Status,"
    "Pledged Status,Notes,T-Shirt,Sticker Pack,[Addon: 10750435] Enamel Pin,Survey Response,"
    "Shipping Name,Shipping Address 1,Shipping Address 2,Shipping City,Shipping State,"
    "Shipping Postal Code,Shipping Country Name,Shipping Country Code,Shipping Phone Number,"
    "Shipping Delivery Notes"
)


def _row(number: int, name: str, items: str, place: str) -> str:
    return (
        f"{number},{1647400540 + number},{name},b{number}@example.com,US,$5.00 USD,Tee,"
        f'$30.00 USD,6526680,$0.00 USD,"$1,035.00 USD","2025/03/28, 10:27",Unfulfilled,'
        f'collected,,{items},"2025/05/26, 14:05",{name},{number} Main St,,{place}'
    )


US = "Boston,MA,2108,United States,US,,"
SE = "Tyresö,Stockholms Län,135 44,Sweden,SE,,"
CA = "Ottawa,ON,K2P 2L8,Canada,CA,,"


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.sqlite3")


@pytest.fixture
def backers(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "backers.csv",
        [
            _row(1, "Ann Lee", "1,1,0", US),
            _row(2, "Åsa Öberg", "1,1,1", SE),
            _row(3, "Bob Ray", "1,1,0", US),
            _row(4, "Chloé Roy", "1,1,0", CA),
        ],
    )


def run(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(["--db", db, *argv])
    except SystemExit as exit_:  # argparse rejects a bad command line with exit status 2
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_json(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> object:
    code, out, err = run(capsys, db, *argv)
    assert code == 0, err
    return json.loads(out)


def test_import_json_then_reimport_is_unchanged(
    capsys: pytest.CaptureFixture[str], db: str, backers: Path
) -> None:
    first = run_json(capsys, db, "import", str(backers), "--json")
    assert isinstance(first, dict)
    assert (first["orders_created"], first["orders_updated"], first["orders_unchanged"]) == (
        4,
        0,
        0,
    )
    assert first["conflicts"] == [] and first["errors"] == []
    assert first["preset"] == "kickstarter"
    again = run_json(capsys, db, "import", str(backers), "--preset", "kickstarter", "--json")
    assert isinstance(again, dict)
    assert (again["orders_created"], again["orders_updated"], again["orders_unchanged"]) == (
        0,
        0,
        4,
    )


def test_import_reports_bad_rows_and_writes_the_error_csv(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    broken = _row(2, "No Country", "1,0,0", "Nowhere,,12345,Atlantis,,,")
    path = _write(tmp_path / "mixed.csv", [_row(1, "Ann Lee", "1,1,0", US), broken])
    report = run_json(capsys, db, "import", str(path), "--errors-csv", "--json")
    assert isinstance(report, dict)
    assert report["orders_created"] == 1
    assert report["errors"] and {"row", "column", "message"} <= set(report["errors"][0])
    assert report["errors"][0]["row"] == 3
    assert report["errors_csv"] == str(tmp_path / "mixed.errors.csv")
    assert (tmp_path / "mixed.errors.csv").exists()


def test_unreadable_file_exits_non_zero_with_the_reason_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path
) -> None:
    code, out, err = run(capsys, db, "import", str(tmp_path / "missing.csv"), "--json")
    assert code == 1 and out == ""
    assert "error:" in err and "missing.csv" in err
    code, _, err = run(capsys, db, "orders", "--json")
    assert code == 0


def test_import_text_output_mentions_conflicts(
    capsys: pytest.CaptureFixture[str], db: str, backers: Path, tmp_path: Path
) -> None:
    run(capsys, db, "import", str(backers))
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE orders SET status = 'label_purchased' WHERE external_id = '1'")
    connection.close()
    changed = _write(tmp_path / "changed.csv", [_row(1, "Ann Lee-Moved", "1,1,0", US)])
    code, out, _ = run(capsys, db, "import", str(changed))
    assert code == 0
    assert "0 created, 0 updated, 0 unchanged" in out
    assert "conflict, row 2: order 1 changed in the file but already has a label" in out


def test_skus_list_set_and_apply_hts(
    capsys: pytest.CaptureFixture[str], db: str, backers: Path
) -> None:
    run(capsys, db, "import", str(backers))
    skus = run_json(capsys, db, "skus", "list", "--json")
    assert isinstance(skus, list)
    assert {"sku", "name", "weight_oz", "value", "hts_code", "origin"} <= set(skus[0])
    sku = next(s["sku"] for s in skus if "SHIRT" in s["sku"])
    item = run_json(
        capsys, db, "skus", "set", sku, "--weight", "5.5", "--value", "20", "--hts",
        "6109.10.0012", "--description", "Cotton t-shirt", "--origin", "PT", "--media-mail",
        "--json",
    )  # fmt: skip
    assert item == {
        "sku": sku,
        "name": item["name"] if isinstance(item, dict) else None,
        "weight_oz": 5.5,
        "value": 20,
        "hts_code": "6109100012",
        "description": "Cotton t-shirt",
        "origin": "PT",
        "media_mail": True,
        "customs_complete": True,
        "manufacturer_product_id": "",
        "barcode": "",
        "hts_problem": None,
    }
    code, _, err = run(capsys, db, "skus", "set", sku, "--hts", "12")
    assert code == 1 and "6 to 10 digits" in err
    code, _, err = run(capsys, db, "skus", "set", "NOPE", "--weight", "1")
    assert code == 1 and "Unknown SKU 'NOPE'" in err
    changed = run_json(
        capsys, db, "skus", "apply-hts", "*PIN*", "--hts", "7117.19", "--description", "Pin",
        "--json",
    )  # fmt: skip
    assert isinstance(changed, list) and [c["hts_code"] for c in changed] == ["711719"]
    code, out, _ = run(capsys, db, "skus", "list")
    assert code == 0 and "6109100012" in out


def test_package_types_add_list_remove(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(
        capsys, db, "package-types", "add", "Flat env", "--predefined", "FlatRateEnvelope",
        "--weight", "0.8",
    )  # fmt: skip
    assert code == 0 and "FlatRateEnvelope" in out
    code, _, _ = run(
        capsys, db, "package-types", "add", "Box 10x8x4", "--dimensions", "10x8x4",
        "--not-machinable", "--irregular",
    )  # fmt: skip
    assert code == 0
    types = run_json(capsys, db, "package-types", "list", "--json")
    assert isinstance(types, list)
    assert [(t["name"], t["predefined"], t["length_in"], t["machinable"]) for t in types] == [
        ("Box 10x8x4", None, 10, False),
        ("Flat env", "FlatRateEnvelope", None, True),
    ]
    code, _, err = run(capsys, db, "package-types", "add", "X", "--predefined", "Crate")
    assert code == 1 and "'Crate' is not a USPS predefined package" in err
    assert "MediumFlatRateBox" in err
    code, _, err = run(capsys, db, "package-types", "add", "Y", "--dimensions", "10x8")
    assert code == 2 and "LxWxH" in err
    assert run(capsys, db, "package-types", "remove", "Flat env")[0] == 0
    code, _, err = run(capsys, db, "package-types", "remove", "Flat env")
    assert code == 1 and "No package type called 'Flat env'" in err


def test_ready_hold_release_and_orders_listing(
    capsys: pytest.CaptureFixture[str], db: str, backers: Path
) -> None:
    run(capsys, db, "import", str(backers))
    orders = run_json(capsys, db, "orders", "--json")
    assert isinstance(orders, list) and len(orders) == 4
    assert {"id", "source", "external_id", "status", "country", "postal_code", "tracking_code"} <= (
        set(orders[0])
    )
    assert orders[0]["postal_code"] == "02108" and orders[0]["tracking_code"] is None
    ready = run_json(capsys, db, "ready", "--country", "US", "--json")
    assert isinstance(ready, dict) and ready["changed"] == 2
    assert run(capsys, db, "ready", "--order", "kickstarter:2")[0] == 0
    assert run(capsys, db, "hold", "--order", "1")[0] == 0
    statuses = {
        o["external_id"]: o["status"]
        for o in run_json(capsys, db, "orders", "--json")  # type: ignore[union-attr]
    }
    assert statuses == {"1": "on_hold", "2": "ready_to_ship", "3": "ready_to_ship",
                        "4": "imported"}  # fmt: skip
    listed = run_json(capsys, db, "orders", "--status", "on_hold", "--json")
    assert isinstance(listed, list) and [o["external_id"] for o in listed] == ["1"]
    code, out, _ = run(capsys, db, "release", "--all")
    assert code == 0 and "release: 1 changed" in out
    code, _, err = run(capsys, db, "ready", "--order", "1", "999")
    assert code == 1 and "Unknown order: 999." in err and "Nothing was changed" in err
    code, _, err = run(capsys, db, "hold")
    assert code == 2 and "one of the arguments --all --country --order is required" in err


def test_groups_json_csv_orders_assign_and_customs_check(
    capsys: pytest.CaptureFixture[str], db: str, backers: Path
) -> None:
    run(capsys, db, "import", str(backers))
    run(capsys, db, "ready", "--all")
    groups = run_json(capsys, db, "groups", "--json")
    assert isinstance(groups, list)
    assert [(g["orders"], g["international"], len(g["items"])) for g in groups] == [
        (3, 1, 2),
        (1, 1, 3),
    ]
    assert {"group", "items", "orders", "international"} <= set(groups[0])
    assert all({"sku", "quantity"} == set(item) for item in groups[0]["items"])
    big = groups[0]["group"]
    code, out, _ = run(capsys, db, "groups", "--csv")
    assert code == 0
    assert out.splitlines()[0].startswith("group,items,orders,domestic,international")
    assert out.splitlines()[1].startswith(f"{big},")
    code, out, _ = run(capsys, db, "groups", "--orders")
    assert code == 0 and "Chloé Roy" in out and big in out
    with_orders = run_json(capsys, db, "groups", "--orders", "--json")
    assert isinstance(with_orders, list) and len(with_orders[0]["order_ids"]) == 3

    run(capsys, db, "package-types", "add", "Mailer", "--dimensions", "12x9x1", "--weight", "1")
    assigned = run_json(
        capsys, db, "groups", "assign", big, "--package-type", "Mailer", "--service", "Priority",
        "--json",
    )  # fmt: skip
    assert isinstance(assigned, dict)
    assert (assigned["package_type"], assigned["service"]) == ("Mailer", "Priority")
    again = run_json(capsys, db, "groups", "--json")
    assert isinstance(again, list) and again[0]["package_type"] == "Mailer"
    # The import gave the new group Setup's default international service; assign kept it.
    assert again[0]["international_service"] == "FirstClassPackageInternationalService"
    code, _, err = run(capsys, db, "groups", "assign", big, "--service", "Teleport")
    assert code == 1 and "not a USPS service" in err

    blocked = run_json(capsys, db, "customs-check", "--json")
    assert isinstance(blocked, list)
    assert sorted(b["country"] for b in blocked) == ["CA", "SE"]
    assert blocked[0]["skus"][0]["missing"] == ["hts_code", "customs_description", "origin_country"]
    code, out, _ = run(capsys, db, "groups", "--customs-check")
    assert code == 0 and "2 international orders blocked" in out
    for sku in {s["sku"] for b in blocked for s in b["skus"]}:
        run(capsys, db, "skus", "set", sku, "--hts", "610910", "--description", "Merch",
            "--origin", "US")  # fmt: skip
    code, out, _ = run(capsys, db, "customs-check")
    assert code == 0 and "every international order has complete customs data" in out


def test_groups_assign_a_domestic_and_an_international_service(
    capsys: pytest.CaptureFixture[str], db: str, backers: Path
) -> None:
    run(capsys, db, "import", str(backers))
    run(capsys, db, "ready", "--all")
    groups = run_json(capsys, db, "groups", "--json")
    assert isinstance(groups, list)
    big = groups[0]["group"]
    assigned = run_json(
        capsys, db, "groups", "assign", big, "--service", "GroundAdvantage",
        "--intl-service", "prioritymailinternational", "--json",
    )  # fmt: skip
    assert isinstance(assigned, dict)
    assert (assigned["service"], assigned["international_service"]) == (
        "GroundAdvantage",
        "PriorityMailInternational",
    )
    listed = run_json(capsys, db, "groups", "--json")
    assert isinstance(listed, list)
    assert listed[0]["international_service"] == "PriorityMailInternational"
    code, out, _ = run(capsys, db, "groups")
    assert code == 0
    header, first = out.splitlines()[:2]
    assert "SERVICE" in header and "INTL SERVICE" in header
    assert "GroundAdvantage" in first and "PriorityMailInternational" in first
    code, out, _ = run(capsys, db, "groups", "--csv")
    assert out.splitlines()[0].endswith(",service,international_service")
    assert out.splitlines()[1].endswith(",GroundAdvantage,PriorityMailInternational")
    code, out, _ = run(capsys, db, "groups", "assign", big, "--intl-service", "")
    assert code == 0
    assert "domestic GroundAdvantage / international -" in out

    # Each service goes where it belongs; the error says which option to use.
    code, _, err = run(capsys, db, "groups", "assign", big, "--service",
                       "PriorityMailInternational")  # fmt: skip
    assert code == 1 and "is an international service" in err
    assert f"groups assign {big} --intl-service PriorityMailInternational" in err
    code, _, err = run(capsys, db, "groups", "assign", big, "--intl-service", "Priority")
    assert code == 1 and "Priority Mail is a domestic service" in err
    assert f"groups assign {big} --service Priority" in err
    kept = run_json(capsys, db, "groups", "--json")
    assert isinstance(kept, list) and kept[0]["service"] == "GroundAdvantage"

    code, out, _ = run(capsys, db, "groups", "assign", "--help")
    assert code == 0 and "--intl-service" in out and "domestic orders" in out


def test_newer_database_is_refused_with_exit_1(capsys: pytest.CaptureFixture[str], db: str) -> None:
    assert run(capsys, db, "orders")[0] == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999'")
    connection.close()
    code, _, err = run(capsys, db, "orders")
    assert code == 1 and "newer Packdesk" in err and "hint:" in err


def test_ship_from_add_list_default(capsys: pytest.CaptureFixture[str], db: str) -> None:
    code, out, _ = run(
        capsys, db, "ship-from", "add", "Warehouse", "--name", "Packdesk Fulfilment",
        "--street1", "100 Dock Rd", "--city", "Reno", "--state", "nv", "--zip", "89501",
    )  # fmt: skip
    assert code == 0 and "(default)" in out
    run(capsys, db, "ship-from", "add", "Studio", "--name", "S", "--street1", "5 Art Ave",
        "--city", "Portland", "--zip", "97201")  # fmt: skip
    assert run(capsys, db, "ship-from", "default", "Studio")[0] == 0
    listed = run_json(capsys, db, "ship-from", "list", "--json")
    assert isinstance(listed, list)
    assert [(e["label"], e["default"], e["state"]) for e in listed] == [
        ("Studio", True, ""),
        ("Warehouse", False, "NV"),
    ]
