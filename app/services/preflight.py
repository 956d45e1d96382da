"""Pre-flight: per order, everything that must hold before any money is spent on its label."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.domain.customs import missing_customs_fields
from app.domain.deadline import in_scope
from app.domain.delivery_target import is_target
from app.domain.errors import AppError
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderStatus
from app.domain.packages import PackageType
from app.domain.usps_services import check_service
from app.postage.models import VerifiedAddress
from app.services.buy_plan import CHEAPEST, Plan, PlannedOrder
from app.services.clock import Clock, utc_now
from app.services.intl_checks import international_reasons, target_reasons
from app.store import Store
from app.store.address_checks_repo import AddressCheck

#: USPS weight limits in ounces (domestic parcels and most international services: 70 lb).
MAX_PARCEL_OZ = Decimal(70 * 16)
SERVICE_LIMITS_OZ: Mapping[str, Decimal] = {
    "FirstClassPackageInternationalService": Decimal(4 * 16),
    "FirstClassMailInternational": Decimal("15.994"),
}
LETTER_LIMITS_OZ: Mapping[str, Decimal] = {"Letter": Decimal("3.5"), "Flat": Decimal(13)}
#: Machinable parcels (USPS DMM 201.7): at most 22 x 18 x 15 inches and 25 lb.
MACHINABLE_MAX_IN = (Decimal(22), Decimal(18), Decimal(15))
MACHINABLE_MAX_OZ = Decimal(25 * 16)
MAX_LENGTH_PLUS_GIRTH_IN = Decimal(130)
MEDIA_SERVICES = frozenset({"MediaMail", "LibraryMail"})
#: The reason given for an order that already holds a live label (a resumed run skips it).
ALREADY_LABELLED = "already has a live label"


class AddressVerifier(Protocol):
    """What pre-flight needs of the gateway."""

    def verify_address(self, address: Address, *, strict: bool = False) -> VerifiedAddress: ...


def address_hash(address: Address) -> str:
    """A stable key of where an address is (not who): the verification cache key."""
    parts = (
        address.company,
        address.street1,
        address.street2,
        address.city,
        address.state,
        address.postal_code,
        address.country,
    )
    text = "\x1f".join(" ".join(part.split()).casefold() for part in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def from_address_key(address: Address) -> str:
    """A short key of a ship-from address (labels and SCAN forms are grouped by it)."""
    return address_hash(address)[:16]


@dataclass(frozen=True, slots=True)
class BlockedOrder:
    """An order that cannot be bought now, and every reason why."""

    order_id: int
    external_id: str
    group_id: str
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class PreflightReport:
    """Which orders may proceed (in buying order) and which are blocked, with why."""

    ready: tuple[PlannedOrder, ...]
    blocked: tuple[BlockedOrder, ...]
    addresses_verified: int = 0  # verifications asked of EasyPost in this run (not cached)

    @property
    def ok(self) -> bool:
        return not self.blocked


def contents_weight_oz(order: Order, items: Mapping[str, Item]) -> Decimal:
    return sum(
        (items[sku].weight_oz * qty for sku, qty in order.item_multiset if sku in items),
        Decimal(0),
    )


def parcel_weight_oz(planned: PlannedOrder, items: Mapping[str, Item]) -> Decimal:
    empty = planned.package_type.empty_weight_oz if planned.package_type else Decimal(0)
    return contents_weight_oz(planned.order, items) + empty


def _address_gaps(address: Address) -> list[str]:
    missing = [
        name
        for name, value in (
            ("name", address.name),
            ("street", address.street1),
            ("city", address.city),
            ("postal code", address.postal_code),
            ("country", address.country),
        )
        if not value.strip()
    ]
    if address.country == "US" and not address.state.strip():
        missing.append("state")
    reasons = [f"address lacks {', '.join(missing)}"] if missing else []
    if address.country == "US" and address.postal_code.strip():
        digits = address.postal_code.replace("-", "").strip()
        if not (digits.isdigit() and len(digits) in (5, 9)):
            reasons.append(f"ZIP code {address.postal_code!r} is not 5 or 9 digits")
    return reasons


def _package_reasons(package: PackageType, weight_oz: Decimal) -> list[str]:
    reasons: list[str] = []
    dims = [d for d in (package.length_in, package.width_in, package.height_in) if d is not None]
    if len(dims) == 3:
        longest, middle, shortest = sorted(dims, reverse=True)
        if package.machinable and any(
            d > limit
            for d, limit in zip((longest, middle, shortest), MACHINABLE_MAX_IN, strict=True)
        ):
            reasons.append(
                f"package type {package.name!r} is marked machinable but "
                f"{longest} x {middle} x {shortest} in exceeds 22 x 18 x 15 in"
            )
        if longest + 2 * (middle + shortest) > MAX_LENGTH_PLUS_GIRTH_IN:
            reasons.append(f"package type {package.name!r} exceeds 130 in length plus girth")
    if package.machinable and weight_oz > MACHINABLE_MAX_OZ:
        reasons.append(
            f"{weight_oz} oz is over 25 lb, the machinable limit of package type {package.name!r}"
        )
    return reasons


def _service_reasons(
    planned: PlannedOrder, items: Mapping[str, Item], weight: Decimal
) -> list[str]:
    service = planned.service
    order = planned.order
    if service is None:
        return [_no_service_reason(planned)]
    if service == CHEAPEST:
        return [f"{weight} oz is over the USPS limit of 70 lb"] if weight > MAX_PARCEL_OZ else []
    if is_target(service):
        return target_reasons(planned, weight)
    predefined = planned.package_type.predefined if planned.package_type else None
    try:
        known = check_service(service, predefined_package=predefined)
    except AppError as error:
        return [error.message]
    reasons: list[str] = []
    domestic = order.recipient.is_domestic
    if known.international and domestic:
        reasons.append(
            f"{service} is international but the order ships to {order.recipient.country}"
        )
    if not known.international and not domestic:
        reasons.append(f"{service} is domestic but the order ships to {order.recipient.country}")
    limit = SERVICE_LIMITS_OZ.get(service, MAX_PARCEL_OZ)
    if known.letters_only and predefined is not None and predefined in LETTER_LIMITS_OZ:
        limit = min(limit, LETTER_LIMITS_OZ[predefined])
    if weight > limit:
        reasons.append(f"{weight} oz is over the {limit} oz limit of {service}")
    if service in MEDIA_SERVICES:
        not_eligible = [
            sku
            for sku, _ in order.item_multiset
            if not (sku in items and items[sku].media_mail_eligible)
        ]
        if not_eligible:
            reasons.append(
                f"{service} only for eligible items; not eligible: {', '.join(not_eligible)}"
            )
    return reasons


def _no_service_reason(planned: PlannedOrder) -> str:
    """Why an order has no service, and the fix: its group has none for its kind of order."""
    group = planned.group_id
    if planned.order.recipient.is_domestic:
        return (
            f"no service assigned to group {group} (choose its Service in Package groups, or "
            f"`packdesk-cli groups assign {group} --service GroundAdvantage`)"
        )
    return (
        f"no international service assigned to group {group}, and the order ships to "
        f"{planned.order.recipient.country} (choose its Intl service in Package groups, or "
        f"`packdesk-cli groups assign {group} --intl-service PriorityMailInternational`; "
        "or buy with service 'cheapest')"
    )


class PreflightService:
    """Checks a plan's orders before any money is spent; verified addresses are cached."""

    def __init__(
        self,
        store: Store,
        verifier: AddressVerifier | None,
        clock: Clock = utc_now,
        *,
        verify_concurrency: int = 8,
    ) -> None:
        self._store = store
        self._verifier = verifier
        self._clock = clock
        self._concurrency = verify_concurrency

    def check(
        self,
        plan: Plan,
        *,
        verify_addresses: bool = True,
        progress: Callable[[int, int], None] | None = None,
    ) -> PreflightReport:
        """Check every order of `plan`; never raises for an order's own problem."""
        items = plan.items
        order_ids = [p.order_id for p in plan.orders]
        with self._store.transaction() as tx:
            live = tx.labels.live_order_ids(order_ids)
        reasons: dict[int, list[str]] = {}
        for planned in plan.orders:
            reasons[planned.order_id] = self._static_reasons(planned, items, live, plan)
        verified = 0
        if verify_addresses and self._verifier is not None:
            checks, verified = self._verify(
                [p.order.recipient for p in plan.orders if not reasons[p.order_id]], progress
            )
            for planned in plan.orders:
                check = checks.get(address_hash(planned.order.recipient))
                if check is not None and not check.verified:
                    reasons[planned.order_id].append(f"address not verified: {check.message}")
        ready = tuple(p for p in plan.orders if not reasons[p.order_id])
        blocked = tuple(
            BlockedOrder(p.order_id, p.order.external_id, p.group_id, tuple(reasons[p.order_id]))
            for p in plan.orders
            if reasons[p.order_id]
        )
        return PreflightReport(ready=ready, blocked=blocked, addresses_verified=verified)

    def _static_reasons(
        self, planned: PlannedOrder, items: Mapping[str, Item], live: set[int], plan: Plan
    ) -> list[str]:
        order = planned.order
        reasons: list[str] = []
        if planned.order_id in live:
            reasons.append(ALREADY_LABELLED)
            return reasons
        elif order.status is not OrderStatus.READY_TO_SHIP:
            reasons.append(f"order is {order.status.value}, not ready_to_ship")
        if plan.ship_from is None:
            reasons.append("no ship-from address is set")
        reasons.extend(_address_gaps(order.recipient))
        unknown = [sku for sku, _ in order.item_multiset if sku not in items]
        if unknown:
            reasons.append(f"unknown SKU(s): {', '.join(unknown)}")
        weightless = [
            sku for sku, _ in order.item_multiset if sku in items and items[sku].weight_oz <= 0
        ]
        if weightless:
            reasons.append(f"no weight for SKU(s): {', '.join(weightless)}")
        if not order.recipient.is_domestic:
            gaps = [
                f"{sku} ({', '.join(missing_customs_fields(items.get(sku)))})"
                for sku, _ in order.item_multiset
                if sku in items and missing_customs_fields(items[sku])
            ]
            if gaps:
                reasons.append(f"customs data missing: {'; '.join(gaps)}")
            reasons.extend(international_reasons(order, items, plan.tax_ids))
        weight = parcel_weight_oz(planned, items)
        if planned.package_type is None:
            reasons.append(f"no package type assigned to group {planned.group_id}")
        else:
            reasons.extend(_package_reasons(planned.package_type, weight))
        reasons.extend(_service_reasons(planned, items, weight))
        return reasons

    def verify(self, address: Address) -> AddressCheck:
        """One address's verification, from the cache or asked of EasyPost (then cached).

        A network failure is not the address's fault: it is returned as unverified ("could
        not verify ...") and not cached, so the next run asks again.
        """
        digest = address_hash(address)
        with self._store.transaction() as tx:
            cached = tx.address_checks.get(digest)
        if cached is not None:
            return cached
        check = self._ask(digest, address)
        if not _transient(check):
            # One upsert of a cache row: nothing to decide, so no writer lock on a server.
            with self._store.transaction(write=True, own_rows=True) as tx:
                tx.address_checks.put(check)
        return check

    def _ask(self, digest: str, address: Address) -> AddressCheck:
        verifier = self._verifier
        assert verifier is not None
        try:
            result = verifier.verify_address(address)
        except AppError as error:
            return AddressCheck(digest, False, f"{_COULD_NOT} ({error.message})", self._clock())
        message = "; ".join(
            f"{e.field}: {e.message}" if e.field else e.message for e in result.errors
        )
        return AddressCheck(
            digest,
            result.verified,
            message or ("" if result.verified else "EasyPost could not verify it"),
            self._clock(),
            easypost_id=result.id or None,
        )

    def _ask_pair(self, item: tuple[str, Address]) -> AddressCheck:
        return self._ask(*item)

    def _verify(
        self, addresses: Sequence[Address], progress: Callable[[int, int], None] | None
    ) -> tuple[dict[str, AddressCheck], int]:
        by_hash = {address_hash(a): a for a in addresses}
        with self._store.transaction() as tx:
            checks = {h: c for h in by_hash if (c := tx.address_checks.get(h)) is not None}
        todo = [(h, a) for h, a in by_hash.items() if h not in checks]
        fresh: list[AddressCheck] = []
        if todo:
            with ThreadPoolExecutor(max_workers=min(self._concurrency, len(todo))) as pool:
                answers = pool.map(in_scope(self._ask_pair), todo)
                for done, check in enumerate(answers, start=1):
                    checks[check.address_hash] = check
                    if not _transient(check):
                        fresh.append(check)
                    if progress is not None:
                        progress(done, len(todo))
        if fresh:
            with self._store.transaction(write=True) as tx:
                for check in fresh:
                    tx.address_checks.put(check)
        return checks, len(todo)


_COULD_NOT = "could not verify"


def _transient(check: AddressCheck) -> bool:
    return not check.verified and check.message.startswith(_COULD_NOT)
