"""`packdesk-cli insurance list | set --group G... auto|AMOUNT|none`: groups' insurance."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "insurance",
        help="package groups' parcel insurance (auto: the items' value, or an amount)",
        description="Insurance is bought through EasyPost with each label (0.5%% of the value, "
        "at least $1). `buy --insurance` overrides a group's setting for one run.",
    )
    actions = parser.add_subparsers(dest="insurance_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="groups with an insurance setting")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=run_list)
    setting = actions.add_parser("set", help="set (or clear, with none) groups' insurance")
    setting.add_argument("--group", action="append", required=True, dest="groups")
    setting.add_argument("choice", metavar="auto|AMOUNT|none")
    setting.set_defaults(func=run_set)


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.group_insurance import GroupInsuranceService

    settings = GroupInsuranceService(ctx.store).settings()
    if args.json:
        emit_json(settings)
    else:
        emit_table(("GROUP", "INSURANCE"), sorted(settings.items()))
    return 0


def run_set(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.group_insurance import GroupInsuranceService

    spelled = GroupInsuranceService(ctx.store).set(args.groups, args.choice)
    print(f"{len(args.groups)} groups: insurance {spelled or 'none'}")
    return 0
