"""`packdesk-cli estimate`: rates per service for selected groups (or orders), summed."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from app.bootstrap import AppContext
from app.cli.deadline_opt import add_deadline_argument, deadline_from
from app.cli.exit_codes import outcome
from app.cli.output import emit_json, emit_table
from app.domain.delivery_target import PERCENTILES
from app.domain.insurance import total_fees
from app.services.buy_plan import Plan, Selection, resolve_plan

if TYPE_CHECKING:
    from app.services.delivery_dates import GroupDates
from app.services.estimate import EstimateReport, ServiceTotal

#: Seconds an estimate may take overall (16 orders against a silent server took 246 s).
DEFAULT_DEADLINE_S = 120.0


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """--group / --order / --package-type / --service, shared with `buy`."""
    parser.add_argument(
        "--group", action="append", default=[], metavar="G", help="a package group (repeatable)"
    )
    parser.add_argument(
        "--order",
        action="append",
        default=[],
        metavar="N",
        help="an order by the number the Orders panel shows (71, or kickstarter:71 when two "
        "sources share it; repeatable)",
    )
    parser.add_argument("--package-type", metavar="T", help="package type for every group")
    parser.add_argument(
        "--service",
        metavar="S",
        help="USPS service for every order, or 'cheapest' (default: each group's own, its "
        "service for domestic orders and its intl service for international ones)",
    )
    parser.add_argument(
        "--insurance",
        metavar="auto|AMOUNT",
        default="",
        help="insure each parcel: auto (the items' value) or an amount in dollars, bought "
        "through EasyPost (default: each group's setting, see `packdesk-cli insurance`)",
    )
    parser.add_argument(
        "--ddp",
        action="store_true",
        help="ship Delivered Duty Paid where USPS offers it (Canada, Germany, UK)",
    )


def selection_from(args: argparse.Namespace, ctx: AppContext) -> Selection:
    """The selection the arguments name (order numbers resolved to the orders they name)."""
    return Selection(
        groups=tuple(args.group),
        order_ids=tuple(ctx.order_service.resolve_refs(args.order)) if args.order else (),
        package_type=args.package_type,
        service=args.service,
        insurance=args.insurance,
        ddp=bool(getattr(args, "ddp", False)),
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "estimate",
        help="price package groups per service before buying",
        description="Rates for each selected order's destination (identical requests asked "
        "once), summed per service per group and overall, with delivery days; 'cheapest' is "
        "each order's cheapest service.",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--transit",
        action="store_true",
        help="also show SmartRate transit days (50/90/99 %% of parcels arrive within)",
    )
    parser.add_argument(
        "--ship-on",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="with --transit: each group's estimated delivery date if shipped that day",
    )
    parser.add_argument(
        "--deliver-by",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="with --transit: the day to ship each group so it arrives by then",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_deadline_argument(parser, DEFAULT_DEADLINE_S)
    parser.set_defaults(func=run_estimate)


def _service_json(total: ServiceTotal) -> dict[str, object]:
    return {
        "service": total.service,
        "count": total.count,
        "total": str(total.total),
        "cheapest": str(total.cheapest),
        "fastest_days": total.fastest_days,
        "slowest_days": total.slowest_days,
        "transit_days": None
        if total.transit_days is None
        else {f"percentile_{p}": d for p, d in zip(PERCENTILES, total.transit_days, strict=True)},
    }


def estimate_json(report: EstimateReport) -> dict[str, object]:
    return {
        "count": len(report.orders),
        "priced": report.priced,
        "total": str(report.total),
        "requests_sent": report.requests_sent,
        "services": [_service_json(t) for t in report.services],
        "groups": [
            {
                "group": g.group_id,
                "orders": g.orders,
                "chosen_total": str(g.chosen_total),
                "chosen_count": g.chosen_count,
                "services": [_service_json(t) for t in g.services],
            }
            for g in report.groups
        ],
        "orders": [
            {
                "order": o.order_id,
                "external_id": o.external_id,
                "group": o.group_id,
                "service": o.chosen.service if o.chosen else o.service,
                "amount": str(o.chosen.amount) if o.chosen else None,
                "cheapest_service": o.cheapest.service if o.cheapest else None,
                "cheapest_amount": str(o.cheapest.amount) if o.cheapest else None,
                "error": o.error or None,
                "why": o.why or None,
            }
            for o in report.orders
        ],
    }


def _days(total: ServiceTotal) -> str:
    if total.fastest_days is None:
        return ""
    if total.fastest_days == total.slowest_days:
        return f"{total.fastest_days}"
    return f"{total.fastest_days}-{total.slowest_days}"


def _transit(total: ServiceTotal) -> str:
    if total.transit_days is None:
        return ""
    days = dict(zip(PERCENTILES, total.transit_days, strict=True))
    return f"{days[50]}/{days[90]}/{days[99]}"


def print_estimate(report: EstimateReport) -> None:
    for group in report.groups:
        print(f"{group.group_id}: {group.orders} orders, chosen services ${group.chosen_total}")
        emit_table(
            ["service", "orders", "total", "cheapest", "days", "days 50/90/99%"],
            [
                (t.service, t.count, f"${t.total}", f"${t.cheapest}", _days(t), _transit(t))
                for t in group.services
            ],
        )
        print()
    for estimate in report.orders:
        if estimate.why:
            print(f"order {estimate.external_id} ({estimate.service}): {estimate.why}")
    print(f"All: {len(report.orders)} orders, {report.priced} priced, total ${report.total}")
    emit_table(
        ["service", "orders", "total", "cheapest", "days"],
        [(t.service, t.count, f"${t.total}", f"${t.cheapest}", _days(t)) for t in report.services],
    )
    for failed in report.failed:
        print(f"not priced: order {failed.external_id}: {failed.error}", file=sys.stderr)


def insurance_json(plan: Plan, report: EstimateReport) -> dict[str, str]:
    """The insurance of the priced orders and the total with it (empty when none)."""
    priced = {o.order_id for o in report.orders if o.chosen is not None}
    amounts = [p.insurance_usd for p in plan.orders if p.order_id in priced and p.insurance_usd]
    if not amounts:
        return {}
    fees = total_fees(amounts)
    return {
        "insured_value": str(sum(amounts, start=Decimal(0))),
        "insurance": str(fees),
        "total_with_insurance": str(report.total + fees),
    }


def run_estimate(args: argparse.Namespace, ctx: AppContext) -> int:
    plan = resolve_plan(ctx.store, selection_from(args, ctx))
    wants_dates = args.ship_on is not None or args.deliver_by is not None
    ctx.estimate_service.transit = args.transit or wants_dates
    deadline = deadline_from(args, "EasyPost (estimate)")
    dates: tuple[GroupDates, ...] = ()
    with deadline.scope():
        report = ctx.estimate_service.estimate(plan)
        if wants_dates and not deadline.expired:
            from app.services.delivery_dates import DeliveryDatesService

            dates = DeliveryDatesService(ctx.gateway).for_estimate(
                report, ship_on=args.ship_on, deliver_by=args.deliver_by
            )
    if deadline.expired:
        print(
            f"error: the estimate stopped at its deadline ({deadline.seconds:g} s): "
            f"{report.priced} of {len(report.orders)} orders priced",
            file=sys.stderr,
        )
        print(
            "hint: check the network and https://status.easypost.com, or allow more time "
            "with --deadline SECONDS",
            file=sys.stderr,
        )
    insurance = insurance_json(plan, report)
    if args.json:
        emit_json(
            {
                **estimate_json(report),
                **insurance,
                "dates": [
                    {
                        "group": d.group_id,
                        "service": d.service,
                        "estimated_delivery": d.estimated_delivery,
                        "ship_by": d.ship_by,
                        "note": d.note or None,
                    }
                    for d in dates
                ],
            }
        )
    else:
        print_estimate(report)
        if insurance:
            print(
                f"Insurance: ${insurance['insurance']} on ${insurance['insured_value']} "
                f"declared; total with insurance ${insurance['total_with_insurance']}"
            )
        for d in dates:
            parts = [f"{d.group_id} by {d.service}:"]
            if d.estimated_delivery:
                parts.append(f"arrives about {d.estimated_delivery}")
            if d.ship_by:
                parts.append(f"ship by {d.ship_by}")
            print(" ".join(parts + ([d.note] if d.note else [])))
    # 2: some orders not priced, 4: none priced (app.cli.exit_codes).
    return outcome(report.priced, len(report.failed))
