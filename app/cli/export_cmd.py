"""`packdesk-cli export tracking|shipped|refunds|audit ... --csv FILE`: CSV exports."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from app.bootstrap import AppContext
from app.documents.csv_safe import FORMULA_SAFE_HELP
from app.domain.exports import TrackingFormat


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from error


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "export",
        help="CSV exports: tracking uploads per platform, shipped orders, refunds, audit log",
        description=(
            "tracking: the live labels (never refunded ones) in the upload layout of a "
            "platform; carrier USPS, tracking numbers as text, the USPS tracking link. "
            + FORMULA_SAFE_HELP
        ),
    )
    parser.add_argument("what", choices=["tracking", "shipped", "refunds", "audit"])
    parser.add_argument(
        "--format",
        choices=[fmt.value for fmt in TrackingFormat],
        default=TrackingFormat.GENERIC.value,
        help="tracking upload layout (default generic)",
    )
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument("--batch", help="only this batch's labels (tracking)")
    scope.add_argument("--since", type=_day, help="from this day on (YYYY-MM-DD, desk time)")
    parser.add_argument("--csv", type=Path, required=True, help="write the CSV here")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    parser.set_defaults(func=run_export)


def run_export(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.exports import ExportService

    service = ExportService(ctx.store, ctx.audit_log)
    if args.what == "tracking":
        rows = service.tracking(
            TrackingFormat(args.format),
            args.csv,
            batch=args.batch,
            since=args.since,
            overwrite=args.overwrite,
        )
    elif args.batch:
        print("error: --batch applies to `export tracking` only; use --since", file=sys.stderr)
        return 2
    elif args.what == "shipped":
        rows = service.shipped(args.csv, since=args.since, overwrite=args.overwrite)
    elif args.what == "refunds":
        rows = service.refunds(args.csv, since=args.since, overwrite=args.overwrite)
    else:
        rows = service.audit(args.csv, since=args.since, overwrite=args.overwrite)
    print(f"wrote {args.csv} ({rows} rows)")
    return 0
