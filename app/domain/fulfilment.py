"""States of batches, the purchase journal and labels (the fulfilment schema's vocabulary)."""

from __future__ import annotations

from enum import StrEnum


class BatchStatus(StrEnum):
    """Where a buy run is."""

    OPEN = "open"  # created, nothing bought yet
    BUYING = "buying"
    DONE = "done"  # every order bought, blocked or failed
    CANCELLED = "cancelled"  # stopped by the user; the same buy again resumes it


class PurchaseState(StrEnum):
    """One journal row's state; OPEN_STATES may still turn into a label."""

    INTENT = "intent"  # committed before any call: order, reference
    CREATED = "created"  # the shipment exists at EasyPost: shipment id and chosen rate known
    BUYING = "buying"  # the buy call was issued; its answer is not recorded yet
    BOUGHT = "bought"
    FAILED = "failed"  # EasyPost refused; nothing was bought
    UNKNOWN = "unknown"  # the answer was lost: reconcile with EasyPost before any retry
    ABANDONED = "abandoned"  # never bought and given up (e.g. superseded by a later run)
    #: Bought at EasyPost, but the database would not take it as a live label (tracking number
    #: already stored, disk full, ...): kept with shipment, tracking and cost until recorded or
    #: refunded (app.domain.purchase_journal).
    UNRECORDED = "unrecorded"
    REFUNDED = "refunded"  # an unrecordable label refunded automatically (the reason is kept)

    @property
    def is_open(self) -> bool:
        return self in OPEN_PURCHASE_STATES


OPEN_PURCHASE_STATES = frozenset(
    {
        PurchaseState.INTENT,
        PurchaseState.CREATED,
        PurchaseState.BUYING,
        PurchaseState.UNKNOWN,
        PurchaseState.UNRECORDED,
    }
)


class LabelStatus(StrEnum):
    """A bought label's money state; LIVE_LABEL_STATUSES still count as the order's postage.

    A rejected refund keeps the label LIVE (its `refund_status` says "rejected"): the postage
    is still valid, stays under the one-live-label-per-order index and may go on a SCAN form.
    There is no "refund_rejected" status (an old schema comment named one; nothing ever
    wrote it, and nothing may rely on it).
    """

    LIVE = "live"
    REFUND_SUBMITTED = "refund_submitted"
    REFUNDED = "refunded"


LIVE_LABEL_STATUSES = frozenset({LabelStatus.LIVE, LabelStatus.REFUND_SUBMITTED})
