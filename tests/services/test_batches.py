"""The batch overview: counts per batch (bought, printed, shipped, refunded), SCAN form state."""

from __future__ import annotations

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LabelStatus
from app.services.batches import BatchOverviewService
from app.services.scan_to_ship import ScanToShipService
from tests.services.after_labels_support import Desk, desk  # noqa: F401


def test_counts_and_show(desk: Desk) -> None:  # noqa: F811
    batch, other = desk.batch(), desk.batch()
    labels = [desk.buy(order_id, batch=batch) for order_id in desk.orders(4)]
    desk.buy(desk.orders(1)[0], batch=other)
    now = desk.clock()
    with desk.store.transaction(write=True) as tx:
        for label in labels[:2]:
            job = tx.print_jobs.add(label.id, "virtual://zd421", reprint=False, at=now)
            tx.print_jobs.claim(job.id)
            tx.print_jobs.mark_printed(job.id, now)
        again = tx.print_jobs.add(labels[0].id, "virtual://zd421", reprint=True, at=now)
        tx.print_jobs.claim(again.id)
        tx.print_jobs.mark_printed(again.id, now)  # a reprint is not a second printed label
        tx.shipping.set_label_refund(
            labels[3].id, status=LabelStatus.REFUNDED, refund_status="refunded"
        )
    ScanToShipService(desk.store, desk.audit, clock=desk.clock).scan(labels[1].tracking_code)
    overview = BatchOverviewService(desk.store, clock=desk.clock)
    first, second = overview.today()
    assert first.reference == batch and second.reference == other
    counts = (first.bought, first.printed, first.shipped, first.refunded, first.refund_pending)
    assert counts == (4, 2, 1, 1, 0)
    assert (first.scan_form_state, first.manifestable) == ("none", 3)
    detail = overview.show(batch)
    assert [f.label_id for f in detail.labels] == [label.id for label in labels]
    assert detail.scan_forms == ()
    assert first.to_json()["batch"] == batch
    with pytest.raises(AppError) as missing:
        overview.show("B-20200101-001")
    assert missing.value.kind is ErrorKind.NOT_FOUND
