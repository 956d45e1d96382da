"""Several desks buying one selection: claim its orders a few at a time, as the pipeline needs them.

Claiming a whole selection up front handed it all to whichever desk started first: three desks
buying the same groups got one desk doing everything and two idle. The gate claims the next
`chunk` orders only when the pipeline has room for them, so desks working one selection share
it as they go; orders another desk holds are reported as taken and passed over at once.

Orders with an open journal row are claimed and reconciled before the run (PurchaseService);
an order claimed later that turns out to hold an open row (a desk stopped meanwhile) is not
bought in this run but reported unsettled, so the next run reconciles it first; an order that
another desk bought meanwhile is skipped like any labelled order.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence

from app.services.order_claims import OrderClaims, TakenOrder
from app.store import Store

#: Orders claimed in one go: a few pipeline slots (smaller = fairer tails, more claim calls).
CLAIM_CHUNK = 8


class ClaimGate:
    """Decides, order by order in pipeline order, whether this desk buys it (thread-safe)."""

    def __init__(
        self,
        store: Store,
        claims: OrderClaims,
        *,
        claimed: Collection[int] = (),
        taken: Sequence[TakenOrder] = (),
        chunk: int = CLAIM_CHUNK,
    ) -> None:
        self._store = store
        self._claims = claims
        self._chunk = max(1, chunk)
        self._lock = threading.Lock()
        #: Order id -> True (this desk buys it) or False (passed over); absent = not asked yet.
        self._decided: dict[int, bool] = dict.fromkeys(claimed, True)
        self._decided.update((t.order_id, False) for t in taken)
        self.claimed_first = frozenset(claimed)
        self.taken: list[TakenOrder] = list(taken)
        #: Orders another desk bought while this run went on.
        self.skipped: list[int] = []
        #: Orders claimed late that hold an open journal row (reconciled by the next run).
        self.unsettled: list[int] = []

    def admits(self, order_ids: Sequence[int], index: int) -> bool:
        """True when this desk is to buy `order_ids[index]` (claiming the next few if needed).

        Raises:
            AppError: DATABASE when the claims cannot be written.
        """
        order_id = order_ids[index]
        with self._lock:
            if order_id not in self._decided:
                self._claim_from(order_ids, index)
            return self._decided[order_id]

    def _claim_from(self, order_ids: Sequence[int], index: int) -> None:
        wanted = [o for o in order_ids[index:] if o not in self._decided][: self._chunk]
        outcome = self._claims.claim(wanted)
        for taken in outcome.taken:
            self._decided[taken.order_id] = False
            self.taken.append(taken)
        claimed = [o for o in wanted if o in outcome.claimed]
        if claimed:
            with self._store.transaction() as tx:
                live = tx.labels.live_order_ids(claimed)
                open_rows = {
                    p.order_id for p in tx.purchases.for_orders(claimed) if p.state.is_open
                }
        else:
            live, open_rows = set(), set()
        for order_id in claimed:
            if order_id in live:
                self.skipped.append(order_id)
            elif order_id in open_rows:
                self.unsettled.append(order_id)
            self._decided[order_id] = order_id not in live and order_id not in open_rows
        for order_id in wanted:  # an answer for every order asked, whatever happened
            self._decided.setdefault(order_id, False)
