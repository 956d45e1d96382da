"""The purchase journal's money rules: its states, the allowed transitions, and the decisions.

One row per attempt to buy one order's label. The rules a reader must know:

- A row is written (`intent`) before any call, `created` once the shipment exists, `buying`
  before the buy call is sent; a lost answer makes it `unknown`.
- A label EasyPost sold is never dropped: if the database cannot record it as a live label, the
  row becomes `unrecorded` (shipment, tracking number and cost kept) and stays open, so the order
  is never bought again while it exists. Each run settles it: recorded when possible, refunded
  automatically (with the reason) when it can never be recorded.
- A row a buy was sent for is never given up before ABANDON_AFTER has passed since that buy:
  EasyPost may still complete it.
- `bought`, `failed`, `abandoned` and `refunded` are final.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.fulfilment import OPEN_PURCHASE_STATES, PurchaseState

S = PurchaseState

#: A row that reached `buying` is given up only when a look-up this long after its last buy
#: step finds nothing bought (a buy whose answer was lost may still complete at EasyPost).
ABANDON_AFTER = timedelta(minutes=10)

#: Journal states in which a buy call was (or may have been) sent.
BUY_SENT = frozenset({S.BUYING, S.UNKNOWN})

#: Final states: no transition leaves them.
FINAL_STATES = frozenset({S.BOUGHT, S.FAILED, S.ABANDONED, S.REFUNDED})

#: Every allowed change of state (a row may also stay in an open state while its fields change).
TRANSITIONS: Mapping[PurchaseState, frozenset[PurchaseState]] = {
    # No shipment yet. Found bought by reference (id lost): recorded. Create refused: failed.
    S.INTENT: frozenset({S.CREATED, S.FAILED, S.ABANDONED, S.BOUGHT, S.UNRECORDED}),
    # Shipment exists unbought: buy it, or give it up (no buy was ever sent).
    S.CREATED: frozenset({S.BUYING, S.ABANDONED, S.BOUGHT, S.UNRECORDED}),
    # The buy call was sent.
    S.BUYING: frozenset({S.BOUGHT, S.FAILED, S.UNKNOWN, S.UNRECORDED, S.ABANDONED}),
    # The answer was lost: reconcile; resume the same shipment; abandon only after a safe wait.
    S.UNKNOWN: frozenset({S.BOUGHT, S.BUYING, S.FAILED, S.ABANDONED, S.UNRECORDED}),
    # Bought but not recordable as a live label: recorded later, or refunded.
    S.UNRECORDED: frozenset({S.BOUGHT, S.REFUNDED}),
    S.BOUGHT: frozenset(),
    S.FAILED: frozenset(),
    S.ABANDONED: frozenset(),
    S.REFUNDED: frozenset(),
}


def can_transition(current: PurchaseState, new: PurchaseState) -> bool:
    """True when the journal may go from `current` to `new` (staying put: open states only)."""
    if current == new:
        return current in OPEN_PURCHASE_STATES
    return new in TRANSITIONS[current]


def blocks_new_purchase(state: PurchaseState) -> bool:
    """An order with a row in this state must not be bought again (one open row per order)."""
    return state in OPEN_PURCHASE_STATES


# -- reconcile: what a look-up at EasyPost says about an open row ----------------------------


class Lookup(StrEnum):
    """What EasyPost said about an open row's shipment."""

    UNREACHABLE = "unreachable"  # could not ask (network, 5xx): nothing is known
    BOUGHT = "bought"  # a label exists for it
    UNBOUGHT = "unbought"  # the shipment exists, no label
    NOT_FOUND = "not_found"  # no shipment carries its reference


class Step(StrEnum):
    """What to do with a journal row."""

    KEEP = "keep"  # leave it open as it is; look again on the next run
    RECORD = "record"  # record the label EasyPost sold
    RESUME = "resume"  # buy that same shipment (never another one)
    WAIT = "wait"  # a buy was sent: stay open (`unknown`) until it is safe to give up
    ABANDON = "abandon"  # close it: no label exists and none can appear
    REFUND = "refund"  # refund the label: it can never be recorded


@dataclass(frozen=True, slots=True)
class Decision:
    """A step, the state the row goes to (None: unchanged), and why."""

    step: Step
    state: PurchaseState | None = None
    reason: str = ""


def reconcile(state: PurchaseState, lookup: Lookup, *, has_shipment: bool) -> Decision:
    """An open row after a look-up: record what was bought, resume what exists, drop the rest."""
    if state not in OPEN_PURCHASE_STATES or state is S.UNRECORDED:
        raise ValueError(f"reconcile() is for rows that may still be bought, not {state}")
    if lookup is Lookup.UNREACHABLE:
        return Decision(Step.KEEP)
    if lookup is Lookup.BOUGHT:
        return Decision(Step.RECORD, S.BOUGHT)
    if lookup is Lookup.UNBOUGHT and has_shipment:
        # A buy was sent: keep the row `unknown` (and the time of that buy) so it is never
        # taken for one that no buy reached.
        return Decision(Step.RESUME, S.UNKNOWN if state in BUY_SENT else S.CREATED)
    if state in BUY_SENT:
        # A buy was sent yet nothing is found: EasyPost may still complete it. Look again later.
        return Decision(Step.KEEP)
    return Decision(Step.ABANDON, S.ABANDONED, "no purchase found at EasyPost")


def set_aside(state: PurchaseState, last_step_at: datetime, now: datetime, reason: str) -> Decision:
    """An open row whose shipment is not to be bought now (blocked, service changed).

    Never reached `buying`: abandoned at once. Reached it: abandoned only ABANDON_AFTER past
    its last buy step; until then it WAITs as `unknown`, so the order is not freed while
    EasyPost may still complete the buy.
    """
    if state in BUY_SENT and now - last_step_at < ABANDON_AFTER:
        return Decision(
            Step.WAIT,
            S.UNKNOWN,
            f"{reason}; a buy was sent, so the row stays open until it is settled",
        )
    return Decision(Step.ABANDON, S.ABANDONED, reason)


def resume(existing_service: str | None, wanted_service: str | None) -> Decision:
    """A row whose shipment exists unbought, and the service the selection asks for now."""
    wanted = wanted_service or ""
    if wanted and wanted.lower() != "cheapest" and existing_service not in (None, wanted):
        return Decision(Step.ABANDON, reason=f"service changed from {existing_service} to {wanted}")
    return Decision(Step.RESUME)


# -- a label EasyPost sold that the database will not take -----------------------------------


class RecordFailure(StrEnum):
    """Why a bought label could not be recorded as the order's live label."""

    ORDER_HAS_LABEL = "order_has_label"  # another live label holds the order
    TRACKING_TAKEN = "tracking_taken"  # the tracking number is stored (sandbox reset)
    STORAGE = "storage"  # disk full, read-only, locked, any database error


#: Failures that recording again can never cure: the label is refunded.
PERMANENT_FAILURES = frozenset({RecordFailure.ORDER_HAS_LABEL, RecordFailure.TRACKING_TAKEN})


def unrecordable(failure: RecordFailure, detail: str) -> Decision:
    """A bought label the database refused: keep it in the journal, never drop it."""
    return Decision(Step.KEEP, S.UNRECORDED, f"{failure.value}: {detail}")


def settle_unrecorded(failure: RecordFailure | None, detail: str = "") -> Decision:
    """An `unrecorded` row after trying to record it again (None: it was recorded)."""
    if failure is None:
        return Decision(Step.RECORD, S.BOUGHT)
    if failure in PERMANENT_FAILURES:
        return Decision(Step.REFUND, S.REFUNDED, f"refunded: {failure.value}: {detail}")
    # Storage trouble may pass (space freed, file writable again): try again on the next run.
    return Decision(Step.KEEP, None, f"{failure.value}: {detail}")


def unrecorded_outlook(state: PurchaseState, reason: str | None) -> str:
    """What happens to a bought label the database could not record, in the packer's words."""
    if state is S.REFUNDED:
        return "Refunded: it could never be recorded (nothing to print or ship)."
    failure = (reason or "").split(":", 1)[0]
    if failure in {f.value for f in PERMANENT_FAILURES}:
        return "The next buy refunds it: the order already has its label."
    return (
        "Kept and paid for: the next buy records it (then it prints as usual); "
        "the order is not bought again."
    )
