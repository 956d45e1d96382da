"""`packdesk-cli scan CODE [--station S] [--json]`: mark the order behind a barcode shipped."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.email_cmd import email_service, print_email_report
from app.cli.output import emit_json
from app.services.scan_to_ship import ScanStatus

#: Exit codes: 0 shipped or already shipped (the parcel may go), 3 anything else.
EXIT_NOT_SHIPPED = 3


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "scan",
        help="scan a label (or packing slip) barcode: mark its order shipped",
        description="Accepts what a handheld scanner sends: 420+ZIP+tracking (with or without "
        "GS), ]C1 prefixes, bare USPS or S10 numbers, PD-ORDER:<id> and #<order> barcodes.",
    )
    parser.add_argument("code", help="the scanned text")
    parser.add_argument("--station", help="station name (default: this desk's)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_scan)


def run_scan(args: argparse.Namespace, ctx: AppContext) -> int:
    outcome = ctx.scan_to_ship_service.scan(args.code, station=args.station)
    emails = None
    if outcome.status is ScanStatus.SHIPPED and outcome.order_id:
        emails = email_service(ctx).notify_shipped([outcome.order_id])
    if args.json:
        emit_json(outcome.to_json())
    else:
        print(f"{outcome.status.value.upper()}: {outcome.message}")
        if emails is not None:
            print_email_report(emails)
    return 0 if outcome.ok else EXIT_NOT_SHIPPED
