"""`packdesk-cli printers list|add|remove|default|status|discover|new-roll|roll`: label printers."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.infra.settings import DEMO_PRINTER_URI, PrinterSettings
from app.services.print_queue import printer_app_error
from printers.errors import PrinterError
from printers.media import MEDIA


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("printers", help="label printers: configure, check, discover")
    actions = parser.add_subparsers(dest="printers_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the configured printers")
    listing.add_argument("--json", action="store_true", help="print a JSON list")
    listing.add_argument(
        "--all-stations",
        action="store_true",
        help="every station's printers (any desk can print there: buy --printer NAME@STATION)",
    )
    listing.set_defaults(func=run_list)

    add = actions.add_parser("add", help="add a printer by name and URI")
    add.add_argument("name", help="a short name, e.g. desk-zebra")
    add.add_argument("uri", help="usb://VID:PID, tcp://host[:port], spool://QUEUE, virtual://NAME")
    add.add_argument("--model", default="", help="model name (detected for USB and TCP Zebras)")
    add.add_argument("--default", action="store_true", help="make it the default printer")
    add.add_argument(
        "--label-format",
        default="",
        help="buy this printer's labels as PNG, ZPL or EPL2 (default: the profile's format)",
    )
    add.add_argument(
        "--media", default="", help="the labels loaded: " + ", ".join(MEDIA) + " (default 4x6 roll)"
    )
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


def _printers(ctx: AppContext) -> PrinterSettings:
    return ctx.settings_store.load().printers


def _default_name(settings: PrinterSettings) -> str:
    return settings.resolve(None).name


def _list_all_stations(args: argparse.Namespace, ctx: AppContext) -> int:
    choices = ctx.print_queue_service.directory.everywhere()
    rows = [
        {
            "station": c.printer.station,
            "name": c.printer.name,
            "uri": c.printer.uri,
            "model": c.printer.model,
            "here": c.here,
            "print_with": c.spec,
        }
        for c in choices
    ]
    if args.json:
        emit_json(rows)
        return 0
    emit_table(
        ("STATION", "NAME", "URI", "MODEL", "--printer"),
        [
            (
                str(r["station"]) + (" (here)" if r["here"] else ""),
                r["name"],
                r["uri"],
                r["model"] or "(detect)",
                r["print_with"],
            )
            for r in rows
        ],
    )
    return 0


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.all_stations:
        return _list_all_stations(args, ctx)
    settings = _printers(ctx)
    default = _default_name(settings)
    rows = [
        {
            "name": p.name,
            "uri": p.uri,
            "model": p.model,
            "default": p.name == default,
            "label_format": p.label_format,
            "media": p.media,
        }
        for p in settings.configured
    ]
    if not any(row["default"] for row in rows):
        rows.append(
            {
                "name": default,
                "uri": default,
                "model": "",
                "default": True,
                "label_format": "",
                "media": "",
            }
        )
    if args.json:
        emit_json(rows)
        return 0
    emit_table(
        ("NAME", "DEFAULT", "URI", "MODEL", "FORMAT", "MEDIA"),
        [
            (
                r["name"],
                "*" if r["default"] else "",
                r["uri"],
                r["model"] or "(detect)",
                r["label_format"] or "(profile)",
                r["media"] or "4x6 roll",
            )
            for r in rows
        ],
    )
    return 0


def run_add(args: argparse.Namespace, ctx: AppContext) -> int:
    changed = ctx.printer_setup_service.add(
        args.name,
        args.uri,
        args.model,
        make_default=args.default,
        label_format=args.label_format,
        media=args.media,
    )
    added = changed.configured[-1]
    mark = " (default)" if changed.default == added.name else ""
    print(f"added {added.name}: {added.uri}{mark}")
    return 0


def run_remove(args: argparse.Namespace, ctx: AppContext) -> int:
    changed = ctx.printer_setup_service.remove(args.name)
    default = f" (default now {changed.default})" if changed.default else ""
    print(f"removed {args.name}{default}")
    return 0


def run_default(args: argparse.Namespace, ctx: AppContext) -> int:
    changed = ctx.printer_setup_service.set_default(args.name)
    print(f"default printer: {changed.default}")
    return 0


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    check = ctx.printer_setup_service.status(args.name)
    if args.json:
        emit_json(
            {
                "name": check.name,
                "uri": check.uri,
                "model": check.model,
                "state": check.state,
                "ok": check.ok,
                "problems": list(check.problems),
                "message": check.message,
            }
        )
    else:
        print(f"{check.name} ({check.uri}, {check.model}): {check.message}")
    return 0 if check.ok or check.state == "unknown" else 1


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
