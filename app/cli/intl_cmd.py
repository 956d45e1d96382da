"""`packdesk-cli intl report`: duties, DDP and tracking per group and destination."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.bootstrap import AppContext
from app.cli.estimate_cmd import add_selection_arguments, selection_from
from app.cli.output import emit_json, emit_table
from app.services.buy_plan import resolve_plan

if TYPE_CHECKING:  # the report loads when the command runs, not at every CLI start
    from app.services.intl_report import InternationalReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("intl", help="international parcels: duties, DDP, tracking")
    actions = parser.add_subparsers(dest="intl_action", metavar="ACTION", required=True)
    report = actions.add_parser(
        "report",
        help="what backers pay on delivery, DDP, tracked services, orders to ship by hand",
    )
    add_selection_arguments(report)
    report.add_argument("--json", action="store_true", help="print one JSON object")
    report.set_defaults(func=run_report)


def _money(value: object) -> str:
    return "-" if value is None else f"${value}"


def report_json(report: InternationalReport) -> dict[str, object]:
    return {
        "destinations": [
            {
                "group": d.group_id,
                "country": d.country,
                "orders": d.orders,
                "backer_pays_usd": str(d.backer_pays_usd),
                "eu_line_duty_usd": str(d.duty_usd),
                "ioss_covers_vat": d.ioss_covers_vat,
                "ddp_available": d.ddp_available,
                "ddp_cost_usd": None if d.ddp_cost_usd is None else str(d.ddp_cost_usd),
                "tracked_services": list(d.tracked_services),
                "untracked_services": list(d.untracked_services),
                "notes": list(d.notes),
            }
            for d in report.destinations
        ],
        "manual_shipping": [
            {
                "order": m.order_id,
                "external_id": m.external_id,
                "country": m.country,
                "service": m.service,
            }
            for m in report.manual
        ],
    }


def run_report(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.intl_report import InternationalReportService

    plan = resolve_plan(ctx.store, selection_from(args, ctx))
    report = InternationalReportService().report(plan)
    if args.json:
        emit_json(report_json(report))
        return 0
    emit_table(
        (
            "GROUP",
            "TO",
            "ORDERS",
            "BACKER PAYS/PARCEL",
            "EU DUTY ALL",
            "IOSS→VAT",
            "DDP COST ALL",
            "UNTRACKED",
        ),
        [
            (
                d.group_id,
                d.country,
                d.orders,
                _money(d.backer_pays_usd),
                _money(d.duty_usd),
                "yes" if d.ioss_covers_vat else "no",
                _money(d.ddp_cost_usd) if d.ddp_available else "not offered",
                ", ".join(d.untracked_services) or "-",
            )
            for d in report.destinations
        ],
    )
    for d in report.destinations:
        for note in d.notes:
            print(f"  {d.group_id} {d.country}: {note}")
    if report.manual:
        print("No tracking with the chosen service; ship these by hand or change the service:")
        for m in report.manual:
            print(f"  order {m.order_id} ({m.external_id}) to {m.country} by {m.service}")
    return 0
