"""`packdesk-cli ready|hold|release`: mark orders ready to ship, hold them, release them."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.output import emit_json
from app.domain.order_flow import StatusAction
from app.services.orders import OrderSelection

_HELP = {
    StatusAction.READY: "mark orders ready to ship (on-hold orders are left alone)",
    StatusAction.HOLD: "put orders on hold (they leave their package groups)",
    StatusAction.RELEASE: "release held orders to where they were before the hold",
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for action in StatusAction:
        parser = sub.add_parser(action.value, help=_HELP[action])
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="every order it applies to")
        which.add_argument("--country", metavar="XX", help="orders to one country (ISO code)")
        which.add_argument(
            "--order",
            nargs="+",
            metavar="ID",
            help="order ids (from `orders`) or source:external_id",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.set_defaults(func=run_status_change, status_action=action)


def run_status_change(args: argparse.Namespace, ctx: AppContext) -> int:
    action: StatusAction = args.status_action
    selection = OrderSelection(all=args.all, country=args.country, refs=tuple(args.order or ()))
    report = ctx.order_service.change_status(action, selection)
    if args.json:
        emit_json(
            {
                "action": action.value,
                "changed": len(report.changed),
                "order_ids": list(report.changed),
                "already": report.already,
                "skipped": report.skipped,
                "in_flight": report.in_flight,
            }
        )
    else:
        frozen = f" ({report.in_flight} with a purchase in flight)" if report.in_flight else ""
        print(
            f"{action.value}: {len(report.changed)} changed, {report.already} already there, "
            f"{report.skipped} skipped{frozen}"
        )
    return 0
