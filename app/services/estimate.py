"""Estimate: rates per service for each selected order, summed per group and overall."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from threading import Event

from app.domain.delivery_target import TransitTimes, is_target
from app.domain.errors import AppError
from app.postage.models import LabelFormat, Rate
from app.postage.rating import RateQuoter
from app.services.buy_plan import CHEAPEST, Plan, PlannedOrder, rate_request_for


@dataclass(frozen=True, slots=True)
class OrderEstimate:
    """One order's rates; `chosen` is the rate for its service (or its cheapest)."""

    order_id: int
    external_id: str
    group_id: str
    service: str | None
    rates: tuple[Rate, ...] = ()
    chosen: Rate | None = None
    error: str = ""
    transit: tuple[TransitTimes, ...] = ()  # SmartRate percentiles (domestic, when asked)
    why: str = ""  # how a delivery target (within:3d@90) chose its service

    @property
    def cheapest(self) -> Rate | None:
        return min(self.rates, key=lambda r: r.amount, default=None)


@dataclass(frozen=True, slots=True)
class ServiceTotal:
    """A service (or "cheapest": each order's cheapest) summed over orders offering it."""

    service: str
    count: int
    total: Decimal
    cheapest: Decimal  # lowest single-order price
    fastest_days: int | None
    slowest_days: int | None
    # SmartRate: per percentile (50 .. 99), the most days any of these orders needs.
    transit_days: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class GroupEstimate:
    """A group's orders priced per service, and the total for the service chosen."""

    group_id: str
    orders: int
    services: tuple[ServiceTotal, ...]
    chosen_total: Decimal
    chosen_count: int


@dataclass(frozen=True, slots=True)
class EstimateReport:
    """Per order, per group and overall; `total` is what buying the chosen services costs."""

    orders: tuple[OrderEstimate, ...]
    groups: tuple[GroupEstimate, ...]
    services: tuple[ServiceTotal, ...]
    total: Decimal
    priced: int  # orders with a chosen rate
    requests_sent: int

    @property
    def failed(self) -> tuple[OrderEstimate, ...]:
        return tuple(o for o in self.orders if o.chosen is None)


def _worst_transit(estimates: Sequence[OrderEstimate]) -> dict[str, tuple[int, ...]]:
    worst: dict[str, tuple[int, ...]] = {}
    for estimate in estimates:
        for times in estimate.transit:
            seen = worst.get(times.service)
            worst[times.service] = times.days if seen is None else tuple(map(max, seen, times.days))
    return worst


def _totals(estimates: Sequence[OrderEstimate]) -> tuple[ServiceTotal, ...]:
    worst = _worst_transit(estimates)
    per_service: dict[str, list[Rate]] = {}
    for estimate in estimates:
        for rate in estimate.rates:
            per_service.setdefault(rate.service, []).append(rate)
        if estimate.cheapest is not None:
            per_service.setdefault(CHEAPEST, []).append(estimate.cheapest)
    totals = []
    for service, rates in per_service.items():
        days = [r.delivery_days for r in rates if r.delivery_days is not None]
        totals.append(
            ServiceTotal(
                service=service,
                count=len(rates),
                total=sum((r.amount for r in rates), Decimal(0)),
                cheapest=min(r.amount for r in rates),
                fastest_days=min(days, default=None),
                slowest_days=max(days, default=None),
                transit_days=worst.get(service),
            )
        )
    totals.sort(key=lambda t: (t.service != CHEAPEST, t.total))
    return tuple(totals)


def _chosen(planned: PlannedOrder, rates: tuple[Rate, ...]) -> Rate | None:
    if planned.service is None:
        return None
    if planned.service == CHEAPEST:
        return min(rates, key=lambda r: r.amount, default=None)
    return next((r for r in rates if r.service == planned.service), None)


class EstimateService:
    """Prices a plan through a RateQuoter (identical requests asked once)."""

    def __init__(
        self, quoter: RateQuoter, *, label_format: LabelFormat = "PNG", transit: bool = False
    ) -> None:
        self._quoter = quoter
        self._label_format = label_format
        self.transit = transit  # also ask SmartRate's transit percentiles (domestic orders)

    def estimate(
        self,
        plan: Plan,
        *,
        orders: Sequence[PlannedOrder] | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancel: Event | None = None,
    ) -> EstimateReport:
        """Rates for `orders` (default: every order of the plan)."""
        chosen_orders = list(plan.orders if orders is None else orders)
        estimates: list[OrderEstimate] = []
        requests = []
        requestable: list[PlannedOrder] = []
        for planned in chosen_orders:
            try:
                request = rate_request_for(planned, plan, label_format=self._label_format)
                if self.transit and planned.order.recipient.is_domestic:
                    request = dataclasses.replace(request, with_transit=True)
                requests.append(request)
                requestable.append(planned)
            except AppError as error:
                estimates.append(_failed(planned, error.message))
        sent_before = self._quoter.requests_sent
        outcomes = self._quoter.quote_many(requests, progress=progress, cancel=cancel)
        for planned, outcome in zip(requestable, outcomes, strict=True):
            if outcome.quote is None:
                reason = outcome.error.message if outcome.error else "not asked (cancelled)"
                estimates.append(_failed(planned, reason))
                continue
            rates = outcome.quote.rates
            chosen = _chosen(planned, rates)
            problem = why = ""
            if is_target(planned.service):
                choice = outcome.quote.explain(str(planned.service))
                chosen = outcome.quote.rate_for(choice.service) if choice.service else None
                why = choice.explanation
                problem = "" if chosen else f"USPS has {choice.explanation}"
            elif chosen is None:
                offered = ", ".join(r.service for r in rates) or "none"
                problem = f"{planned.service or 'no service'} is not offered (offered: {offered})"
            estimates.append(
                OrderEstimate(
                    planned.order_id,
                    planned.order.external_id,
                    planned.group_id,
                    planned.service,
                    rates,
                    chosen,
                    problem,
                    outcome.quote.transit,
                    why,
                )
            )
        position = {p.order_id: p.sequence for p in chosen_orders}
        estimates.sort(key=lambda e: position[e.order_id])
        groups: dict[str, list[OrderEstimate]] = {}
        for estimate in estimates:
            groups.setdefault(estimate.group_id, []).append(estimate)
        group_estimates = tuple(
            GroupEstimate(
                group_id=group_id,
                orders=len(members),
                services=_totals(members),
                chosen_total=sum((e.chosen.amount for e in members if e.chosen), Decimal(0)),
                chosen_count=sum(1 for e in members if e.chosen),
            )
            for group_id, members in groups.items()
        )
        return EstimateReport(
            orders=tuple(estimates),
            groups=group_estimates,
            services=_totals(estimates),
            total=sum((e.chosen.amount for e in estimates if e.chosen), Decimal(0)),
            priced=sum(1 for e in estimates if e.chosen),
            requests_sent=self._quoter.requests_sent - sent_before,
        )


def _failed(planned: PlannedOrder, reason: str) -> OrderEstimate:
    return OrderEstimate(
        planned.order_id, planned.order.external_id, planned.group_id, planned.service, error=reason
    )
