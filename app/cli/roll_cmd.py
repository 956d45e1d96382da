"""`packdesk-cli printers new-roll NAME --labels N` and `printers roll [NAME]`: labels left."""

from __future__ import annotations

import argparse
import sys

from app.bootstrap import AppContext
from app.cli.output import emit_json
from app.services.roll_supply import BatchCheck, RollStatus


def register_actions(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the roll actions to `packdesk-cli printers`."""
    new_roll = actions.add_parser(
        "new-roll", help="a new roll of labels was loaded: count the labels left from it"
    )
    new_roll.add_argument("name", help="printer name or URI")
    new_roll.add_argument(
        "--labels", type=int, required=True, metavar="N", help="labels on the new roll, e.g. 250"
    )
    new_roll.add_argument("--json", action="store_true", help="print a JSON object")
    new_roll.set_defaults(func=run_new_roll)

    roll = actions.add_parser("roll", help="labels left on a printer's roll (default printer)")
    roll.add_argument("name", nargs="?", help="name or URI (default: the default printer)")
    roll.add_argument("--json", action="store_true", help="print a JSON object")
    roll.set_defaults(func=run_roll)


def roll_json(status: RollStatus) -> dict[str, object]:
    return {
        "name": status.printer_name,
        "uri": status.printer_uri,
        "labels_left": status.labels_left,
        "source": status.source.value,
        "labels_loaded": status.labels_loaded,
        "level": status.level.value if status.level else None,
        "labels_per_minute": round(status.per_minute, 1) if status.per_minute else None,
    }


def _describe(status: RollStatus) -> str:
    if status.labels_left is None:
        return (
            f"{status.printer_name}: labels left unknown (enter the roll when loading one: "
            f"packdesk-cli printers new-roll {status.printer_name} --labels N)"
        )
    speed = f", {status.per_minute:.0f} labels/min" if status.per_minute else ""
    return f"{status.text} ({status.source.value}{speed})"


def run_new_roll(args: argparse.Namespace, ctx: AppContext) -> int:
    status = ctx.roll_supply_service.new_roll(args.name, args.labels)
    if args.json:
        emit_json(roll_json(status))
    else:
        print(f"new roll: {_describe(status)}")
    return 0


def run_roll(args: argparse.Namespace, ctx: AppContext) -> int:
    status = ctx.roll_supply_service.status(args.name, ask_printer=True)
    if args.json:
        emit_json(roll_json(status))
    else:
        print(_describe(status))
    return 0


def warn_before_buying(ctx: AppContext, printer: str, needed: int) -> BatchCheck | None:
    """`buy --printer`: say before spending when the roll cannot finish the batch, and how
    long it will print (on stderr, so --json output stays one object). Another station's
    printer: its station keeps the roll count, so only where the labels print is said."""
    remote = ctx.print_queue_service.elsewhere(printer)
    if remote is not None:
        print(f"labels print on {remote.name} at station {remote.station}", file=sys.stderr)
        return None
    check = ctx.roll_supply_service.check_batch(printer, needed)
    for line in check.lines:
        print(
            ("warning: " if check.warning and line == check.lines[0] else "") + line,
            file=sys.stderr,
        )
    return check
