"""`packdesk-cli relabel --order ID [--yes]`: refund a label bought for an old address, rebuy."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.exit_codes import EXIT_NOT_CONFIRMED, EXIT_TOTAL_FAILURE
from app.cli.output import emit_json, emit_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "relabel",
        help="orders whose address changed after their label was bought: refund and rebuy",
        description="Without --order: list the orders that need a relabel (their address "
        "differs from the one their live label was bought for). With --order ID --yes: ask the "
        "old label's refund and buy a new label for the order's current address, as one action.",
    )
    parser.add_argument("--order", type=int, metavar="ID", help="the order to relabel")
    parser.add_argument("--yes", action="store_true", help="confirm: refund and spend the money")
    parser.add_argument("--no-verify", action="store_true", help="skip address verification")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_relabel)


def run_relabel(args: argparse.Namespace, ctx: AppContext) -> int:
    service = ctx.relabel_service
    if args.order is None or not args.yes:
        needs = service.needing_relabel(None if args.order is None else [args.order])
        if args.json:
            emit_json(
                [
                    {
                        "order": n.order_id,
                        "external_id": n.external_id,
                        "label": n.label_id,
                        "tracking_code": n.tracking_code,
                        "changed": list(n.changed),
                    }
                    for n in needs.values()
                ]
            )
        else:
            emit_table(
                ("ORDER", "EXTERNAL", "LABEL", "TRACKING", "CHANGED"),
                [
                    (n.order_id, n.external_id, n.label_id, n.tracking_code, ", ".join(n.changed))
                    for n in needs.values()
                ],
            )
        if args.order is not None:
            print("Nothing was done: add --yes to refund the old label and buy a new one.")
            return EXIT_NOT_CONFIRMED
        return 0
    result = service.relabel(args.order, verify_addresses=not args.no_verify)
    new = result.new_label
    if args.json:
        emit_json(
            {
                "order": result.order_id,
                "old_label": result.old_label_id,
                "old_tracking_code": result.old_tracking_code,
                "refund_status": result.refund_status,
                "new_label": new.label_id if new else None,
                "new_tracking_code": new.tracking_code if new else None,
                "amount": str(new.amount_usd) if new else None,
                "problem": result.problem or None,
            }
        )
    else:
        print(f"old label {result.old_tracking_code}: refund {result.refund_status}")
        if new is not None:
            print(f"new label {new.tracking_code} for ${new.amount_usd}")
        if result.problem:
            print(f"problem: {result.problem}")
    return 0 if new is not None else EXIT_TOTAL_FAILURE
