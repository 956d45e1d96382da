"""`packdesk-cli printers list|add|remove|default|status|discover|new-roll|roll`: label printers."""

from __future__ import annotations

import argparse
import dataclasses

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.domain.errors import AppError, ErrorKind
from app.infra.settings import DEMO_PRINTER_URI, ConfiguredPrinter, PrinterSettings
from app.services.print_queue import printer_app_error
from printers.errors import PrinterError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("printers", help="label printers: configure, check, discover")
    actions = parser.add_subparsers(dest="printers_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the configured printers")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.set_defaults(func=run_list)

    add = actions.add_parser("add", help="add a printer by name and URI")
    add.add_argument("name", help="a short name, e.g. desk-zebra")
    add.add_argument("uri", help="usb://VID:PID, tcp://host[:port], spool://QUEUE, virtual://NAME")
    add.add_argument("--model", default="", help="model name (detected for USB and TCP Zebras)")
    add.add_argument("--default", action="store_true", help="make it the default printer")
    add.set_defaults(func=run_add)

    remove = actions.add_parser("remove", help="forget a printer")
    remove.add_argument("name")
    remove.set_defaults(func=run_remove)

    default = actions.add_parser("default", help="choose the printer used when none is named")
    default.add_argument("name", help="a configured name or a URI")
    default.set_defaults(func=run_default)

    status = actions.add_parser("status", help="ask a printer how it is (default printer)")
    status.add_argument("name", nargs="?", help="name or URI (default: the default printer)")
    status.add_argument("--json", action="store_true", help="print a JSON object")
    status.set_defaults(func=run_status)

    discover = actions.add_parser("discover", help="find USB label printers")
    discover.add_argument("--json", action="store_true", help="print a JSON list")
    discover.set_defaults(func=run_discover)

    from app.cli.roll_cmd import register_actions as register_roll_actions

    register_roll_actions(actions)  # new-roll, roll: labels left on the roll


def _check_uri(uri: str) -> str:
    from printers.uri import parse_uri

    try:
        return str(parse_uri(uri))
    except PrinterError as error:
        raise printer_app_error(error) from error


def _check_model(model: str) -> None:
    from printers.models import MODELS

    if model and model not in MODELS:
        raise AppError(
            f"Unknown printer model {model!r}.",
            hint="Use one of: " + ", ".join(MODELS),
            kind=ErrorKind.INVALID_INPUT,
        )


def _printers(ctx: AppContext) -> PrinterSettings:
    return ctx.settings_store.load().printers


def _default_name(settings: PrinterSettings) -> str:
    return settings.resolve(None).name


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    settings = _printers(ctx)
    default = _default_name(settings)
    rows = [
        {"name": p.name, "uri": p.uri, "model": p.model, "default": p.name == default}
        for p in settings.configured
    ]
    if not any(row["default"] for row in rows):
        rows.append({"name": default, "uri": default, "model": "", "default": True})
    if args.json:
        emit_json(rows)
        return 0
    emit_table(
        ("NAME", "DEFAULT", "URI", "MODEL"),
        [
            (r["name"], "*" if r["default"] else "", r["uri"], r["model"] or "(detect)")
            for r in rows
        ],
    )
    return 0


def run_add(args: argparse.Namespace, ctx: AppContext) -> int:
    settings = _printers(ctx)
    uri = _check_uri(args.uri)
    _check_model(args.model)
    if "://" in args.name or not args.name.strip():
        raise AppError(
            f"{args.name!r} is not a printer name.",
            hint="Use a short name without '://', e.g. desk-zebra.",
        )
    if any(p.name == args.name for p in settings.configured):
        raise AppError(
            f"There is already a printer called {args.name!r}.",
            hint="Remove it first, or choose another name.",
            kind=ErrorKind.CONFLICT,
        )
    added = ConfiguredPrinter(args.name, uri, args.model)
    changed = dataclasses.replace(
        settings,
        configured=(*settings.configured, added),
        default=args.name if args.default or not settings.configured else settings.default,
    )
    ctx.settings_store.update_printers(changed)
    mark = " (default)" if changed.default == args.name else ""
    print(f"added {args.name}: {uri}{mark}")
    return 0


def run_remove(args: argparse.Namespace, ctx: AppContext) -> int:
    settings = _printers(ctx)
    kept = tuple(p for p in settings.configured if p.name != args.name)
    if len(kept) == len(settings.configured):
        raise AppError(f"There is no printer called {args.name!r}.", kind=ErrorKind.NOT_FOUND)
    default = "" if settings.default == args.name else settings.default
    ctx.settings_store.update_printers(PrinterSettings(kept, default))
    print(f"removed {args.name}")
    return 0


def run_default(args: argparse.Namespace, ctx: AppContext) -> int:
    settings = _printers(ctx)
    chosen = settings.resolve(args.name)  # NOT_FOUND for an unknown name
    if chosen.uri == chosen.name:
        _check_uri(chosen.uri)
    ctx.settings_store.update_printers(dataclasses.replace(settings, default=chosen.name))
    print(f"default printer: {chosen.name}")
    return 0


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    from printers.printer import open_printer

    printer = _printers(ctx).resolve(args.name)
    try:
        with open_printer(printer.uri, printer.model or None) as opened:
            status = opened.status()
            model = opened.model.name
    except PrinterError as error:
        raise printer_app_error(error) from error
    if args.json:
        emit_json(
            {
                "name": printer.name,
                "uri": printer.uri,
                "model": model,
                "state": status.state.value,
                "ok": status.ok,
                "problems": [p.value for p in status.problems],
                "message": status.message,
            }
        )
    else:
        print(f"{printer.name} ({printer.uri}, {model}): {status.message or status.state.value}")
    return 0 if status.ok or status.state.value == "unknown" else 1


def run_discover(args: argparse.Namespace, ctx: AppContext) -> int:
    from printers.discovery import discover

    try:
        found = discover()
    except PrinterError as error:
        raise printer_app_error(error) from error
    if args.json:
        emit_json(
            [
                {
                    "uri": f.uri,
                    "product": f.product,
                    "manufacturer": f.manufacturer,
                    "model": f.model.name if f.model else None,
                    "language": f.language.value if f.language else None,
                    "dpi": f.dpi,
                    "note": f.note,
                }
                for f in found
            ]
        )
        return 0
    if not found:
        print(f"no USB label printers found (the demo printer {DEMO_PRINTER_URI} always works)")
    for printer in found:
        print(printer.describe())
    return 0
