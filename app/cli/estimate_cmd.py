"""`packdesk-cli estimate`: rates per service for selected groups (or orders), summed."""

from __future__ import annotations

import argparse
import sys

from app.bootstrap import AppContext
from app.cli.deadline_opt import add_deadline_argument, deadline_from
from app.cli.exit_codes import outcome
from app.cli.output import emit_json, emit_table
from app.services.buy_plan import Selection, resolve_plan
from app.services.estimate import EstimateReport, ServiceTotal

#: Seconds an estimate may take overall (16 orders against a silent server took 246 s).
DEFAULT_DEADLINE_S = 120.0


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    """--group / --order / --package-type / --service, shared with `buy`."""
    parser.add_argument(
        "--group", action="append", default=[], metavar="G", help="a package group (repeatable)"
    )
    parser.add_argument(
        "--order", action="append", default=[], type=int, metavar="ID", help="an order id"
    )
    parser.add_argument("--package-type", metavar="T", help="package type for every group")
    parser.add_argument(
        "--service",
        metavar="S",
        help="USPS service for every order, or 'cheapest' (default: each group's own, its "
        "service for domestic orders and its intl service for international ones)",
    )


def selection_from(args: argparse.Namespace) -> Selection:
    return Selection(
        groups=tuple(args.group),
        order_ids=tuple(args.order),
        package_type=args.package_type,
        service=args.service,
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


def print_estimate(report: EstimateReport) -> None:
    for group in report.groups:
        print(f"{group.group_id}: {group.orders} orders, chosen services ${group.chosen_total}")
        emit_table(
            ["service", "orders", "total", "cheapest", "days"],
            [
                (t.service, t.count, f"${t.total}", f"${t.cheapest}", _days(t))
                for t in group.services
            ],
        )
        print()
    print(f"All: {len(report.orders)} orders, {report.priced} priced, total ${report.total}")
    emit_table(
        ["service", "orders", "total", "cheapest", "days"],
        [(t.service, t.count, f"${t.total}", f"${t.cheapest}", _days(t)) for t in report.services],
    )
    for failed in report.failed:
        print(f"not priced: order {failed.external_id}: {failed.error}", file=sys.stderr)


def run_estimate(args: argparse.Namespace, ctx: AppContext) -> int:
    plan = resolve_plan(ctx.store, selection_from(args))
    deadline = deadline_from(args, "EasyPost (estimate)")
    with deadline.scope():
        report = ctx.estimate_service.estimate(plan)
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
    if args.json:
        emit_json(estimate_json(report))
    else:
        print_estimate(report)
    # 2: some orders not priced, 4: none priced (app.cli.exit_codes).
    return outcome(report.priced, len(report.failed))
