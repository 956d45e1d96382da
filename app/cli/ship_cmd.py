"""`packdesk-cli ship --order N... [--note TEXT] [--json]`: mark orders shipped by hand."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.email_cmd import email_service, print_email_report
from app.cli.output import emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "ship",
        help="mark orders shipped by hand (no tracking, or no Packdesk label); audited",
    )
    parser.add_argument(
        "--order",
        dest="orders",
        action="extend",
        nargs="+",
        required=True,
        help="the order's number as shown (or source:number, id:N; several allowed)",
    )
    parser.add_argument("--note", default="", help="why, or how it went (kept in the audit log)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_ship)


def run_ship(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.manual_ship import ManualShipService

    report = ManualShipService(ctx.store, ctx.audit_log).ship(args.orders, note=args.note)
    emails = email_service(ctx).notify_shipped(report.shipped)
    if args.json:
        emit_json(
            {**report.to_json(), **({"emails": emails.to_json()} if emails is not None else {})}
        )
        return 0
    print(f"{len(report.shipped)} marked shipped, {len(report.already)} already shipped")
    if emails is not None:
        print_email_report(emails)
    return 0
