"""Grouping service: package groups of ready orders, their settings, and the customs check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.domain.customs import CustomsBlockedOrder, SkuCustomsGap, missing_customs_fields
from app.domain.delivery_target import is_target, parse_target
from app.domain.errors import AppError, ErrorKind
from app.domain.groups import (
    PackageGroup,
    canonical_multiset,
    estimate_weight_oz,
    group_id_for,
    skus_without_weight,
)
from app.domain.items import Item
from app.domain.orders import DOMESTIC_COUNTRIES, Order, OrderLine, OrderStatus
from app.domain.usps_services import SERVICES, canonical_service
from app.services.bulk import cyclic_gc_paused
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.groups_repo import CustomsGapRow, GroupSetting

_GROUP_ID = re.compile(r"^G-[0-9a-f]{12}$")

#: Orders the customs check looks at: not yet labelled, not cancelled.
CUSTOMS_CHECK_STATUSES = frozenset(
    {OrderStatus.IMPORTED, OrderStatus.READY_TO_SHIP, OrderStatus.ON_HOLD}
)


@dataclass(frozen=True, slots=True)
class SkuCustomsFix:
    """One SKU that blocks international orders: what it lacks, how many orders it blocks,
    their countries and the first few order numbers."""

    REFS_SHOWN = 8

    sku: str
    missing: tuple[str, ...]
    orders: int
    countries: tuple[str, ...]
    first_refs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomsToFix:
    """The customs check by SKU: a packer fixes a SKU once, not each order."""

    blocked_orders: int
    skus: tuple[SkuCustomsFix, ...]


@dataclass(slots=True)
class _SkuTally:
    missing: set[str] = field(default_factory=set)
    orders: int = 0
    countries: set[str] = field(default_factory=set)
    refs: list[str] = field(default_factory=list)
    last_order: int | None = None


@dataclass(frozen=True, slots=True)
class GroupWithOrders:
    """A package group and its orders (the Package Group report)."""

    group: PackageGroup
    orders: tuple[Order, ...]


class GroupingService:
    """Package groups: ready-to-ship orders without a label, by identical item multiset."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def groups(self) -> list[PackageGroup]:
        """Every package group, biggest first (one GROUP BY over the precomputed group id)."""
        with self._store.transaction() as tx:
            counts = tx.groups.counts(OrderStatus.READY_TO_SHIP, DOMESTIC_COUNTRIES)
            lines = tx.groups.lines_of([count.sample_order_id for count in counts])
            settings = tx.groups.settings()
            package_types = tx.package_types.by_id()
            items = tx.items.by_sku()
        groups = []
        for count in counts:
            multiset = canonical_multiset(lines.get(count.sample_order_id, ()))
            setting = settings.get(count.group_id)
            package_type = (
                package_types.get(setting.package_type_id)
                if setting and setting.package_type_id is not None
                else None
            )
            groups.append(
                PackageGroup(
                    group_id=count.group_id,
                    items=tuple(OrderLine(sku, qty) for sku, qty in multiset),
                    orders=count.orders,
                    domestic=count.orders - count.international,
                    international=count.international,
                    estimated_weight_oz=estimate_weight_oz(multiset, items, package_type),
                    package_type=package_type.name if package_type else None,
                    service=setting.service if setting else None,
                    international_service=setting.international_service if setting else None,
                    skus_without_weight=skus_without_weight(multiset, items),
                )
            )
        groups.sort(key=lambda g: (-g.orders, g.group_id))
        return groups

    def group(self, group_id: str) -> PackageGroup:
        """One package group as now computed; AppError NOT_FOUND when it has no ready orders."""
        found = next((g for g in self.groups() if g.group_id == group_id), None)
        if found is None:
            raise AppError(
                f"Package group {group_id} has no ready-to-ship orders.",
                hint="See `packdesk-cli groups` for the current groups.",
                kind=ErrorKind.NOT_FOUND,
                details={"group": group_id},
            )
        return found

    def orders_in_group(self, group_id: str) -> list[Order]:
        """The ready-to-ship orders of one package group, by id (what a batch buys labels for)."""
        with cyclic_gc_paused(), self._store.transaction() as tx:
            return tx.orders.find(status=OrderStatus.READY_TO_SHIP, group_id=group_id)

    def groups_with_orders(self) -> list[GroupWithOrders]:
        """Each package group with its ready orders (the Package Group report)."""
        groups = self.groups()
        with cyclic_gc_paused(), self._store.transaction() as tx:
            ready = tx.orders.find(status=OrderStatus.READY_TO_SHIP)
            by_group: dict[str, list[Order]] = {}
            for order in ready:
                by_group.setdefault(group_id_for(order.item_multiset), []).append(order)
        return [GroupWithOrders(g, tuple(by_group.get(g.group_id, ()))) for g in groups]

    def assign(
        self,
        group_id: str,
        *,
        package_type: str | None,
        service: str | None,
        international_service: str | None = None,
    ) -> PackageGroup | None:
        """Persist a group's package type and services ('' clears one, None keeps it).

        `service` is what the group's domestic orders ship with, `international_service`
        what its international orders ship with: a group mixes both kinds of order.
        Returns the group as now computed (None when it has no ready orders at the moment).

        Raises:
            AppError: INVALID_INPUT for a bad group id or a service of the wrong kind
                (an international one as `service` or a domestic one as
                `international_service`); RATE for an unknown or retired service;
                NOT_FOUND for an unknown group or package type.
        """
        if not _GROUP_ID.match(group_id):
            raise AppError(
                f"{group_id!r} is not a package group id.",
                hint="Group ids look like G-1a2b3c4d5e6f; see `packdesk-cli groups`.",
                details={"group": group_id},
            )
        if service:
            service = _domestic_service(group_id, service)
        if international_service:
            international_service = _international_service(group_id, international_service)
        with self._store.transaction(write=True) as tx:
            if not tx.groups.exists(group_id):
                raise AppError(
                    f"No order belongs to package group {group_id}.",
                    hint="See `packdesk-cli groups` for the current groups.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"group": group_id},
                )
            current = tx.groups.settings().get(group_id, GroupSetting(group_id, None, None))
            package_type_id = current.package_type_id
            if package_type == "":
                package_type_id = None
            elif package_type is not None:
                found = tx.package_types.get(package_type)
                if found is None:
                    known = [pt.name for pt in tx.package_types.all()]
                    raise AppError(
                        f"No package type called {package_type!r}.",
                        hint=(f"Known: {', '.join(known)}. " if known else "")
                        + "Add one with `packdesk-cli package-types add`.",
                        kind=ErrorKind.NOT_FOUND,
                        details={"package_type": package_type},
                    )
                package_type_id = found.id
            tx.groups.save_setting(
                GroupSetting(
                    group_id,
                    package_type_id,
                    _kept_or_new(current.service, service),
                    _kept_or_new(current.international_service, international_service),
                ),
                self._clock(),
            )
        return next((g for g in self.groups() if g.group_id == group_id), None)

    def customs_blocked(self) -> list[CustomsBlockedOrder]:
        """International orders not yet labelled whose SKUs lack HTS code, description or origin."""
        with cyclic_gc_paused():  # tens of thousands of rows on a big campaign
            return self._customs_blocked()

    def customs_by_sku(self) -> CustomsToFix:
        """The customs check by SKU, counted while the rows stream by: what the Package groups
        panel shows, without an object per blocked order (30,000 of them cost the GUI ~50 MB)."""
        fixes: dict[str, _SkuTally] = {}
        blocked = 0
        last_order: int | None = None
        with self._store.transaction() as tx:
            known = tx.items.known_skus()
            for row in tx.groups.iter_customs_gaps(CUSTOMS_CHECK_STATUSES, DOMESTIC_COUNTRIES):
                if row.order_id != last_order:
                    blocked, last_order = blocked + 1, row.order_id
                tally = fixes.get(row.sku)
                if tally is None:
                    tally = fixes[row.sku] = _SkuTally()
                tally.missing.update(missing_customs_fields(_item_of(row, known)))
                if tally.last_order != row.order_id:
                    tally.last_order = row.order_id
                    tally.orders += 1
                    tally.countries.add(row.country)
                    if len(tally.refs) < SkuCustomsFix.REFS_SHOWN:
                        tally.refs.append(row.external_id)
        return CustomsToFix(
            blocked,
            tuple(
                SkuCustomsFix(
                    sku,
                    tuple(sorted(t.missing)),
                    t.orders,
                    tuple(sorted(t.countries)),
                    tuple(t.refs),
                )
                for sku, t in sorted(fixes.items())
            ),
        )

    def _customs_blocked(self) -> list[CustomsBlockedOrder]:
        with self._store.transaction() as tx:
            rows = tx.groups.customs_gaps(CUSTOMS_CHECK_STATUSES, DOMESTIC_COUNTRIES)
            known = tx.items.known_skus()
        by_order: dict[int, list[CustomsGapRow]] = {}
        for row in rows:
            by_order.setdefault(row.order_id, []).append(row)
        blocked = []
        # Thousands of orders share a handful of gap lists and strings: share one copy of each.
        shared_gaps: dict[tuple[object, ...], tuple[SkuCustomsGap, ...]] = {}
        shared: dict[str, str] = {}
        one = shared.setdefault
        for order_rows in by_order.values():
            first = order_rows[0]
            key = tuple(
                (row.sku, row.hts_code, row.customs_description, row.origin_country)
                for row in order_rows
            )
            gaps = shared_gaps.get(key)
            if gaps is None:
                gaps = tuple(
                    SkuCustomsGap(row.sku, missing_customs_fields(_item_of(row, known)))
                    for row in order_rows
                )
                shared_gaps[key] = gaps
            blocked.append(
                CustomsBlockedOrder(
                    order_id=first.order_id,
                    source=one(first.source, first.source),
                    external_id=first.external_id,
                    country=one(first.country, first.country),
                    status=one(first.status, first.status),
                    group_id=one(first.group_id, first.group_id),
                    gaps=gaps,
                )
            )
        return blocked


def _kept_or_new(current: str | None, given: str | None) -> str | None:
    """None keeps the current value, '' clears it, anything else replaces it."""
    return current if given is None else (given or None)


def _domestic_service(group_id: str, name: str) -> str:
    """The EasyPost code of `name` as a group's (domestic) service; refuses international ones.

    A delivery target (within:3d@90) is kept as written: each order then takes the cheapest
    service SmartRate says arrives in time."""
    if is_target(name):
        return parse_target(name).spec
    # Retired names (ParcelSelect, FirstClassPackage ...) are refused with the successor.
    known = canonical_service(name)
    if known.international:
        raise AppError(
            f"{known.title} is an international service; a group's service is for its "
            "domestic orders.",
            hint=f"Give it to the group's international orders: `packdesk-cli groups assign "
            f"{group_id} --intl-service {known.code}` (Intl service in Package groups).",
            kind=ErrorKind.INVALID_INPUT,
            details={"group": group_id, "service": name},
        )
    return known.code


def _international_service(group_id: str, name: str) -> str:
    """The EasyPost code of `name` as a group's international service; refuses domestic ones."""
    known = canonical_service(name)
    if not known.international:
        offered = ", ".join(s.code for s in SERVICES.values() if s.international)
        raise AppError(
            f"{known.title} is a domestic service; it cannot be a group's international service.",
            hint=f"Use one of {offered} (First-Class Package International up to 4 lb). "
            f"For domestic orders: `packdesk-cli groups assign {group_id} --service "
            f"{known.code}`.",
            kind=ErrorKind.INVALID_INPUT,
            details={"group": group_id, "international_service": name},
        )
    return known.code


def _item_of(row: CustomsGapRow, known: set[str]) -> Item | None:
    if row.sku not in known:
        return None
    return Item(
        sku=row.sku,
        hts_code=row.hts_code,
        customs_description=row.customs_description,
        origin_country=row.origin_country,
    )
