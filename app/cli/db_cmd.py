"""`packdesk-cli db`: move a desk's database onto a PostgreSQL server."""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING

from app.cli.output import emit_json

if TYPE_CHECKING:
    from app.bootstrap import AppContext


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("db", help="the database: move this desk onto PostgreSQL")
    commands = parser.add_subparsers(dest="db_command", required=True)
    move = commands.add_parser(
        "migrate-to",
        help="copy this profile's SQLite database into an empty PostgreSQL database and use it",
    )
    move.add_argument("url", help="postgresql://user@host:5432/dbname (no password in it)")
    move.add_argument(
        "--ask-password",
        action="store_true",
        help="ask for the password and keep it in the keyring (else keyring or ~/.pgpass)",
    )
    move.add_argument("--json", action="store_true", help="print one JSON object")
    move.set_defaults(func=run_migrate_to)


def run_migrate_to(args: argparse.Namespace, ctx: AppContext) -> int:
    password = getpass.getpass("PostgreSQL password: ") if args.ask_password else None
    report = ctx.database_move_service.migrate_to(args.url, password=password)
    if args.json:
        emit_json(
            {
                "database": report.url,
                "rows": report.copy.rows,
                "tables": [
                    {"table": t.name, "rows": t.rows, "sha256": t.checksum}
                    for t in report.copy.tables
                ],
            }
        )
    else:
        for table in report.copy.tables:
            print(f"{table.name:28} {table.rows:>9,} rows  sha256 {table.checksum[:16]}")
        print(f"copied and verified {report.copy.rows:,} rows; the profile now uses {report.url}")
        print(f"the SQLite file {ctx.database_file} is kept as it was (a fallback)")
    return 0
