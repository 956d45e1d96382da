"""What a buy or an estimate is about: a selection (groups or orders) resolved to planned orders."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.delivery_target import is_target, parse_target
from app.domain.duties import DDP_COUNTRIES, DDP_SERVICES
from app.domain.errors import AppError, ErrorKind
from app.domain.groups import group_id_for
from app.domain.insurance import insured_amount, parse_choice
from app.domain.items import Item
from app.domain.orders import Address, Order, OrderStatus
from app.domain.packages import PackageType
from app.domain.ship_from import ShipFromAddress
from app.domain.tax_ids import SenderTaxIds
from app.domain.usps_services import canonical_service
from app.postage.models import (
    LabelFormat,
    ParcelSpec,
    RateRequest,
    ShipmentOptions,
    customs_for_order,
)
from app.services.intl_checks import tax_decision
from app.store import Store

CHEAPEST = "cheapest"


@dataclass(frozen=True, slots=True)
class Selection:
    """Groups (their ready-to-ship orders) and/or single orders, with how to ship them.

    `package_type` and `service` apply to every order of every group; None falls back to the
    group's saved setting: its service for domestic orders, its international service for
    international ones. `group_services` overrides the service per group (for all its
    orders). A service may be "cheapest".
    """

    groups: tuple[str, ...] = ()
    order_ids: tuple[int, ...] = ()
    package_type: str | None = None
    service: str | None = None
    group_services: Mapping[str, str] = field(default_factory=dict)
    # "" (each group's own choice, else none), "auto" (the items' value) or dollars.
    insurance: str = ""
    ddp: bool = False  # USPS Delivered Duty Paid where offered (CA, DE, GB)

    def to_json(self) -> str:
        """A canonical spelling: the same buy run again finds (and resumes) its batch."""
        spelled: dict[str, object] = {
            "groups": list(self.groups),
            "orders": list(self.order_ids),
            "package_type": self.package_type,
            "service": self.service,
            "group_services": dict(sorted(self.group_services.items())),
        }
        # Absent when unused: batches bought before stay resumable (old spellings unchanged).
        if self.insurance:
            spelled["insurance"] = self.insurance
        if self.ddp:
            spelled["ddp"] = True
        return json.dumps(spelled, sort_keys=True)


@dataclass(frozen=True, slots=True)
class PlannedOrder:
    """One order of a selection, with its package type and service, in buying order."""

    order: Order
    group_id: str
    sequence: int  # position in group order (0-based), the print order
    package_type: PackageType | None
    service: str | None  # an EasyPost service code, "cheapest", or None when unassigned
    insurance_usd: Decimal | None = None  # the value to insure the parcel for (None: none)

    @property
    def order_id(self) -> int:
        assert self.order.id is not None
        return self.order.id


@dataclass(frozen=True, slots=True)
class Plan:
    """A resolved selection and everything needed to check, price and buy it."""

    orders: tuple[PlannedOrder, ...]
    items: Mapping[str, Item]
    ship_from: ShipFromAddress | None
    tax_ids: SenderTaxIds = field(default_factory=SenderTaxIds)  # IOSS, VAT, EORI numbers
    ddp: bool = False  # ship Delivered Duty Paid where USPS offers it

    @property
    def from_address(self) -> Address:
        if self.ship_from is None:
            raise AppError(
                "No ship-from address is set.",
                hint="Add one with `packdesk-cli ship-from add ... --default`.",
                kind=ErrorKind.INVALID_INPUT,
            )
        return self.ship_from.address


def _service(name: str | None) -> str | None:
    if name is None or name == "":
        return None
    if name.strip().lower() == CHEAPEST:
        return CHEAPEST
    if is_target(name):  # "within:3d@90": chosen per order from SmartRate's transit times
        return parse_target(name).spec
    # Retired names are refused with their successor; 'cheapest' is handled above.
    return canonical_service(name).code


def resolve_plan(store: Store, selection: Selection) -> Plan:
    """The selection's orders in group order (groups as given, then orders by id).

    Groups take their ready-to-ship orders; explicitly named orders are taken whatever their
    status (pre-flight says why one cannot be bought). Without a service in the selection, a
    domestic order takes its group's service and an international order its group's
    international service (None when the group has none: pre-flight says how to fix it).

    Raises:
        AppError: NOT_FOUND for an unknown package type or order id; INVALID_INPUT for an
            unknown service or an empty selection.
    """
    if not selection.groups and not selection.order_ids:
        raise AppError(
            "Nothing is selected.",
            hint="Name package groups (--group) or orders (--order).",
            kind=ErrorKind.INVALID_INPUT,
        )
    try:
        insurance_choice = parse_choice(selection.insurance)
    except ValueError as error:
        raise AppError(
            str(error), hint="Pass --insurance auto, none or an amount such as 50."
        ) from None
    default_service = _service(selection.service)
    group_services = {g: _service(s) for g, s in selection.group_services.items()}
    with store.transaction() as tx:
        package_types = tx.package_types.by_id()
        settings = tx.groups.settings()
        insurance = tx.insurance.by_group()
        forced_type: PackageType | None = None
        if selection.package_type:
            forced_type = tx.package_types.get(selection.package_type)
            if forced_type is None:
                known = ", ".join(pt.name for pt in tx.package_types.all()) or "none"
                raise AppError(
                    f"No package type called {selection.package_type!r}.",
                    hint=f"Known: {known}. Add one with `packdesk-cli package-types add`.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"package_type": selection.package_type},
                )
        ordered: list[tuple[str, Order]] = []
        seen: set[int] = set()
        for group_id in selection.groups:
            for order in tx.orders.find(status=OrderStatus.READY_TO_SHIP, group_id=group_id):
                if order.id is not None and order.id not in seen:
                    seen.add(order.id)
                    ordered.append((group_id, order))
        if selection.order_ids:
            found = {o.id: o for o in tx.orders.find(order_ids=list(selection.order_ids))}
            missing = [oid for oid in selection.order_ids if oid not in found]
            if missing:
                raise AppError(
                    f"No order with id {', '.join(map(str, missing))}.",
                    hint="See `packdesk-cli orders list`.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"orders": missing},
                )
            for order_id in selection.order_ids:
                if order_id not in seen:
                    seen.add(order_id)
                    order = found[order_id]
                    ordered.append((group_id_for(order.item_multiset), order))
        items = tx.items.by_sku()
        ship_from = tx.ship_from.default()
        tax_ids = tx.tax_ids.get()
    planned: list[PlannedOrder] = []
    for sequence, (group_id, order) in enumerate(ordered):
        setting = settings.get(group_id)
        package_type = forced_type
        if package_type is None and setting is not None and setting.package_type_id is not None:
            package_type = package_types.get(setting.package_type_id)
        service = group_services.get(group_id) or default_service
        if service is None and setting is not None:
            service = _service(
                setting.service if order.recipient.is_domestic else setting.international_service
            )
        choice = insurance_choice or insurance.get(group_id, "")
        insured = insured_amount(choice, order, items)
        planned.append(PlannedOrder(order, group_id, sequence, package_type, service, insured))
    return Plan(
        orders=tuple(planned),
        items=items,
        ship_from=ship_from,
        tax_ids=tax_ids,
        ddp=selection.ddp,
    )


def all_media_eligible(order: Order, items: Mapping[str, Item]) -> bool:
    return all(sku in items and items[sku].media_mail_eligible for sku, _ in order.item_multiset)


def rate_request_for(
    planned: PlannedOrder,
    plan: Plan,
    *,
    label_format: LabelFormat = "PNG",
    signer: str = "",
    reference: str = "",
) -> RateRequest:
    """The EasyPost request for one planned order (pre-flight has passed: type and SKUs known).

    Raises:
        AppError: when the order has no package type or a SKU is unknown (pre-flight says so).
    """
    order = planned.order
    package = planned.package_type
    if package is None:
        raise AppError(
            f"Order {order.external_id} has no package type.",
            hint=f"Assign one to group {planned.group_id} or pass --package-type.",
            kind=ErrorKind.INVALID_INPUT,
            details={"order": order.external_id, "group": planned.group_id},
        )
    weight = sum(
        (plan.items[sku].weight_oz * qty for sku, qty in order.item_multiset if sku in plan.items),
        Decimal(0),
    )
    from_address = plan.from_address
    customs = None
    if not order.recipient.is_domestic:
        customs = customs_for_order(order, plan.items, signer=signer or from_address.name)
    with_transit = is_target(planned.service) and order.recipient.is_domestic
    ddp = (
        plan.ddp
        and order.recipient.country.upper() in DDP_COUNTRIES
        and (planned.service in (None, CHEAPEST) or planned.service in DDP_SERVICES)
    )
    options = ShipmentOptions(
        incoterm="DDP" if ddp else "",
        label_format=label_format,
        machinable=package.machinable,
        print_custom_1=order.external_id,
        media_mail=order.recipient.is_domestic and all_media_eligible(order, plan.items),
    )
    return RateRequest(
        from_address=from_address,
        to_address=order.recipient,
        parcel=ParcelSpec.from_package(package, weight),
        options=options,
        customs=customs,
        reference=reference,
        tax_identifiers=tax_decision(order, plan.items, plan.tax_ids).identifiers,
        with_transit=with_transit,
    )
