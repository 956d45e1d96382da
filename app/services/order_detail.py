"""One order in full (items, recipient, labels, audit trail), and fixing its address by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from app.domain.errors import AppError, ErrorKind
from app.domain.order_numbers import order_number
from app.domain.orders import LABELLED_STATUSES, Address, Order, OrderStatus
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, utc_now
from app.services.history import AuditFilter, AuditLine, HistoryService
from app.store import Store
from app.store.address_checks_repo import AddressCheck
from app.store.shipping_repo import LabelFacts

#: Fields a label needs; USPS delivers nothing without them.
_REQUIRED = ("name", "street1", "city", "postal_code", "country")
_ADDRESS_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
    "phone",
    "email",
)


@dataclass(frozen=True, slots=True)
class OrderDetail:
    """An order as its dialog shows it."""

    order: Order
    number: str  # the source's own number (source:number when two sources share it)
    labels: tuple[LabelFacts, ...]
    audit: tuple[AuditLine, ...]

    @property
    def address_editable(self) -> bool:
        """False once a label was bought for the address (refund it first)."""
        return self.order.status not in LABELLED_STATUSES | {OrderStatus.CANCELLED}


class OrderDetailService:
    """Reads one order in full; changes its recipient (recorded in the audit log)."""

    def __init__(
        self,
        store: Store,
        history: HistoryService,
        audit: AuditLog,
        *,
        verify: Callable[[Address], AddressCheck] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        """`verify`: EasyPost address verification (PreflightService.verify), built on use."""
        self._store = store
        self._history = history
        self._audit = audit
        self._verify = verify
        self._clock = clock

    def detail(self, order_id: int) -> OrderDetail:
        """The order, its labels (newest last) and its audit trail (newest first).

        Raises:
            AppError: NOT_FOUND when there is no such order.
        """
        with self._store.transaction() as tx:
            order = tx.orders.get(order_id)
            if order is None:
                raise AppError(
                    f"Order id:{order_id} is not in the database any more.",
                    hint="Press F5 in Orders to reload the list.",
                    kind=ErrorKind.NOT_FOUND,
                )
            labels = tuple(tx.shipping.labels_for_order(order_id))
            colliding = tx.order_numbers.colliding()
        trail = tuple(self._history.audit(AuditFilter(order_id=order_id, limit=500)))
        return OrderDetail(
            order, order_number(order.source, order.external_id, colliding), labels, trail
        )

    def update_address(self, order_id: int, address: Address) -> OrderDetail:
        """Store a corrected recipient for an order without a label; recorded in the log.

        Raises:
            AppError: INVALID_INPUT (a required field is empty), CONFLICT (a label was
                bought for the old address), NOT_FOUND.
        """
        cleaned = replace(
            address,
            **{f: getattr(address, f).strip() for f in ("name", "street1", "street2", "city")},
            state=address.state.strip().upper(),
            postal_code=address.postal_code.strip(),
            country=address.country.strip().upper(),
        )
        missing = [f.replace("_", " ") for f in _REQUIRED if not getattr(cleaned, f)]
        if missing:
            raise AppError(
                f"The address needs {', '.join(missing)}.",
                hint="Fill them in; USPS delivers nothing without them.",
                kind=ErrorKind.INVALID_INPUT,
                details={"fields": missing},
            )
        if len(cleaned.country) != 2:
            raise AppError(
                f"{cleaned.country!r} is not a two-letter country code.",
                hint="Use the ISO code, e.g. US, CA, DE.",
                kind=ErrorKind.INVALID_INPUT,
                details={"field": "country"},
            )
        with self._store.transaction(write=True) as tx:
            order = tx.orders.get(order_id)
            if order is None:
                raise AppError(
                    f"Order id:{order_id} is not in the database any more.",
                    kind=ErrorKind.NOT_FOUND,
                )
            if order.status in LABELLED_STATUSES or order.status is OrderStatus.CANCELLED:
                raise AppError(
                    f"Order {order.external_id} is {order.status.value.replace('_', ' ')}: "
                    "its address cannot change now.",
                    hint="Refund its label first (Labels & batches), then fix the address "
                    "and buy a new label.",
                    kind=ErrorKind.CONFLICT,
                    details={"order_id": order_id},
                )
            tx.order_numbers.set_recipient(order_id, cleaned, self._clock())
            changed = [
                f for f in _ADDRESS_FIELDS if getattr(order.recipient, f) != getattr(cleaned, f)
            ]
            self._audit.record_in(
                tx,
                AuditAction.ORDER_ADDRESS_CHANGED,
                order_id=order_id,
                details={"fields": changed},  # which fields, never the personal data itself
            )
        return self.detail(order_id)

    def verify_address(self, order_id: int) -> AddressCheck:
        """Ask EasyPost (or the cache) whether the order's address is deliverable."""
        if self._verify is None:
            raise AppError(
                "Address verification is not available here.",
                hint="Set up EasyPost first.",
                kind=ErrorKind.AUTH,
            )
        with self._store.transaction() as tx:
            order = tx.orders.get(order_id)
        if order is None:
            raise AppError(f"Order id:{order_id} is gone.", kind=ErrorKind.NOT_FOUND)
        return self._verify(order.recipient)
