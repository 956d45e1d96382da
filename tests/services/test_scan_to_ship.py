"""Scan to ship: scanner input variants, already shipped, unknown, invalid, refunded, orders."""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.fulfilment import LabelStatus
from app.domain.tracking import GS, make_usps_tracking_number
from app.services.audit import AuditAction, AuditLog
from app.services.scan_to_ship import ScanOutcome, ScanStatus, ScanToShipService
from app.store import open_store
from app.store.labels_repo import LabelRecord, NewLabel
from tests.services.after_labels_support import Desk, desk  # noqa: F401

ZIP5 = "02108"  # the factories' US recipients live in Boston


@pytest.fixture
def scanner(desk: Desk) -> ScanToShipService:  # noqa: F811
    return ScanToShipService(desk.store, desk.audit, clock=desk.clock)


@pytest.fixture
def label(desk: Desk) -> LabelRecord:  # noqa: F811
    (order_id,) = desk.orders(1)
    return desk.buy(order_id)


def _variants(tracking: str) -> list[str]:
    """What a handheld scanner really sends from one USPS label (IMpb, GS1-128)."""
    return [
        f"420{ZIP5}{GS}{tracking}",  # GS1-128 with the FNC1 sent as GS
        f"420{ZIP5}{tracking}",  # scanner set to drop GS
        f"]C1420{ZIP5}{GS}{tracking}",  # AIM symbology identifier
        f"  420{ZIP5}1234{GS}{tracking}\r\n",  # ZIP+4, whitespace, Enter
        f"420{ZIP5}^]{tracking}",  # caret notation for GS from a keyboard wedge
        tracking,  # the human-readable number typed in
        " ".join(tracking[i : i + 4] for i in range(0, len(tracking), 4)),  # as printed
    ]


def test_each_scanner_variant_finds_the_label(
    desk: Desk,  # noqa: F811
    scanner: ScanToShipService,
) -> None:
    order_ids = desk.orders(len(_variants("")))
    labels = [desk.buy(order_id) for order_id in order_ids]
    for index, record in enumerate(labels):
        text = _variants(record.tracking_code)[index]
        outcome = scanner.scan(text, station="desk-7")
        assert outcome.status is ScanStatus.SHIPPED, (text, outcome.message)
        assert outcome.tracking_code == record.tracking_code
        assert outcome.order_id == record.order_id
        assert outcome.station == "desk-7"
    assert {desk.order_status(i) for i in order_ids} == {"shipped"}


#: Real IMpb scans (shipping-anchors.md 5.1, from jkeen/tracking_number_data and Pub 91):
#: (what the scanner sent, the tracking number on the label).
REAL_SCANS = [
    ("420787459400111206206406260787", "9400111206206406260787"),
    ("4201002334249200190132607600833457", "9200190132607600833457"),
    ("42078745\x1d9400111206206406260787", "9400111206206406260787"),
    ("]C1420100233424\x1d9200190132607600833457", "9200190132607600833457"),
    ("9400 1112 0620 6406 2607 87", "9400111206206406260787"),
]


def test_real_usps_payloads_find_labels_recorded_with_their_numbers(
    desk: Desk,  # noqa: F811
    scanner: ScanToShipService,
) -> None:
    first, second = desk.orders(2)
    with desk.store.transaction(write=True) as tx:
        for order_id, code in ((first, REAL_SCANS[0][1]), (second, REAL_SCANS[1][1])):
            tx.labels.add(
                NewLabel(
                    order_id=order_id,
                    shipment_id=f"shp_real_{order_id}",
                    tracking_code=code,
                    service="GroundAdvantage",
                    amount_usd=Decimal("5.10"),
                    label_format="PNG",
                    bought_at=desk.clock(),
                )
            )
    for sent, tracking in REAL_SCANS:
        outcome = scanner.scan(sent)
        assert outcome.ok, (sent, outcome.message)
        assert outcome.tracking_code == tracking
    statuses = [scanner.scan(sent).status for sent, _ in REAL_SCANS]
    assert statuses == [ScanStatus.ALREADY_SHIPPED] * len(REAL_SCANS)


def test_second_scan_says_when_it_was_shipped(
    desk: Desk,  # noqa: F811
    scanner: ScanToShipService,
    label: LabelRecord,
) -> None:
    first = scanner.scan(label.tracking_code, station="desk-1")
    again = scanner.scan(f"420{ZIP5}{GS}{label.tracking_code}", station="desk-2")
    assert first.status is ScanStatus.SHIPPED
    assert again.status is ScanStatus.ALREADY_SHIPPED
    assert again.shipped_at == first.shipped_at
    assert again.station == "desk-1"
    assert "already shipped" in again.message and "desk-1" in again.message
    entries = desk.audit.entries(action=AuditAction.ORDER_SHIPPED)
    assert [(e.order_id, e.station, e.details["station"]) for e in entries] == [
        (label.order_id, "desk-1", "desk-1")
    ]


def test_unknown_and_invalid_codes_say_so(scanner: ScanToShipService, label: LabelRecord) -> None:
    body = label.tracking_code[:-1]
    wrong = str((int(label.tracking_code[-1]) + 1) % 10)
    bad_check = scanner.scan(body + wrong)
    assert bad_check.status is ScanStatus.INVALID
    assert "check digit" in bad_check.message
    never_bought = make_usps_tracking_number(987_654_321)  # valid check digit
    unknown = scanner.scan(f"420{ZIP5}{GS}{never_bought}")
    assert unknown.status is ScanStatus.UNKNOWN
    assert f"No label with tracking number {never_bought}" in unknown.message
    assert scanner.scan("hello").status is ScanStatus.INVALID
    assert scanner.scan("1Z999AA10123456784").status is ScanStatus.INVALID
    assert scanner.scan("").status is ScanStatus.INVALID
    s10 = scanner.scan("LZ123456785US")  # valid S10, no such label
    assert s10.status is ScanStatus.UNKNOWN and s10.kind == "s10"


def test_packing_slip_barcode_finds_the_order_and_its_label(
    desk: Desk,  # noqa: F811
    scanner: ScanToShipService,
) -> None:
    first, second, unlabelled = desk.orders(3)
    label = desk.buy(first)
    desk.buy(second)
    outcome = scanner.scan(f"PD-ORDER:{first}")
    assert outcome.status is ScanStatus.SHIPPED
    assert outcome.tracking_code == label.tracking_code
    by_external = scanner.scan("#2")  # the second order's external id
    assert by_external.status is ScanStatus.SHIPPED and by_external.order == "2"
    assert scanner.scan(f"PD-ORDER:{first}").status is ScanStatus.ALREADY_SHIPPED
    no_label = scanner.scan(f"PD-ORDER:{unlabelled}")
    assert no_label.status is ScanStatus.NO_LABEL and "no label" in no_label.message
    assert scanner.scan("PD-ORDER:999999").status is ScanStatus.UNKNOWN


def test_a_refunded_label_is_not_shipped(
    desk: Desk,  # noqa: F811
    scanner: ScanToShipService,
    label: LabelRecord,
) -> None:
    with desk.store.transaction(write=True) as tx:
        tx.shipping.set_label_refund(
            label.id,
            status=LabelStatus.REFUNDED,
            refund_status="refunded",
            refunded_at=datetime(2026, 1, 1),
        )
    replacement = desk.buy(label.order_id)
    outcome = scanner.scan(label.tracking_code)
    assert outcome.status is ScanStatus.REFUNDED
    assert "Do not ship" in outcome.message and replacement.tracking_code in outcome.message
    assert desk.order_status(label.order_id) == "label_purchased"
    assert scanner.scan(replacement.tracking_code).status is ScanStatus.SHIPPED


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=40))
def test_any_text_gets_a_plain_answer(scanner: ScanToShipService, text: str) -> None:
    outcome = scanner.scan(text)
    assert outcome.status in (ScanStatus.INVALID, ScanStatus.UNKNOWN, ScanStatus.NO_LABEL)
    assert outcome.message


def test_one_label_scanned_at_two_stations_at_once_ships_once_and_names_the_first(
    desk: Desk,  # noqa: F811
    label: LabelRecord,
    tmp_path: Path,
) -> None:
    """Two desks' scanners (each its own connection) read one parcel at the same moment."""
    other = open_store(desk.store.target, anchor=tmp_path / "other.local")
    try:
        scanners = {
            "desk-1": ScanToShipService(desk.store, desk.audit, clock=desk.clock),
            "desk-2": ScanToShipService(other, AuditLog(other, station="desk-2", user="bo")),
        }
        barrier = threading.Barrier(2)
        outcomes: dict[str, ScanOutcome] = {}

        def scan(station: str) -> None:
            barrier.wait()
            outcomes[station] = scanners[station].scan(label.tracking_code, station=station)

        threads = [threading.Thread(target=scan, args=(name,)) for name in scanners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        statuses = sorted(o.status for o in outcomes.values())
        assert statuses == sorted([ScanStatus.SHIPPED, ScanStatus.ALREADY_SHIPPED])
        (first,) = [s for s, o in outcomes.items() if o.status is ScanStatus.SHIPPED]
        (second,) = [o for o in outcomes.values() if o.status is ScanStatus.ALREADY_SHIPPED]
        assert second.station == first and first in second.message
        shipped = desk.audit.entries(action=AuditAction.ORDER_SHIPPED)
        assert [(e.station, e.details["station"]) for e in shipped] == [(first, first)]
    finally:
        other.close()
