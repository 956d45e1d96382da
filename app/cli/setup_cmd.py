"""`packdesk-cli setup check|backup|apply-defaults`: the Setup panel's services, headless."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.bootstrap import AppContext
from app.cli.output import emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("setup", help="what this desk still needs; database backup")
    actions = parser.add_subparsers(dest="setup_action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="the checklist: key, ship-from address, printer")
    check.add_argument("--json", action="store_true", help="print a JSON object")
    check.set_defaults(func=run_check)
    backup = actions.add_parser("backup", help="copy the database safely (SQLite backup API)")
    backup.add_argument("--to", type=Path, help="the new file (default: <profile>/backups/...)")
    backup.set_defaults(func=run_backup)
    apply = actions.add_parser(
        "apply-defaults", help="give groups with no choice yet the desk's package type/services"
    )
    apply.set_defaults(func=run_apply_defaults)


def run_check(args: argparse.Namespace, ctx: AppContext) -> int:
    state = ctx.setup_checklist_service.check()
    if args.json:
        emit_json({"complete": state.complete, "mode": state.running_mode, "items": state.items})
    else:
        print(f"mode: {state.running_mode}")
        for item in state.items:
            print(f"[{'x' if item.done else ' '}] {item.title}: {item.detail}")
            if not item.done:
                print(f"    fix: {item.fix}")
    return 0 if state.complete else 1


def run_backup(args: argparse.Namespace, ctx: AppContext) -> int:
    result = ctx.database_backup_service.backup(args.to)
    print(f"backed up {ctx.database_file} to {result.path} ({result.size_bytes} bytes)")
    return 0


def run_apply_defaults(args: argparse.Namespace, ctx: AppContext) -> int:
    count = ctx.group_defaults_service.apply_to_new_groups()
    print(f"{count} package group(s) got the defaults")
    return 0
