"""The fault suite's one promise, checked exactly: EasyPost's ledger and the database agree.

Every label the sandbox sold is either recorded as a label, or a journal row that is refunded
(with the refund in the ledger and the reason in the row), or, before it is settled, an
`unrecorded` row holding its shipment, tracking number and cost. Nothing else is in the
database, and no order holds two live labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from app.domain.fulfilment import LIVE_LABEL_STATUSES, PurchaseState
from app.store import Store


def _purchases(ledger: Sequence[dict[str, object]]) -> dict[str, dict[str, object]]:
    return {str(e["shipment_id"]): e for e in ledger if e.get("event") == "purchase"}


def _refunds(ledger: Sequence[dict[str, object]]) -> set[str]:
    return {str(e["shipment_id"]) for e in ledger if e.get("event") == "refund_submitted"}


def assert_ledger_agrees(
    store: Store, ledger: Sequence[dict[str, object]], *, settled: bool = True
) -> dict[str, int]:
    """Raise AssertionError on any disagreement; return the counts for the report.

    `settled`: no `unrecorded` row may remain (every label recorded or refunded).
    """
    sold = _purchases(ledger)
    refunds = _refunds(ledger)
    with store.transaction() as tx:
        labels = tx.labels.list()
        rows = tx.purchases.all()
    recorded = {label.shipment_id: label.tracking_code for label in labels}
    refunded_rows = {p.shipment_id: p for p in rows if p.state is PurchaseState.REFUNDED}
    unrecorded_rows = {p.shipment_id: p for p in rows if p.state is PurchaseState.UNRECORDED}
    # Nothing in the database that EasyPost did not sell.
    assert set(recorded) <= set(sold), set(recorded) - set(sold)
    assert set(refunded_rows) <= set(sold)
    assert set(unrecorded_rows) <= set(sold)
    # Every label sold is accounted for exactly once.
    accounted = [*recorded, *refunded_rows, *unrecorded_rows]
    assert len(accounted) == len(set(accounted)), "a label is accounted for twice"
    missing = set(sold) - set(accounted)
    assert not missing, f"labels sold but neither recorded nor refunded: {sorted(missing)}"
    for shipment_id, tracking in recorded.items():
        assert str(sold[shipment_id]["tracking_code"]) == tracking
    for shipment_id, row in refunded_rows.items():
        assert shipment_id in refunds, f"{shipment_id} marked refunded, no refund at EasyPost"
        assert row.error and "refunded" in row.error, "a refund without its reason"
        assert row.tracking_code == str(sold[shipment_id]["tracking_code"])
        assert row.amount_usd == Decimal(str(sold[shipment_id]["amount"]))
    for shipment_id, row in unrecorded_rows.items():
        assert row.tracking_code == str(sold[shipment_id]["tracking_code"])
        assert row.amount_usd == Decimal(str(sold[shipment_id]["amount"]))
    if settled:
        assert not unrecorded_rows, f"still unrecorded: {sorted(unrecorded_rows)}"
    live = [label.order_id for label in labels if label.status in LIVE_LABEL_STATUSES]
    assert len(live) == len(set(live)), "an order holds two live labels"
    return {
        "sold": len(sold),
        "recorded": len(recorded),
        "refunded": len(refunded_rows),
        "unrecorded": len(unrecorded_rows),
    }
