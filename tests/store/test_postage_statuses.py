"""One notion of "valid postage": the statuses the live-label unique index covers.

A rejected refund keeps its label `live` (refund_status "rejected"); the status
`refund_rejected` is never written, so nothing may count it as postage (review R1): a label in
it would be outside the one-live-label-per-order index while counted as the order's postage.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain.after_labels import USABLE_LABEL_STATUSES, ManifestCandidate, _manifest_refusal
from app.domain.fulfilment import LIVE_LABEL_STATUSES, LabelStatus
from app.store import models_fulfilment, shipping_repo


def test_every_postage_set_is_the_unique_index_set() -> None:
    indexed = set(models_fulfilment.LIVE_LABEL_STATUSES)
    assert {str(s) for s in LIVE_LABEL_STATUSES} == indexed
    assert {str(s) for s in USABLE_LABEL_STATUSES} == indexed
    assert set(shipping_repo._POSTAGE_STATUSES) == indexed
    assert set(shipping_repo._MANIFESTABLE) == {"live"}


def test_refund_rejected_is_no_label_status() -> None:
    assert "refund_rejected" not in {s.value for s in LabelStatus}


def test_only_a_live_label_goes_on_a_scan_form() -> None:
    day = date(2026, 11, 25)

    def refusal(status: str) -> str | None:
        label = ManifestCandidate(1, "shp_1", "desk", status, datetime(2026, 11, 25, tzinfo=UTC))
        return _manifest_refusal(label, day, day, None)

    assert refusal("live") is None
    assert refusal("refund_rejected") is not None
    assert refusal("refund_submitted") is not None
