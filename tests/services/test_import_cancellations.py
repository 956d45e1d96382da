"""Re-imports: orders the source cancelled, refunded or dropped leave the ready-to-ship flow.

Real files through the real readers (Shopify, Kickstarter, BackerKit), as a packer re-imports
a newer export: an order imported earlier and now cancelled at the source must not stay
ready to ship (buying would pay for it); one that already has a label is only reported.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.order_flow import StatusAction
from app.domain.orders import OrderStatus
from app.imports import read_order_file
from app.services.error_csv import write_error_csv
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import StatusChange, Store

NOW = datetime(2026, 11, 25, 12, 0, 0)

SHOPIFY_HEADER = [
    "Name",
    "Financial Status",
    "Fulfillment Status",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Shipping Name",
    "Shipping Address1",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Cancelled at",
]
KICKSTARTER_HEADER = [
    "Backer Number",
    "Backer Name",
    "Pledged Status",
    "T-Shirt (L)",
    "Shipping Name",
    "Shipping Address 1",
    "Shipping City",
    "Shipping State",
    "Shipping Postal Code",
    "Shipping Country Code",
]
BACKERKIT_HEADER = [
    "Backer ID",
    "Pledge Level",
    "Order Status",
    "TEE-L",
    "Shipping Name",
    "Shipping Address 1",
    "Shipping City",
    "Shipping State",
    "Shipping Postal Code",
    "Shipping Country",
]


_PLACE = ("1 Main St", "Princeton", "NJ", "08540", "US")


def _shopify(name: str, financial: str = "paid", cancelled: str = "", **more: str) -> list[str]:
    cells = {
        "Name": name,
        "Financial Status": financial,
        "Fulfillment Status": more.get("fulfillment", "unfulfilled"),
        "Lineitem quantity": "1",
        "Lineitem name": "T-Shirt (L)",
        "Lineitem sku": "TEE-L",
        "Lineitem requires shipping": more.get("ships", "true"),
        "Shipping Name": f"Buyer {name}",
        "Shipping Address1": "1 Main St",
        "Shipping City": "Princeton",
        "Shipping Zip": "08540",
        "Shipping Province": "NJ",
        "Shipping Country": "US",
        "Cancelled at": cancelled,
    }
    return [cells[column] for column in SHOPIFY_HEADER]


def _kickstarter(number: str, status: str = "collected", tees: str = "1") -> list[str]:
    return [number, f"Backer {number}", status, tees, f"Backer {number}", *_PLACE]


def _backerkit(backer: str, status: str = "completed") -> list[str]:
    return [backer, "Keeper", status, "1", f"Backer {backer}", *_PLACE]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def importer(store: Store) -> ImportService:
    return ImportService(store, read_order_file, write_error_csv, clock=lambda: NOW)


def _statuses(store: Store) -> dict[str, OrderStatus]:
    with store.transaction() as tx:
        return {o.external_id: o.status for o in tx.orders.find()}


def _all_ready(store: Store) -> None:
    OrderService(store, clock=lambda: NOW).change_status(
        StatusAction.READY, OrderSelection(all=True)
    )


def test_shopify_refunded_and_cancelled_orders_are_cancelled_on_reimport(
    store: Store, importer: ImportService, tmp_path: Path
) -> None:
    first = [_shopify("#1001"), _shopify("#1002"), _shopify("#1003")]
    importer.import_file(_write(tmp_path / "s1.csv", SHOPIFY_HEADER, first))
    _all_ready(store)
    later = [
        _shopify("#1001"),
        _shopify("#1002", financial="refunded"),
        _shopify("#1003", cancelled="2025-10-05 10:00:00 -0400"),
    ]
    report = importer.import_file(_write(tmp_path / "s2.csv", SHOPIFY_HEADER, later))
    assert report.orders_cancelled == 2
    assert [(c.external_id, c.row, c.source) for c in report.cancelled] == [
        ("#1002", 3, "shopify"),
        ("#1003", 4, "shopify"),
    ]
    assert "refunded" in report.cancelled[0].reason
    assert _statuses(store) == {
        "#1001": OrderStatus.READY_TO_SHIP,
        "#1002": OrderStatus.CANCELLED,
        "#1003": OrderStatus.CANCELLED,
    }
    # Cancelled orders leave their package group (groups hold ready orders only).
    with store.transaction() as tx:
        ready = tx.orders.find(status=OrderStatus.READY_TO_SHIP)
    assert [o.external_id for o in ready] == ["#1001"]
    # A third import of the same file changes nothing more.
    again = importer.import_file(tmp_path / "s2.csv")
    assert again.orders_cancelled == 0 and not again.wrote_anything


def test_kickstarter_dropped_and_errored_pledges_are_cancelled_on_reimport(
    store: Store, importer: ImportService, tmp_path: Path
) -> None:
    rows = [_kickstarter("1"), _kickstarter("2"), _kickstarter("3")]
    importer.import_file(_write(tmp_path / "k1.csv", KICKSTARTER_HEADER, rows))
    _all_ready(store)
    later = [_kickstarter("1", "dropped"), _kickstarter("2"), _kickstarter("3", "errored")]
    report = importer.import_file(_write(tmp_path / "k2.csv", KICKSTARTER_HEADER, later))
    assert [c.external_id for c in report.cancelled] == ["1", "3"]
    assert _statuses(store) == {
        "1": OrderStatus.CANCELLED,
        "2": OrderStatus.READY_TO_SHIP,
        "3": OrderStatus.CANCELLED,
    }


def test_backerkit_refunded_order_is_cancelled_and_a_held_one_too(
    store: Store, importer: ImportService, tmp_path: Path
) -> None:
    importer.import_file(
        _write(tmp_path / "b1.csv", BACKERKIT_HEADER, [_backerkit("B1"), _backerkit("B2")])
    )
    OrderService(store, clock=lambda: NOW).change_status(
        StatusAction.HOLD, OrderSelection(refs=("backerkit:B2",))
    )
    assert _statuses(store)["B2"] is OrderStatus.ON_HOLD
    later = [_backerkit("B1", "refunded"), _backerkit("B2", "canceled")]
    report = importer.import_file(_write(tmp_path / "b2.csv", BACKERKIT_HEADER, later))
    assert report.orders_cancelled == 2
    assert set(_statuses(store).values()) == {OrderStatus.CANCELLED}


def test_a_labelled_order_cancelled_at_the_source_is_a_conflict_and_untouched(
    store: Store, importer: ImportService, tmp_path: Path
) -> None:
    importer.import_file(
        _write(tmp_path / "k1.csv", KICKSTARTER_HEADER, [_kickstarter("1"), _kickstarter("2")])
    )
    with store.transaction(write=True) as tx:
        labelled = {o.external_id: o.id for o in tx.orders.find()}["1"]
        assert labelled is not None
        tx.orders.apply_status_changes(
            [StatusChange(labelled, OrderStatus.LABEL_PURCHASED, None)], NOW
        )
    later = [_kickstarter("1", "dropped"), _kickstarter("2", "dropped")]
    report = importer.import_file(_write(tmp_path / "k2.csv", KICKSTARTER_HEADER, later))
    assert [c.external_id for c in report.cancelled] == ["2"]
    assert [(c.external_id, c.status, c.row) for c in report.conflicts] == [
        ("1", "label_purchased", 2)
    ]
    assert "already has a label" in report.conflicts[0].message
    assert _statuses(store) == {"1": OrderStatus.LABEL_PURCHASED, "2": OrderStatus.CANCELLED}


def test_other_skips_cancel_nothing(store: Store, importer: ImportService, tmp_path: Path) -> None:
    # Digital only now ("nothing to ship") and fulfilled by Shopify (maybe with our own label)
    # do not say the customer must not get the parcel: the stored orders are left alone.
    first = [_shopify("#1"), _shopify("#2")]
    importer.import_file(_write(tmp_path / "s1.csv", SHOPIFY_HEADER, first))
    later = [_shopify("#1", ships="false"), _shopify("#2", fulfillment="fulfilled")]
    report = importer.import_file(_write(tmp_path / "s2.csv", SHOPIFY_HEADER, later))
    assert len(report.warnings) == 2 and report.cancelled == ()
    assert set(_statuses(store).values()) == {OrderStatus.IMPORTED}
    ks = [_kickstarter("7"), _kickstarter("8")]
    importer.import_file(_write(tmp_path / "k1.csv", KICKSTARTER_HEADER, ks))
    report = importer.import_file(
        _write(tmp_path / "k2.csv", KICKSTARTER_HEADER, [_kickstarter("7", tees="0")])
    )
    assert report.cancelled == ()
    assert _statuses(store)["7"] is OrderStatus.IMPORTED
    # A blank pledge status is skipped by the reader, but it does not say "dropped".
    report = importer.import_file(
        _write(tmp_path / "k3.csv", KICKSTARTER_HEADER, [_kickstarter("8", status="")])
    )
    assert len(report.warnings) == 1 and report.cancelled == ()
    assert _statuses(store)["8"] is OrderStatus.IMPORTED


def test_a_first_import_of_cancelled_orders_creates_and_cancels_nothing(
    store: Store, importer: ImportService, tmp_path: Path
) -> None:
    rows = [_kickstarter("1", "dropped"), _kickstarter("2")]
    report = importer.import_file(_write(tmp_path / "k.csv", KICKSTARTER_HEADER, rows))
    assert (report.orders_created, report.orders_cancelled) == (1, 0)
    assert _statuses(store) == {"2": OrderStatus.IMPORTED}
