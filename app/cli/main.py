"""packdesk-cli: parse global options, build the context, run one command, map errors to exits."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.bootstrap import RuntimeOptions, build_context
from app.cli.commands import COMMAND_MODULES
from app.cli.exit_codes import EPILOG, EXIT_APP_ERROR
from app.domain.errors import AppError
from app.domain.redaction import redact
from app.infra.logging_setup import configure_logging
from printers.errors import PrinterError

#: Exit codes: see app.cli.exit_codes (0 ok, 1 a known error the user can fix, ...).


def build_parser() -> argparse.ArgumentParser:
    """The full command-line grammar, global options first."""
    parser = argparse.ArgumentParser(
        prog="packdesk-cli", description="Packdesk, headless.", epilog=EPILOG
    )
    parser.add_argument("--version", action="version", version=f"packdesk {__version__}")
    parser.add_argument("--profile", help="profile name (default: $PACKDESK_PROFILE or 'default')")
    parser.add_argument("--home", type=Path, help="base folder for profiles ($PACKDESK_HOME)")
    parser.add_argument(
        "--db", help="SQLite database file or postgresql://user@host:5432/db URL ($PACKDESK_DB)"
    )
    parser.add_argument("--api-base", help="EasyPost API base URL ($EASYPOST_API_BASE)")
    parser.add_argument(
        "--sandbox", action="store_true", help="run against the profile's offline EasyPost sandbox"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; known errors print their message and hint and exit 1."""
    args = build_parser().parse_args(argv)
    options = RuntimeOptions.from_env(
        profile=args.profile,
        db=args.db,
        home=args.home,
        api_base=args.api_base,
        sandbox=args.sandbox or None,
        verbose=args.verbose or None,
    )
    try:
        with build_context(options) as ctx:
            configure_logging(ctx.paths.logs, verbose=options.verbose)
            return int(args.func(args, ctx))
    except (AppError, PrinterError) as error:
        # A PrinterError is the printer library's known error (a bad address, paper out):
        # shown like an AppError, message and fix, never as a traceback.
        print(f"error: {redact(error.message)}", file=sys.stderr)
        if error.hint:
            print(f"hint: {redact(error.hint)}", file=sys.stderr)
        return EXIT_APP_ERROR
