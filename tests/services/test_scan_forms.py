"""SCAN forms: per batch and per from-address for today, EasyPost's rules, the kept PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.domain.after_labels import ManifestCandidate, plan_scan_forms
from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LabelStatus
from app.services.refunds import RefundService
from app.services.scan_forms import ScanFormService
from tests.services.after_labels_support import WAREHOUSE, Desk, desk  # noqa: F401


@pytest.fixture
def forms(desk: Desk) -> ScanFormService:  # noqa: F811
    return ScanFormService(
        desk.store, desk.gateway, desk.audit, desk.documents, clock=desk.clock, poll_interval=0.05
    )


def test_batch_form_excludes_refunded_and_keeps_the_pdf(
    desk: Desk,  # noqa: F811
    forms: ScanFormService,
) -> None:
    batch = desk.batch()
    labels = [desk.buy(order_id, batch=batch) for order_id in desk.orders(3)]
    with desk.store.transaction(write=True) as tx:
        tx.shipping.set_label_refund(
            labels[2].id, status=LabelStatus.REFUNDED, refund_status="refunded"
        )
    run = forms.for_batch(batch)
    (form,) = run.forms
    assert form.status == "created" and form.label_count == 2 and form.batch == batch
    assert [(label, reason.split(":")[0]) for label, _, reason in run.excluded] == [
        (labels[2].id, "it is refunded")
    ]
    assert form.form_path is not None
    pdf = Path(form.form_path)
    assert pdf.parent == desk.documents / "scan_forms"
    assert pdf.read_bytes().startswith(b"%PDF")
    with desk.store.transaction() as tx:
        on_form = {
            f.label_id: f.scan_form_id for f in tx.shipping.labels_for_batch(desk.batches[batch])
        }
    assert on_form == {labels[0].id: form.id, labels[1].id: form.id, labels[2].id: None}
    assert [e.details["scan_form"] for e in desk.audit.entries(action="scanform.created")] == [
        form.easypost_id
    ]


def test_a_label_goes_on_one_form_only(desk: Desk, forms: ScanFormService) -> None:  # noqa: F811
    batch = desk.batch()
    for order_id in desk.orders(2):
        desk.buy(order_id, batch=batch)
    forms.for_batch(batch)
    with pytest.raises(AppError) as refused:
        forms.for_batch(batch)
    assert refused.value.kind is ErrorKind.CONFLICT
    assert "already on SCAN form" in refused.value.message
    with pytest.raises(AppError):
        forms.for_today()  # nothing left for today either


def test_today_makes_one_form_per_from_address(
    desk: Desk,  # noqa: F811
    forms: ScanFormService,
) -> None:
    a, b, c, old = desk.orders(4)
    desk.buy(a)
    desk.buy(b, from_address=WAREHOUSE, from_key="warehouse")
    desk.buy(c)
    stale = desk.buy(old, bought_at=desk.clock() - timedelta(days=1))
    only_warehouse = forms.for_today(from_address_key="warehouse")
    assert [(f.from_address_key, f.label_count) for f in only_warehouse.forms] == [("warehouse", 1)]
    assert {reason for _, _, reason in only_warehouse.excluded} == {"it ships from another address"}
    rest = forms.for_today()
    assert [(f.from_address_key, f.label_count, f.status) for f in rest.forms] == [
        ("studio", 2, "created")
    ]
    with desk.store.transaction() as tx:
        assert tx.shipping.label(stale.id).scan_form_id is None  # type: ignore[union-attr]
    with pytest.raises(AppError) as unknown:
        forms.for_today(from_address_key="garage")
    assert "studio" in unknown.value.hint and "warehouse" in unknown.value.hint
    assert len(forms.list()) == 2


def test_refund_is_refused_once_the_label_is_on_a_form(
    desk: Desk,  # noqa: F811
    forms: ScanFormService,
) -> None:
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    (form,) = forms.for_today().forms
    refunds = RefundService(desk.store, desk.gateway, desk.audit, clock=desk.clock)
    report = refunds.refund(refunds.labels(label_ids=[label.id]))
    (line,) = report.lines
    assert line.status == "refused"
    assert f"it is on SCAN form {form.easypost_id}" in line.reason
    assert not [e for e in desk.sandbox.ledger() if e.get("event", "").startswith("refund")]


def test_a_failed_form_frees_its_labels(desk: Desk, forms: ScanFormService) -> None:  # noqa: F811
    (order_id,) = desk.orders(1)
    desk.buy(order_id)
    desk.sandbox.set_faults(scan_form_fail=1)
    run = forms.for_today()
    assert [f.status for f in run.forms] == ["failed"]
    assert "too many requests" in run.forms[0].message
    assert run.forms[0].form_path is None
    retry = forms.for_today()
    assert [f.status for f in retry.forms] == ["created"]


def test_print_refuses_the_label_printer_and_copies_to_a_folder(
    desk: Desk,  # noqa: F811
    forms: ScanFormService,
    tmp_path: Path,
) -> None:
    (order_id,) = desk.orders(1)
    desk.buy(order_id)
    (form,) = forms.for_today().forms
    for label_printer in ("usb://0a5f:0181", "tcp://10.0.0.9:9100", "virtual://zd421"):
        with pytest.raises(AppError) as refused:
            forms.print_form(form.id, label_printer)
        assert refused.value.kind is ErrorKind.PRINTER
        assert "4x6 label printer" in refused.value.message
    printed = forms.print_form(form.id, str(tmp_path / "out"))
    copied = tmp_path / "out" / f"{form.easypost_id}.pdf"
    assert printed.destination == str(copied)
    assert copied.read_bytes() == Path(printed.path).read_bytes()


def test_plan_splits_at_200_and_keeps_only_todays_live_labels() -> None:
    now = datetime(2026, 3, 9, 15, 0)
    labels = [
        ManifestCandidate(i, f"shp_{i}", "studio", "live", now - timedelta(hours=1))
        for i in range(1, 452)
    ]
    labels += [
        ManifestCandidate(900, "shp_y", "studio", "live", now - timedelta(days=1)),
        ManifestCandidate(901, "shp_r", "studio", "refund_submitted", now),
        ManifestCandidate(902, "shp_f", "studio", "live", now, scan_form_ref="sf_1"),
    ]
    plan = plan_scan_forms(labels, now.date(), day_of=datetime.date)
    assert [len(members) for _, members in plan.forms] == [200, 200, 51]
    assert sorted(c.label_id for c, _ in plan.excluded) == [900, 901, 902]
    reasons = {c.label_id: reason for c, reason in plan.excluded}
    assert "not today" in reasons[900]
    assert "refund" in reasons[901]
    assert "already on SCAN form sf_1" in reasons[902]


def test_a_form_whose_answer_was_lost_is_recorded_on_the_next_run(
    desk: Desk,  # noqa: F811
    forms: ScanFormService,
) -> None:
    labels = [desk.buy(order_id) for order_id in desk.orders(2)]
    # The create went through at EasyPost but the desk never heard back (timeout, crash).
    lost = desk.gateway.create_scan_form([label.shipment_id for label in labels])
    desk.gateway.wait_for_scan_form(lost.id, poll_interval=0.05)
    run = forms.for_today()
    (form,) = run.forms
    assert (form.easypost_id, form.status, form.label_count) == (lost.id, "created", 2)
    assert form.form_path is not None and Path(form.form_path).is_file()
    with desk.store.transaction() as tx:
        assert {tx.shipping.label(label.id).scan_form_id for label in labels} == {form.id}  # type: ignore[union-attr]


def test_resume_finishes_a_form_left_creating(desk: Desk, forms: ScanFormService) -> None:  # noqa: F811
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    info = desk.gateway.create_scan_form([label.shipment_id])
    with desk.store.transaction(write=True) as tx:  # as _create leaves it before waiting
        form_id = tx.scan_forms.add(
            easypost_id=info.id,
            batch_id=None,
            from_address_key="studio",
            status="creating",
            created_at=desk.clock(),
            label_count=1,
        )
        tx.shipping.set_scan_form([label.id], form_id)
    (done,) = forms.resume()
    assert (done.id, done.status) == (form_id, "created")
    assert forms.resume() == []


def test_from_takes_the_ship_from_name(desk: Desk, forms: ScanFormService) -> None:  # noqa: F811
    from app.services.preflight import from_address_key
    from app.services.ship_from import ShipFromService

    ShipFromService(desk.store).add("Warehouse", WAREHOUSE)
    key = from_address_key(WAREHOUSE)
    a, b = desk.orders(2)
    desk.buy(a)
    desk.buy(b, from_address=WAREHOUSE, from_key=key)
    assert forms.from_address_names() == {key: "Warehouse"}
    (form,) = forms.for_today(from_address_key="warehouse").forms
    assert (form.from_address_key, form.label_count) == (key, 1)
