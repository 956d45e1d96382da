"""The international view of a selection: per group and destination, what a backer pays on
delivery (VAT, the EU EUR 3 duty, whether IOSS covers the VAT), DDP and its cost, which
services are tracked, and the orders that must be shipped by hand for want of tracking."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from app.domain.duties import DutyEstimate, estimate_duties
from app.domain.intl_tracking import is_tracked
from app.domain.usps_services import SERVICES
from app.services.buy_plan import Plan
from app.services.clock import Clock, utc_now
from app.services.intl_checks import declared_value_usd, tax_decision

INTERNATIONAL_SERVICES = tuple(code for code, s in SERVICES.items() if s.international)


@dataclass(frozen=True, slots=True)
class DestinationSummary:
    """One group's parcels to one country."""

    group_id: str
    country: str
    orders: int
    backer_pays_usd: Decimal  # per parcel, the most any of them pays
    duty_usd: Decimal  # the EU line duty, summed over the parcels
    ioss_covers_vat: bool
    ddp_available: bool
    ddp_cost_usd: Decimal | None  # summed over the parcels
    tracked_services: tuple[str, ...]
    untracked_services: tuple[str, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ManualShipping:
    """An order whose chosen service has no tracking to its destination."""

    order_id: int
    external_id: str
    country: str
    service: str


@dataclass(frozen=True, slots=True)
class InternationalReport:
    destinations: tuple[DestinationSummary, ...]
    manual: tuple[ManualShipping, ...]


class InternationalReportService:
    """Builds the report from a resolved plan; pure reading, no network."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def report(self, plan: Plan) -> InternationalReport:
        today = self._clock().date()
        by_place: dict[tuple[str, str], list[DutyEstimate]] = defaultdict(list)
        manual: list[ManualShipping] = []
        for planned in plan.orders:
            order = planned.order
            if order.recipient.is_domestic:
                continue
            country = order.recipient.country.upper()
            carried = {
                t.tax_id_type.value
                for t in tax_decision(order, plan.items, plan.tax_ids).identifiers
            }
            estimate = estimate_duties(
                country,
                declared_value_usd(order, plan.items),
                len(order.item_multiset),
                has_ioss="IOSS" in carried,
                has_uk_vat=country == "GB" and "VAT" in carried,
                on=today,
                service=planned.service if planned.service in SERVICES else None,
            )
            by_place[(planned.group_id, country)].append(estimate)
            service = planned.service
            if service in SERVICES and not is_tracked(service, country):
                manual.append(ManualShipping(planned.order_id, order.external_id, country, service))
        summaries = []
        for (group_id, country), estimates in sorted(by_place.items()):
            ddp_costs = [e.ddp_cost_usd for e in estimates]
            summaries.append(
                DestinationSummary(
                    group_id=group_id,
                    country=country,
                    orders=len(estimates),
                    backer_pays_usd=max(e.backer_pays_usd for e in estimates),
                    duty_usd=sum((e.duty_usd for e in estimates), Decimal(0)),
                    ioss_covers_vat=all(e.ioss_covers_vat for e in estimates),
                    ddp_available=all(e.ddp_available for e in estimates),
                    ddp_cost_usd=None
                    if any(c is None for c in ddp_costs)
                    else sum((c for c in ddp_costs if c is not None), Decimal(0)),
                    tracked_services=tuple(
                        s for s in INTERNATIONAL_SERVICES if is_tracked(s, country)
                    ),
                    untracked_services=tuple(
                        s for s in INTERNATIONAL_SERVICES if not is_tracked(s, country)
                    ),
                    notes=estimates[0].notes,
                )
            )
        return InternationalReport(tuple(summaries), tuple(manual))
