"""Rules for bought labels: refund eligibility, SCAN form grouping, tracking statuses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.fulfilment import LIVE_LABEL_STATUSES, LabelStatus

#: USPS refunds unused labels for 30 days after purchase (EasyPost docs/refunds).
REFUND_WINDOW_DAYS = 30
#: USPS practice (Ordoro, Walmart SWW): at most 200 pieces per SCAN form; several forms a day.
SCAN_FORM_MAX_PIECES = 200
#: Tracker statuses that mean USPS has not had the parcel in hand yet.
UNMOVED_TRACKING_STATUSES = frozenset({"", "unknown", "pre_transit", "error"})
#: The tracker status that ends a label's journey.
DELIVERED = "delivered"


#: Label statuses whose postage is still (or may still be) valid: those of the live-label
#: unique index. A rejected refund leaves the label valid, so it stays LIVE (refund_status
#: "rejected").
USABLE_LABEL_STATUSES = LIVE_LABEL_STATUSES


@dataclass(frozen=True, slots=True)
class RefundFacts:
    """What decides whether a label may be refunded."""

    status: str
    bought_at: datetime
    tracking_status: str = ""
    first_scan_at: datetime | None = None
    scan_form_ref: str = ""  # the SCAN form it is on (our id or EasyPost's), "" when none


def refund_refusal(facts: RefundFacts, now: datetime) -> str | None:
    """Why `facts`' label cannot be refunded now, in words a packer understands, or None."""
    if facts.status == LabelStatus.REFUNDED:
        return "it is already refunded"
    if facts.status == LabelStatus.REFUND_SUBMITTED:
        return "a refund is already submitted (USPS takes up to 15 days to decide)"
    if facts.scan_form_ref:
        return (
            f"it is on SCAN form {facts.scan_form_ref}: the post office counts every piece on a "
            "form as handed over, so USPS refuses the refund"
        )
    if facts.first_scan_at is not None or facts.tracking_status not in UNMOVED_TRACKING_STATUSES:
        shown = facts.tracking_status or "scanned"
        return f"USPS has already scanned it (tracking: {shown}): used labels are not refunded"
    age = now - facts.bought_at
    if age > timedelta(days=REFUND_WINDOW_DAYS):
        return (
            f"it was bought {age.days} days ago; USPS refunds unused labels only within "
            f"{REFUND_WINDOW_DAYS} days"
        )
    return None


def refund_days_left(bought_at: datetime, now: datetime) -> int:
    """Whole days left to ask for a refund (negative once the window closed)."""
    return REFUND_WINDOW_DAYS - (now - bought_at).days


@dataclass(frozen=True, slots=True)
class ManifestCandidate:
    """A label that might go on a SCAN form."""

    label_id: int
    shipment_id: str
    from_address_key: str
    status: str
    bought_at: datetime
    scan_form_ref: str = ""


@dataclass(frozen=True, slots=True)
class ManifestPlan:
    """Forms to create (label ids per form, one from-address each) and labels left out, why."""

    forms: tuple[tuple[str, tuple[ManifestCandidate, ...]], ...]
    excluded: tuple[tuple[ManifestCandidate, str], ...]


def plan_scan_forms(
    candidates: Iterable[ManifestCandidate],
    form_day: date,
    *,
    day_of: Callable[[datetime], date],
    from_address_key: str | None = None,
    max_pieces: int = SCAN_FORM_MAX_PIECES,
) -> ManifestPlan:
    """Split labels into SCAN forms following EasyPost's and USPS's rules.

    A label goes on a form only when it is live, on no other form, and dated `form_day` (its
    label date: `day_of(bought_at)`, the desk's local day, as the post office counts days);
    one form holds one from-address and at most `max_pieces` labels.
    """
    by_origin: dict[str, list[ManifestCandidate]] = {}
    excluded: list[tuple[ManifestCandidate, str]] = []
    for label in candidates:
        reason = _manifest_refusal(label, form_day, day_of(label.bought_at), from_address_key)
        if reason:
            excluded.append((label, reason))
        else:
            by_origin.setdefault(label.from_address_key, []).append(label)
    forms: list[tuple[str, tuple[ManifestCandidate, ...]]] = []
    for origin in sorted(by_origin):
        labels = sorted(by_origin[origin], key=lambda c: c.label_id)
        forms.extend(
            (origin, tuple(labels[i : i + max_pieces])) for i in range(0, len(labels), max_pieces)
        )
    return ManifestPlan(tuple(forms), tuple(excluded))


def _manifest_refusal(
    label: ManifestCandidate, form_day: date, label_day: date, from_address_key: str | None
) -> str | None:
    if label.status != LabelStatus.LIVE:
        return f"it is {label.status.replace('_', ' ')}: refunded labels cannot go on a form"
    if label.scan_form_ref:
        return f"it is already on SCAN form {label.scan_form_ref} (a label goes on one form only)"
    if label_day != form_day:
        return (
            f"its label date {label_day.isoformat()} is not today "
            f"({form_day.isoformat()}): USPS takes only today's labels on a form"
        )
    if from_address_key is not None and label.from_address_key != from_address_key:
        return "it ships from another address"
    return None
