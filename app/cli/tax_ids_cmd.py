"""`packdesk-cli tax-ids show|set`: the sender's IOSS, EU VAT, UK VAT and EORI numbers."""

from __future__ import annotations

import argparse
import dataclasses

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.domain.tax_ids import FIELDS, SenderTaxIds, label


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("tax-ids", help="the sender's IOSS, VAT and EORI numbers")
    actions = parser.add_subparsers(dest="tax_ids_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="show the identifiers of this profile")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(func=run_show)
    change = actions.add_parser("set", help="set identifiers ('' clears one)")
    for field in FIELDS:
        change.add_argument(
            f"--{field.replace('_', '-')}", dest=field, metavar="ID", help=label(field)
        )
    change.set_defaults(func=run_set)


def _print(ids: SenderTaxIds) -> None:
    emit_table(["identifier", "value"], [(label(f), ids.get(f) or "-") for f in FIELDS])


def run_show(args: argparse.Namespace, ctx: AppContext) -> int:
    ids = ctx.tax_ids_service.get()
    if args.json:
        emit_json(dataclasses.asdict(ids))
    else:
        _print(ids)
    return 0


def run_set(args: argparse.Namespace, ctx: AppContext) -> int:
    _print(ctx.tax_ids_service.set(**{field: getattr(args, field) for field in FIELDS}))
    return 0
