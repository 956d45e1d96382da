"""`packdesk-cli info`: where this profile keeps its files (a first, always-working command)."""

from __future__ import annotations

import argparse

from app import __version__
from app.bootstrap import AppContext
from app.cli.output import emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("info", help="show version, profile and file locations")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(func=run_info)


def run_info(args: argparse.Namespace, ctx: AppContext) -> int:
    info = {
        "version": __version__,
        "profile": ctx.options.profile,
        "profile_dir": str(ctx.paths.root),
        "database": ctx.database_shown,
    }
    if args.json:
        emit_json(info)
    else:
        for key, value in info.items():
            print(f"{key:12} {value}")
    return 0
