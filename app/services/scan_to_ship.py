"""Scan to ship: a label's (or packing slip's) barcode marks its order shipped, once."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from app.domain.after_labels import USABLE_LABEL_STATUSES
from app.domain.fulfilment import LabelStatus
from app.domain.orders import OrderStatus
from app.domain.tracking import ScanKind, ScanResult, parse_scan, tracking_lookup_keys
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.shipping_repo import LabelFacts, OrderShipState, ShippingRepository


class ScanStatus(StrEnum):
    """What a scan did."""

    SHIPPED = "shipped"
    ALREADY_SHIPPED = "already_shipped"
    UNKNOWN = "unknown"  # a well-formed code that matches nothing here
    INVALID = "invalid"  # not a usable barcode (check digit, length, other carrier)
    REFUNDED = "refunded"  # the label was refunded (or a refund is pending): do not ship it
    NO_LABEL = "no_label"  # an order barcode whose order holds no label


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """The answer to one scan, for the CLI's --json and the scan station."""

    status: ScanStatus
    message: str
    code: str
    order: str = ""  # the order's external id
    order_id: int | None = None
    tracking_code: str = ""
    label_id: int | None = None
    shipped_at: datetime | None = None
    station: str = ""
    kind: str = ""  # what the code was read as (tracking, s10, order, invalid)

    @property
    def ok(self) -> bool:
        """True when the parcel may go on the truck (shipped now or before)."""
        return self.status in (ScanStatus.SHIPPED, ScanStatus.ALREADY_SHIPPED)

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["status"] = self.status.value
        data["shipped_at"] = self.shipped_at.isoformat() if self.shipped_at else None
        return data


class ScanToShipService:
    """Turns a scanner's input into a shipped order (CLI `scan` and the GUI's scan station)."""

    def __init__(
        self, store: Store, audit: AuditLog, *, station: str | None = None, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._audit = audit
        self._station = station or audit.station
        self._clock = clock

    def scan(self, raw: str, *, station: str | None = None) -> ScanOutcome:
        """Mark the order behind `raw` shipped (time and station), or say plainly why not."""
        where = station or self._station
        parsed = parse_scan(raw)
        shown = raw.strip().replace("\x1d", "<GS>")[:80]
        if not parsed.ok:
            return ScanOutcome(
                ScanStatus.INVALID,
                f"Not a usable barcode: {parsed.reason}.",
                shown,
                kind=parsed.kind.value,
            )
        with self._store.transaction(write=True) as tx:
            if parsed.kind is ScanKind.ORDER:
                label, order, missing = self._find_by_order(tx.shipping, parsed)
                if missing:
                    return ScanOutcome(ScanStatus.UNKNOWN, missing, shown, kind=parsed.kind.value)
            else:
                label = tx.shipping.label_by_tracking(tracking_lookup_keys(parsed.tracking_code))
                order = None
                if label is None:
                    return ScanOutcome(
                        ScanStatus.UNKNOWN,
                        f"No label with tracking number {parsed.tracking_code} was bought here.",
                        shown,
                        tracking_code=parsed.tracking_code,
                        kind=parsed.kind.value,
                    )
            if label is None:
                assert order is not None
                return self._no_label(order, shown, parsed)
            refused = self._refused(tx.shipping, label, shown, parsed)
            if refused is not None:
                return refused
            if label.shipped_at is not None:
                return self._already(label, shown, parsed)
            now = self._clock()
            if not tx.shipping.mark_shipped(label.order_id, now, where):
                return self._already(label, shown, parsed)  # pragma: no cover - raced
            self._audit.record_in(
                tx,
                AuditAction.ORDER_SHIPPED,
                order_id=label.order_id,
                label_id=label.label_id,
                batch_id=label.batch_id,
                details={"tracking_code": label.tracking_code, "scanned": shown, "station": where},
            )
        return ScanOutcome(
            ScanStatus.SHIPPED,
            f"Order {label.order_external_id} shipped ({label.tracking_code}).",
            shown,
            order=label.order_external_id,
            order_id=label.order_id,
            tracking_code=label.tracking_code,
            label_id=label.label_id,
            shipped_at=now,
            station=where,
            kind=parsed.kind.value,
        )

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _find_by_order(
        shipping: ShippingRepository, parsed: ScanResult
    ) -> tuple[LabelFacts | None, OrderShipState | None, str]:
        ref = parsed.order_ref
        orders: list[OrderShipState]
        if parsed.order_ref_external:
            # Shopify names keep their "#"; other platforms' ids are stored without one.
            orders = shipping.orders_by_external_id({ref, ref.lstrip("#")})
        else:
            found = shipping.order_by_id(int(ref)) if ref.isdigit() else None
            orders = [found] if found else shipping.orders_by_external_id({ref})
        if not orders:
            return None, None, f"No order {ref} is known here (packing-slip barcode)."
        if len(orders) > 1:
            ids = ", ".join(str(o.order_id) for o in orders)
            return (
                None,
                None,
                f"Order {ref} is ambiguous: it matches orders {ids} from different sources; "
                "scan the label instead.",
            )
        order = orders[0]
        labels = shipping.labels_for_order(order.order_id)
        usable = [f for f in labels if f.status in USABLE_LABEL_STATUSES]
        chosen = usable[0] if usable else (labels[0] if labels else None)
        return chosen, order, ""

    def _no_label(self, order: OrderShipState, shown: str, parsed: ScanResult) -> ScanOutcome:
        if order.shipped_at is not None:
            return ScanOutcome(
                ScanStatus.ALREADY_SHIPPED,
                f"Order {order.external_id} was already shipped "
                f"{_when(order.shipped_at, order.shipped_station)}.",
                shown,
                order=order.external_id,
                order_id=order.order_id,
                shipped_at=order.shipped_at,
                station=order.shipped_station or "",
                kind=parsed.kind.value,
            )
        return ScanOutcome(
            ScanStatus.NO_LABEL,
            f"Order {order.external_id} has no label yet ({order.status}): buy one first.",
            shown,
            order=order.external_id,
            order_id=order.order_id,
            kind=parsed.kind.value,
        )

    @staticmethod
    def _refused(
        shipping: ShippingRepository, label: LabelFacts, shown: str, parsed: ScanResult
    ) -> ScanOutcome | None:
        if label.status not in (LabelStatus.REFUNDED, LabelStatus.REFUND_SUBMITTED):
            return None
        state = "refunded" if label.status == LabelStatus.REFUNDED else "being refunded"
        message = (
            f"Do not ship: label {label.tracking_code} of order {label.order_external_id} "
            f"is {state} (not valid postage)."
        )
        newer = [
            f
            for f in shipping.labels_for_order(label.order_id)
            if f.status in USABLE_LABEL_STATUSES and f.label_id != label.label_id
        ]
        if newer:
            message += f" The order has a newer label {newer[0].tracking_code}: use that one."
        return ScanOutcome(
            ScanStatus.REFUNDED,
            message,
            shown,
            order=label.order_external_id,
            order_id=label.order_id,
            tracking_code=label.tracking_code,
            label_id=label.label_id,
            kind=parsed.kind.value,
        )

    @staticmethod
    def _already(label: LabelFacts, shown: str, parsed: ScanResult) -> ScanOutcome:
        delivered = label.order_status == OrderStatus.DELIVERED
        return ScanOutcome(
            ScanStatus.ALREADY_SHIPPED,
            f"Order {label.order_external_id} was already shipped "
            f"{_when(label.shipped_at, label.shipped_station)}"
            + (" and has been delivered." if delivered else "."),
            shown,
            order=label.order_external_id,
            order_id=label.order_id,
            tracking_code=label.tracking_code,
            label_id=label.label_id,
            shipped_at=label.shipped_at,
            station=label.shipped_station or "",
            kind=parsed.kind.value,
        )


def _when(at: datetime | None, station: str | None) -> str:
    text = f"at {at:%Y-%m-%d %H:%M} UTC" if at else "before"
    return f"{text} ({station})" if station else text
