"""Relabel: an order whose address changed after its label was bought gets its label refunded
and a new one bought, as one action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.order_freeze import changed_fields, needs_relabel
from app.domain.orders import Address
from app.services.audit import AuditAction, AuditLog
from app.services.buy_plan import Selection
from app.services.clock import Clock, utc_now
from app.services.purchase import BuyResult, LabelInfo, PurchaseService
from app.services.refunds import RefundService
from app.store import Store
from app.store.address_checks_repo import AddressCheck


@dataclass(frozen=True, slots=True)
class RelabelNeed:
    """A live label bought for another address than its order's current one."""

    order_id: int
    external_id: str
    label_id: int
    tracking_code: str
    changed: tuple[str, ...]  # the address fields that differ


@dataclass(frozen=True, slots=True)
class RelabelResult:
    """What a relabel did: the old label's refund, and the new label (None: not bought)."""

    order_id: int
    old_label_id: int
    old_tracking_code: str
    refund_status: str
    new_label: LabelInfo | None
    buy: BuyResult | None
    problem: str = ""


class AddressVerifier(Protocol):
    """What a relabel needs of app.services.preflight.PreflightService."""

    def verify(self, address: Address) -> AddressCheck: ...


class RelabelService:
    """Finds orders that need a relabel and relabels them.

    `refunds` and `purchases` are built on first use: listing what needs a relabel needs no
    EasyPost key.
    """

    def __init__(
        self,
        store: Store,
        refunds: Callable[[], RefundService],
        purchases: Callable[[], PurchaseService],
        audit: AuditLog,
        clock: Clock = utc_now,
        *,
        verifier: Callable[[], AddressVerifier] | None = None,
    ) -> None:
        self._store = store
        self._refunds = refunds
        self._purchases = purchases
        self._audit = audit
        self._clock = clock
        self._verifier = verifier

    def needing_relabel(self, order_ids: list[int] | None = None) -> dict[int, RelabelNeed]:
        """Order id -> its need, for every order (or those of `order_ids`) that needs one.

        One SQL pass finds the labels whose stored address differs at all from their order's;
        the domain rule (case and spacing do not count) decides on those few.
        """
        with self._store.transaction() as tx:
            candidates = tx.labels.address_mismatches(order_ids)
        needs: dict[int, RelabelNeed] = {}
        for found in candidates:
            current = Address(**found.order_address)
            if not needs_relabel(found.to_address, current):
                continue
            needs[found.order_id] = RelabelNeed(
                found.order_id,
                found.external_id,
                found.label_id,
                found.tracking_code,
                changed_fields(found.to_address, current),
            )
        return needs

    def relabel(self, order_id: int, *, verify_addresses: bool = True) -> RelabelResult:
        """Refund the order's live label and buy a new one for its current address.

        The new label is bought only once the refund is asked (submitted or refunded); the old
        label is then superseded, so it no longer counts as the order's postage.

        Raises:
            AppError: NOT_FOUND (no live label), CONFLICT (the label was bought for the current
                address: nothing to do), or the refund's own error.
        """
        need = self.needing_relabel([order_id]).get(order_id)
        if need is None:
            with self._store.transaction() as tx:
                live = tx.labels.live_for_order(order_id)
            if live is None:
                raise AppError(
                    f"Order {order_id} has no live label to relabel.",
                    hint="Buy its label with `packdesk-cli buy --order ID --yes`.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"order_id": order_id},
                )
            raise AppError(
                f"Order {order_id}'s label {live.tracking_code} was bought for its current "
                "address: nothing to relabel.",
                hint="To cancel the label instead, use `packdesk-cli refund --order ID --yes`.",
                kind=ErrorKind.CONFLICT,
                details={"order_id": order_id},
            )
        with self._store.transaction() as tx:
            old = tx.labels.get(need.label_id)
            order = tx.orders.get(order_id)
        assert old is not None and order is not None
        if verify_addresses and self._verifier is not None:
            # Before the refund: a new address EasyPost rejects would leave the order with
            # its old label refunded and no new one.
            check = self._verifier().verify(order.recipient)
            if not check.verified:
                raise AppError(
                    f"Order {order_id}'s new address does not verify: {check.message}. "
                    "Nothing was refunded.",
                    hint="Correct the order's address, then relabel it again.",
                    kind=ErrorKind.INVALID_INPUT,
                    details={"order_id": order_id},
                )
        refunds = self._refunds()
        line = refunds.refund(refunds.labels(label_ids=[need.label_id])).lines[0]
        if line.status not in ("submitted", "refunded"):
            return RelabelResult(
                order_id,
                old.id,
                old.tracking_code,
                line.status,
                None,
                None,
                f"the old label's refund was {line.status}: {line.reason}; nothing was bought",
            )
        now = self._clock()
        with self._store.transaction(write=True) as tx:
            tx.labels.update(old.id, superseded_at=now)
            # A submitted refund leaves the order labelled; the old label no longer counts.
            tx.shipping.release_order(order_id, now)
            self._audit.record_in(
                tx,
                AuditAction.LABEL_SUPERSEDED,
                order_id=order_id,
                label_id=old.id,
                details={"tracking_code": old.tracking_code, "changed": list(need.changed)},
            )
        result = self._purchases().buy(
            Selection(order_ids=(order_id,), service=old.service),
            verify_addresses=verify_addresses,
        )
        new = next((label for label in result.bought if label.order_id == order_id), None)
        problem = ""
        if new is None:
            reasons = [b.reason for b in result.blocked if b.order_id == order_id]
            not_bought = (*result.failed, *result.unknown)
            reasons += [f.reason for f in not_bought if f.order_id == order_id]
            problem = (
                f"the old label's refund was asked, but no new label was bought: "
                f"{'; '.join(reasons) or 'see the buy report'}; the order is ready to buy again"
            )
        return RelabelResult(order_id, old.id, old.tracking_code, line.status, new, result, problem)
