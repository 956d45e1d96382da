"""`packdesk-cli import FILE`: read an order file and apply it to the order cache."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.bootstrap import AppContext
from app.cli.output import emit_json
from app.documents.csv_safe import FORMULA_SAFE_HELP
from app.services.importing import ImportReport

PRESET_CHOICES = ("auto", "kickstarter", "backerkit", "shopify", "generic")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "import",
        help="import an order file (Kickstarter, BackerKit, Shopify or mapped CSV)",
        description="Import orders. Re-importing is safe: unchanged orders are not touched, "
        "changed ones are updated unless they already have a label (then they are listed as "
        "conflicts). Orders the file now shows cancelled, refunded or dropped at the source are "
        "cancelled (labelled ones are listed as conflicts). A file with no data rows imports "
        "nothing and exits 0 with a warning on stderr (an empty export is not an error).",
    )
    parser.add_argument("file", type=Path, help="the order file (CSV or XLSX)")
    parser.add_argument("--preset", choices=PRESET_CHOICES, default="auto")
    parser.add_argument(
        "--mapping", type=Path, metavar="MAPPING.json", help="column mapping for generic files"
    )
    parser.add_argument(
        "--errors-csv",
        action="store_true",
        help="write rejected rows to <FILE stem>.errors.csv beside the file (never through a "
        "symlink; an existing one only with --overwrite). " + FORMULA_SAFE_HELP,
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing <FILE stem>.errors.csv"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_import)


def report_json(report: ImportReport) -> dict[str, object]:
    return {
        "file": str(report.file),
        "preset": report.preset,
        "rows_read": report.rows_read,
        "orders_created": report.orders_created,
        "orders_updated": report.orders_updated,
        "orders_unchanged": report.orders_unchanged,
        "items_created": report.items_created,
        "orders_cancelled": report.orders_cancelled,
        "cancelled": [
            {
                "order_id": c.order_id,
                "source": c.source,
                "external_id": c.external_id,
                "row": c.row,
                "reason": c.reason,
            }
            for c in report.cancelled
        ],
        "conflicts": [
            {
                "order_id": c.order_id,
                "source": c.source,
                "external_id": c.external_id,
                "status": c.status,
                "row": c.row,
                "message": c.message,
            }
            for c in report.conflicts
        ],
        # "row" as a spreadsheet numbers it; "line" the text line, when quoted line breaks
        # make them differ (else null).
        "errors": [
            {"row": e.row, "line": e.line or None, "column": e.column, "message": e.message}
            for e in report.errors
        ],
        "warnings": [
            {"row": w.row, "line": w.line or None, "column": w.column, "message": w.message}
            for w in report.warnings
        ],
        "errors_csv": str(report.errors_csv) if report.errors_csv else None,
        "errors_csv_failure": report.errors_csv_failure or None,
        "groups_defaulted": report.groups_defaulted,
        "defaults_problem": report.defaults_problem or None,
    }


def run_import(args: argparse.Namespace, ctx: AppContext) -> int:
    report = ctx.import_service.import_file(
        args.file,
        preset=args.preset,
        mapping_path=args.mapping,
        write_error_csv=args.errors_csv,
        overwrite_errors_csv=args.overwrite,
    )
    if report.rows_read == 0:
        print(f"warning: {report.file} has no orders (only a header row)", file=sys.stderr)
    if args.json:
        emit_json(report_json(report))
        return _exit_code(report)
    print(f"{report.file} ({report.preset}): {report.rows_read} rows read")
    print(
        f"  {report.orders_created} created, {report.orders_updated} updated, "
        f"{report.orders_unchanged} unchanged, {report.orders_cancelled} cancelled, "
        f"{report.items_created} new SKUs"
    )
    for gone in report.cancelled:
        print(
            f"  cancelled, row {gone.row}: order {gone.order_id} "
            f"({gone.source}:{gone.external_id}): {gone.reason}"
        )
    for conflict in report.conflicts:
        print(f"  conflict, row {conflict.row}: {conflict.message}")
    for error in report.errors:
        print(f"  error, {error.where}, {error.column}: {error.message}")
    if report.warnings:
        print(f"  {len(report.warnings)} values were normalised (see --json for each)")
    if report.errors_csv:
        print(f"  rejected rows written to {report.errors_csv}")
    if report.groups_defaulted:
        print(f"  {report.groups_defaulted} new package group(s) got the Setup defaults")
    if report.defaults_problem:
        print(f"  new groups got no defaults: {report.defaults_problem}")
    return _exit_code(report)


def _exit_code(report: ImportReport) -> int:
    """1 when the requested error CSV could not be written (the import itself stands)."""
    if not report.errors_csv_failure:
        return 0
    print(
        f"error: {report.errors_csv_failure}; the import above was saved, "
        "only the error CSV is missing (run it again with --errors-csv to retry)",
        file=sys.stderr,
    )
    return 1
