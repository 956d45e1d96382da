"""`packdesk-cli ship-from list|add|default|edit|verify`: the sender addresses on labels."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.domain.orders import Address
from app.domain.ship_from import ShipFromAddress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ship-from", help="sender (return) addresses")
    actions = parser.add_subparsers(dest="ship_from_action", metavar="ACTION", required=True)
    list_parser = actions.add_parser("list", help="list sender addresses")
    list_parser.add_argument("--json", action="store_true", help="print a JSON list")
    list_parser.set_defaults(func=run_list)

    add = actions.add_parser("add", help="add a sender address (the first is the default)")
    add.add_argument("label", help="a short name, e.g. Warehouse")
    add.add_argument("--name", required=True)
    add.add_argument("--company", default="")
    add.add_argument("--street1", required=True)
    add.add_argument("--street2", default="")
    add.add_argument("--city", required=True)
    add.add_argument("--state", default="")
    add.add_argument("--zip", dest="postal_code", required=True, metavar="POSTAL_CODE")
    add.add_argument("--country", default="US", help="ISO code (default US)")
    add.add_argument("--phone", default="")
    add.add_argument("--email", default="")
    add.add_argument("--default", action="store_true", help="make it the default")
    add.set_defaults(func=run_add)

    default = actions.add_parser("default", help="make an address the default")
    default.add_argument("label")
    default.set_defaults(func=run_default)

    edit = actions.add_parser("edit", help="change a sender address (fields not given stay)")
    edit.add_argument("label")
    edit.add_argument("--new-label", help="rename it")
    for name in _EDITABLE:
        edit.add_argument(f"--{_OPTION.get(name, name)}", dest=name, default=None)
    edit.set_defaults(func=run_edit)

    verify = actions.add_parser("verify", help="ask EasyPost about a sender address")
    verify.add_argument("label")
    verify.add_argument("--json", action="store_true", help="print a JSON object")
    verify.set_defaults(func=run_verify)


_EDITABLE = ("name", "company", "street1", "street2", "city", "state", "postal_code", "country",
             "phone", "email")  # fmt: skip
_OPTION = {"postal_code": "zip"}


def ship_from_json(entry: ShipFromAddress) -> dict[str, object]:
    a = entry.address
    return {
        "label": entry.label,
        "default": entry.is_default,
        "name": a.name,
        "company": a.company,
        "street1": a.street1,
        "street2": a.street2,
        "city": a.city,
        "state": a.state,
        "postal_code": a.postal_code,
        "country": a.country,
        "phone": a.phone,
        "email": a.email,
    }


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    entries = ctx.ship_from_service.list_addresses()
    if args.json:
        emit_json([ship_from_json(e) for e in entries])
        return 0
    emit_table(
        ("LABEL", "DEFAULT", "NAME", "STREET", "CITY", "STATE", "ZIP", "COUNTRY"),
        [
            (
                e.label,
                "*" if e.is_default else "",
                e.address.name,
                e.address.street1,
                e.address.city,
                e.address.state,
                e.address.postal_code,
                e.address.country,
            )
            for e in entries
        ],
    )
    return 0


def run_add(args: argparse.Namespace, ctx: AppContext) -> int:
    address = Address(
        name=args.name,
        company=args.company,
        street1=args.street1,
        street2=args.street2,
        city=args.city,
        state=args.state.upper(),
        postal_code=args.postal_code,
        country=args.country.strip().upper(),
        phone=args.phone,
        email=args.email,
    )
    entry = ctx.ship_from_service.add(args.label, address, make_default=args.default)
    print(f"added ship-from {entry.label!r}{' (default)' if entry.is_default else ''}")
    return 0


def run_default(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.ship_from_service.set_default(args.label)
    print(f"ship-from {args.label!r} is now the default")
    return 0


def _find(ctx: AppContext, label: str) -> ShipFromAddress:
    from app.domain.errors import AppError, ErrorKind

    for entry in ctx.ship_from_service.list_addresses():
        if entry.label == label:
            return entry
    raise AppError(
        f"No ship-from address called {label!r}.",
        hint="See `packdesk-cli ship-from list`.",
        kind=ErrorKind.NOT_FOUND,
    )


def run_edit(args: argparse.Namespace, ctx: AppContext) -> int:
    import dataclasses

    entry = _find(ctx, args.label)
    changes = {name: getattr(args, name).strip() for name in _EDITABLE if getattr(args, name)}
    for upper in ("state", "country"):
        if upper in changes:
            changes[upper] = changes[upper].upper()
    address = dataclasses.replace(entry.address, **changes)
    changed = ctx.ship_from_service.update(args.label, address, new_label=args.new_label)
    print(f"changed ship-from {changed.label!r}")
    return 0


def run_verify(args: argparse.Namespace, ctx: AppContext) -> int:
    check = ctx.ship_from_service.verify(_find(ctx, args.label).address)
    if args.json:
        emit_json(check)
        return 0 if check.agrees else 1
    if check.agrees:
        print(f"{args.label}: verified, nothing to correct")
        return 0
    if not check.verified:
        print(f"{args.label}: NOT verified")
        for problem in check.problems:
            print(f"  {problem}")
        return 1
    print(f"{args.label}: EasyPost suggests")
    for field, before, after in check.differences:
        print(f"  {field}: {before or '(empty)'!s} -> {after}")
    print("  (apply with `packdesk-cli ship-from edit` or in Setup > Ship-from)")
    return 1
