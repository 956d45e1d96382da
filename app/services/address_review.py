"""Address verification as EasyPost gives it (per-field errors, suggestions, corrections,
carrier verification), and "ship as entered": accepted with a recorded warning, the label
then goes to exactly the address the user chose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.postage.models import FieldError, VerifiedAddress
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, utc_now
from app.services.preflight import address_hash
from app.store import Store
from app.store.address_checks_repo import AddressCheck

#: The prefix of a cached check the user accepted as entered (pre-flight lets it through).
AS_ENTERED = "shipped as entered"


class CarrierVerifier(Protocol):
    """What the review needs of the gateway."""

    def create_address(
        self, address: Address, *, verify: bool = False, strict: bool = False, carrier: str = ""
    ) -> VerifiedAddress: ...


@dataclass(frozen=True, slots=True)
class AddressReview:
    """One order's address as entered and as EasyPost/USPS see it."""

    order_id: int
    external_id: str
    entered: Address
    verified: bool
    errors: tuple[FieldError, ...]
    corrections: tuple[tuple[str, str, str], ...]  # (field, entered, EasyPost's)
    carrier: str
    accepted_as_entered: bool = False

    def lines(self) -> list[str]:
        """The outcome in words, one line per finding."""
        if self.verified:
            head = f"verified by {self.carrier.upper() or 'EasyPost'}"
        else:
            head = f"NOT verified by {self.carrier.upper() or 'EasyPost'}"
        out = [head + (" (accepted as entered)" if self.accepted_as_entered else "")]
        for error in self.errors:
            where = error.field or "address"
            hint = f"; suggestion: {error.suggestion}" if error.suggestion else ""
            code = f" [{error.code}]" if error.code else ""
            out.append(f"{where}: {error.message}{code}{hint}")
        for field, before, after in self.corrections:
            out.append(f"{field}: {before!r} -> {after!r}")
        return out


class AddressReviewService:
    """Verify one order's address, and accept one as entered."""

    def __init__(
        self, store: Store, gateway: CarrierVerifier, audit: AuditLog, clock: Clock = utc_now
    ) -> None:
        self._store = store
        self._gateway = gateway
        self._audit = audit
        self._clock = clock

    def _order(self, order_id: int) -> tuple[str, Address]:
        with self._store.transaction() as tx:
            found = tx.orders.find(order_ids=[order_id])
        if not found:
            raise AppError(
                f"No order with id {order_id}.",
                hint="See `packdesk-cli orders list`.",
                kind=ErrorKind.NOT_FOUND,
                details={"order": order_id},
            )
        return found[0].external_id, found[0].recipient

    def review(self, order_id: int, *, carrier: str = "usps") -> AddressReview:
        """Ask EasyPost (and the carrier) about the order's address; nothing is changed."""
        external_id, entered = self._order(order_id)
        result = self._gateway.create_address(entered, verify=True, carrier=carrier)
        with self._store.transaction() as tx:
            cached = tx.address_checks.get(address_hash(entered))
        return AddressReview(
            order_id=order_id,
            external_id=external_id,
            entered=entered,
            verified=result.verified,
            errors=result.errors,
            corrections=result.corrections,
            carrier=carrier,
            accepted_as_entered=cached is not None and cached.message.startswith(AS_ENTERED),
        )

    def ship_as_entered(self, order_id: int, *, reason: str = "") -> AddressReview:
        """Accept the address exactly as entered: pre-flight passes it, the audit log keeps the
        warning (what verification said), and nothing of EasyPost's suggestion is applied."""
        review = self.review(order_id)
        findings = "; ".join(review.lines()[1:]) or "no findings"
        warning = f"{AS_ENTERED} by the user: {reason.strip() or 'no reason given'} ({findings})"
        with self._store.transaction(write=True) as tx:
            tx.address_checks.put(
                AddressCheck(address_hash(review.entered), True, warning[:500], self._clock())
            )
            self._audit.record_in(
                tx,
                AuditAction.ADDRESS_SHIPPED_AS_ENTERED,
                order_id=order_id,
                details={"verified": review.verified, "reason": reason.strip()[:200]},
            )
        return AddressReview(
            review.order_id,
            review.external_id,
            review.entered,
            review.verified,
            review.errors,
            review.corrections,
            review.carrier,
            accepted_as_entered=True,
        )
