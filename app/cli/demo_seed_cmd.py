"""`packdesk-cli demo-seed`: fill a profile the way `packdesk --demo` does (screenshots, tests)."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.output import emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "demo-seed",
        help="seed the profile with the demo's sample orders, SKU data, packages and sender "
        "(use with --profile demo; a seeded profile is left alone)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_demo_seed)


def run_demo_seed(args: argparse.Namespace, ctx: AppContext) -> int:
    report = ctx.demo_seeder.seed()
    if args.json:
        emit_json(report)
    elif report.seeded:
        print(
            f"demo seeded: {report.orders_created} orders, {report.import_errors} rows rejected, "
            f"{len(report.skus_updated)} SKUs completed, {len(report.package_types_added)} "
            f"package types, {len(report.groups_assigned)} groups assigned, printer "
            f"{report.printer or '(none)'}"
        )
    else:
        print("already seeded: nothing changed")
    return 0
