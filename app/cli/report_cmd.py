"""`packdesk-cli report KIND [--status ready|all] [--batch B] [--pdf FILE | --csv FILE]`."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.bootstrap import AppContext
from app.documents.csv_safe import FORMULA_SAFE_HELP

#: The report kinds and scopes (app.services.reports; spelled here so that building the
#: command line does not load reportlab).
KINDS = ("group-counts", "groups", "pick-list", "spend")
SCOPES = ("ready", "all")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "report",
        help="reports: package group counts, package groups, pick list, spend (PDF or CSV)",
        description=(
            "group-counts: each package group's items and order count, and each item's total "
            "(every order not cancelled, ready or not, unless --status ready); groups: each "
            "group with its weight, package and services, then its orders; pick-list: total "
            "quantity of each SKU to pull; spend: spend and refunds by service, group, batch "
            "and day, refunds netted. " + FORMULA_SAFE_HELP
        ),
    )
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument(
        "--status",
        choices=SCOPES,
        help="ready: ready-to-ship orders; all: every order not cancelled "
        "(default: all for group-counts, ready for groups and pick-list)",
    )
    parser.add_argument("--batch", help="only the orders of this batch (B-YYYYMMDD-NNN)")
    parser.add_argument("--group", action="append", dest="groups", help="only this group (repeat)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--pdf", type=Path, help="write a PDF here")
    target.add_argument("--csv", type=Path, help="write a CSV here")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.reports import ReportKind, ReportService, StatusScope

    service = ReportService(ctx.store)
    report = service.build(
        ReportKind(args.kind),
        status=StatusScope(args.status) if args.status else None,
        batch=args.batch,
        group_ids=args.groups,
    )
    if args.pdf:
        service.write_pdf(report, args.pdf, overwrite=args.overwrite)
        print(f"wrote {args.pdf}")
    else:
        rows = service.write_csv(report, args.csv, overwrite=args.overwrite)
        print(f"wrote {args.csv} ({rows} rows)")
    return 0
