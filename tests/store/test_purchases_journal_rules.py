"""The purchase journal repository refuses every transition the domain table does not allow,
and `unrecorded` rows count as open (one per order) and in a batch's derived spend."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import PurchaseState
from app.domain.purchase_journal import TRANSITIONS, can_transition
from app.store import Store, open_store
from app.store.labels_repo import NewLabel
from tests.services.purchase_world import seed, us_order

NOW = datetime(2026, 11, 28, 9, 0)
S = PurchaseState
#: A path from `intent` to each state through allowed transitions.
PATHS: dict[PurchaseState, list[PurchaseState]] = {
    S.INTENT: [],
    S.CREATED: [S.CREATED],
    S.BUYING: [S.CREATED, S.BUYING],
    S.UNKNOWN: [S.CREATED, S.BUYING, S.UNKNOWN],
    S.UNRECORDED: [S.CREATED, S.BUYING, S.UNRECORDED],
    S.BOUGHT: [S.CREATED, S.BUYING, S.BOUGHT],
    S.FAILED: [S.FAILED],
    S.ABANDONED: [S.ABANDONED],
    S.REFUNDED: [S.CREATED, S.BUYING, S.UNRECORDED, S.REFUNDED],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = open_store(Path(tmp_path_factory.mktemp("journal")) / "j.sqlite3")
    yield opened
    opened.close()


_COUNTER = itertools.count()


def _row_in(store: Store, state: PurchaseState) -> int:
    (order_id,) = seed(store, [us_order(next(_COUNTER))])
    with store.transaction(write=True) as tx:
        batch = tx.batches.create(
            now=NOW, station="s", user="u", package_type_id=None, service_choice="", concurrency=1
        )
        row = tx.purchases.add_intent(
            order_id=order_id, batch_id=batch.id, reference=f"R-{order_id}", now=NOW
        )
        for step in PATHS[state]:
            tx.purchases.update(row.id, now=NOW, state=step)
    return row.id


@pytest.mark.parametrize(("current", "new"), list(itertools.product(list(S), list(S))))
def test_the_repository_allows_exactly_the_tables_transitions(
    store: Store, current: PurchaseState, new: PurchaseState
) -> None:
    row_id = _row_in(store, current)
    if can_transition(current, new):
        with store.transaction(write=True) as tx:
            tx.purchases.update(row_id, now=NOW, state=new, error="x")
        expected = new
    else:
        with pytest.raises(AppError) as caught, store.transaction(write=True) as tx:
            tx.purchases.update(row_id, now=NOW, state=new, error="changed")
        assert caught.value.kind is ErrorKind.INTERNAL
        assert f"{current.value} -> {new.value}" in caught.value.message
        expected = current
    with store.transaction() as tx:
        row = tx.purchases.get(row_id)
    assert row is not None and row.state is expected
    assert new in TRANSITIONS[current] or new == current or row.error != "changed"


def test_an_unrecorded_row_blocks_a_new_purchase_and_counts_in_the_batch_spend(
    store: Store,
) -> None:
    row_id = _row_in(store, S.UNRECORDED)
    with store.transaction(write=True) as tx:
        row = tx.purchases.get(row_id)
        assert row is not None
        tx.purchases.update(row_id, now=NOW, amount_usd=Decimal("7.25"), tracking_code="9400T")
        tx.labels.add(
            NewLabel(
                row.order_id,
                "shp_other",
                "9400U",
                "Priority",
                Decimal("2.50"),
                "PNG",
                NOW,
                row.batch_id,
            )
        )
    with pytest.raises(AppError) as caught, store.transaction(write=True) as tx:
        tx.purchases.add_intent(
            order_id=row.order_id, batch_id=row.batch_id, reference="again", now=NOW
        )
    assert caught.value.kind is ErrorKind.CONFLICT
    with store.transaction() as tx:
        assert tx.batches.spent(row.batch_id) == Decimal("9.75")
        (counts,) = [c for c in tx.shipping.batch_counts() if c.batch_id == row.batch_id]
    assert counts.spent_usd == Decimal("9.75") and counts.unrecorded == 1
