"""`packdesk-cli track [--refresh] [--order ID] [--json]`: tracking of bought labels."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.deadline_opt import add_deadline_argument, deadline_from
from app.cli.exit_codes import outcome
from app.cli.output import emit_json, emit_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("track", help="tracking of bought labels (refresh from EasyPost)")
    parser.add_argument("--refresh", action="store_true", help="create/refresh trackers first")
    parser.add_argument("--order", type=int, help="only this order")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_deadline_argument(parser, 120.0)
    parser.set_defaults(func=run_track)


def run_track(args: argparse.Namespace, ctx: AppContext) -> int:
    service = ctx.tracking_service
    summary: dict[str, int] = {}
    if args.refresh:
        with deadline_from(args, "EasyPost (tracking)").scope():
            report = service.refresh(order_id=args.order)
        summary = {
            "refreshed": len(report.lines),
            "shipped": report.shipped,
            "delivered": report.delivered,
            "errors": report.errors,
        }
        rows = [
            (
                line.order,
                line.order_id,
                line.tracking_code,
                line.status,
                line.first_scan_at,
                line.delivered_at,
                line.error,
            )
            for line in report.lines
        ]
    else:
        rows = [
            (
                f.order_external_id,
                f.order_id,
                f.tracking_code,
                f.tracking_status or "",
                f.first_scan_at,
                f.delivered_at,
                "",
            )
            for f in service.current(order_id=args.order)
        ]
    # With --refresh: 2 when some trackers failed, 4 when all did (app.cli.exit_codes).
    code = outcome(len(rows) - summary["errors"], summary["errors"]) if summary else 0
    if args.json:
        emit_json(
            {
                **summary,
                "labels": [
                    {
                        "order": order,
                        "order_id": order_id,
                        "tracking_code": code,
                        "status": status,
                        "first_scan_at": first,
                        "delivered_at": delivered,
                        "error": error,
                    }
                    for order, order_id, code, status, first, delivered, error in rows
                ],
            }
        )
        return code
    emit_table(
        ("ORDER", "TRACKING", "STATUS", "FIRST SCAN", "DELIVERED", "ERROR"),
        [
            (
                order,
                code,
                status or "-",
                f"{first:%Y-%m-%d %H:%M}" if first else "",
                f"{delivered:%Y-%m-%d %H:%M}" if delivered else "",
                error,
            )
            for order, _, code, status, first, delivered, error in rows
        ],
    )
    if summary:
        print(
            f"{summary['refreshed']} refreshed: {summary['shipped']} shipped, "
            f"{summary['delivered']} delivered, {summary['errors']} errors"
        )
    return code
