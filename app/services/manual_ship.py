"""Mark orders shipped by hand: parcels without tracking or without a Packdesk label."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import OrderStatus
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, utc_now
from app.services.orders import OrderService
from app.store import Store

#: Orders that cannot be shipped by hand: a cancelled order has nothing to send.
_REFUSED = frozenset({OrderStatus.CANCELLED.value})
_DONE = frozenset({OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value})


@dataclass(frozen=True, slots=True)
class ManualShipReport:
    """Which orders were marked shipped now, and which already were."""

    shipped: tuple[int, ...]
    already: tuple[int, ...]

    def to_json(self) -> dict[str, object]:
        return {"shipped": list(self.shipped), "already_shipped": list(self.already)}


class ManualShipService:
    """One use case for the CLI `ship` command and the Orders panel's "Mark shipped"."""

    def __init__(
        self,
        store: Store,
        audit: AuditLog,
        *,
        clock: Clock = utc_now,
        on_shipped: Callable[[Sequence[int]], object] | None = None,
    ) -> None:
        self._store = store
        self._audit = audit
        self._clock = clock
        self._on_shipped = on_shipped

    def ship(self, refs: Sequence[str], *, note: str = "") -> ManualShipReport:
        """Mark the orders shipped (audited, with the note); all or nothing.

        Raises:
            AppError: NOT_FOUND for an unknown order; INVALID_INPUT for a cancelled one.
        """
        if not refs:
            raise AppError("Name the orders to mark shipped.", hint="Pass --order N (repeat).")
        shipped: list[int] = []
        already: list[int] = []
        with self._store.transaction(write=True) as tx:
            ids = OrderService._resolve(tx, refs)
            rows = tx.orders.status_rows(order_ids=ids)
            cancelled = [row.order_id for row in rows if row.status in _REFUSED]
            if cancelled:
                raise AppError(
                    f"Cancelled orders cannot be shipped: {', '.join(map(str, cancelled))}.",
                    hint="Nothing was changed. Leave them out, or release them first.",
                    kind=ErrorKind.INVALID_INPUT,
                    details={"orders": cancelled},
                )
            now = self._clock()
            station = self._audit.station
            for row in rows:
                if row.status in _DONE or not tx.shipping.mark_shipped(row.order_id, now, station):
                    already.append(row.order_id)
                    continue
                label = tx.labels.live_for_order(row.order_id)
                self._audit.record_in(
                    tx,
                    AuditAction.ORDER_SHIPPED,
                    order_id=row.order_id,
                    label_id=label.id if label else None,
                    details={
                        "manual": True,
                        "note": note,
                        "tracking_code": label.tracking_code if label else None,
                        "station": station,
                    },
                )
                shipped.append(row.order_id)
        if shipped and self._on_shipped is not None:
            self._on_shipped(shipped)
        return ManualShipReport(tuple(shipped), tuple(already))
