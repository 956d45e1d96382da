"""`packdesk-cli key|address|rates`: the API key and manual EasyPost checks."""

from __future__ import annotations

import argparse
import getpass
import sys
from decimal import Decimal, InvalidOperation

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.domain.usps_services import service_title
from app.postage.models import ParcelSpec, ShipmentOptions

KEY_MODES = ("test", "production")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    key = sub.add_parser("key", help="store, show or forget the EasyPost API key")
    key_sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    key_set = key_sub.add_parser("set", help="store a key in the system keyring")
    key_set.add_argument("--mode", choices=KEY_MODES, default="test")
    key_set.add_argument(
        "--stdin", action="store_true", help="read the key from standard input (no prompt)"
    )
    key_set.set_defaults(func=run_key_set)
    key_clear = key_sub.add_parser("clear", help="forget the stored key")
    key_clear.add_argument("--mode", choices=KEY_MODES, default="test")
    key_clear.set_defaults(func=run_key_clear)
    key_status = key_sub.add_parser("status", help="where each mode's key comes from (masked)")
    key_status.add_argument("--json", action="store_true")
    key_status.set_defaults(func=run_key_status)

    address = sub.add_parser("address", help="EasyPost address checks")
    address_sub = address.add_subparsers(dest="address_command", metavar="ACTION", required=True)
    verify = address_sub.add_parser("verify", help="verify an address and show corrections")
    _address_arguments(verify, "")
    verify.add_argument("--strict", action="store_true", help="fail unless deliverable")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(func=run_address_verify)

    rates = sub.add_parser("rates", help="USPS rates for one parcel (creates a shipment)")
    _address_arguments(rates, "to-")
    rates.add_argument("--from-zip", help="origin ZIP (default: the desk address in settings)")
    rates.add_argument("--weight-oz", required=True, help="parcel weight in ounces")
    rates.add_argument("--package", help="USPS predefined package, e.g. SmallFlatRateBox")
    rates.add_argument("--dims", help="L x W x H in inches, e.g. 10x8x4")
    rates.add_argument("--media-mail", action="store_true", help="ask for Media Mail rates")
    rates.add_argument("--json", action="store_true")
    rates.set_defaults(func=run_rates)


def _address_arguments(parser: argparse.ArgumentParser, prefix: str) -> None:
    required = prefix == ""
    parser.add_argument(f"--{prefix}name", default="Resident")
    parser.add_argument(f"--{prefix}company", default="")
    parser.add_argument(f"--{prefix}street1", required=required, default="")
    parser.add_argument(f"--{prefix}street2", default="")
    parser.add_argument(f"--{prefix}city", required=required, default="")
    parser.add_argument(f"--{prefix}state", default="")
    parser.add_argument(f"--{prefix}zip", required=True)
    parser.add_argument(f"--{prefix}country", default="US")


def _address_from(args: argparse.Namespace, prefix: str) -> Address:
    def get(name: str) -> str:
        return str(getattr(args, f"{prefix}{name}") or "").strip()

    return Address(
        name=get("name"),
        company=get("company"),
        street1=get("street1"),
        street2=get("street2"),
        city=get("city"),
        state=get("state").upper(),
        postal_code=get("zip"),
        country=get("country").upper() or "US",
    )


def run_key_set(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.stdin:
        key = sys.stdin.readline().strip()
    else:
        key = getpass.getpass(f"EasyPost {args.mode} API key (not shown): ").strip()
    ctx.api_keys.set(args.mode, key)
    print(f"Stored the {args.mode} key for profile {ctx.options.profile!r}.")
    return 0


def run_key_clear(args: argparse.Namespace, ctx: AppContext) -> int:
    removed = ctx.api_keys.clear(args.mode)
    print(f"Forgot the {args.mode} key." if removed else f"No {args.mode} key was stored.")
    return 0


def run_key_status(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.infra.secrets import keyring_state

    statuses = [ctx.api_keys.status(mode) for mode in KEY_MODES]
    state = keyring_state()
    if args.json:
        emit_json({"mode_in_use": ctx.easypost_mode.value, "keyring": state, "keys": statuses})
        return 0
    print(f"mode in use: {ctx.easypost_mode.value}")
    print(f"keyring: {state.backend}" if state.available else f"keyring: none. {state.message}")
    if not state.available:
        print(f"  fix: {state.hint}")
    emit_table(
        ["mode", "source", "key", "problem"],
        [(s.mode, s.source, s.masked, s.problem) for s in statuses],
    )
    return 0


def run_address_verify(args: argparse.Namespace, ctx: AppContext) -> int:
    result = ctx.gateway.verify_address(_address_from(args, ""), strict=args.strict)
    if args.json:
        emit_json(result)
        return 0 if result.verified else 1
    a = result.address
    print("verified" if result.verified else "NOT verified")
    print(f"  {a.name} {a.company}".rstrip())
    print(f"  {a.street1} {a.street2}".rstrip())
    print(f"  {a.city} {a.state} {a.postal_code} {a.country}")
    for field, before, after in result.corrections:
        print(f"  corrected {field}: {before!r} -> {after!r}")
    for error in result.errors:
        print(f"  {error.field or 'address'}: {error.message}")
    return 0 if result.verified else 1


def _decimal(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if value <= 0:
        raise AppError(f"{what} {text!r} is not a positive number.", kind=ErrorKind.INVALID_INPUT)
    return value


def _parcel(args: argparse.Namespace) -> ParcelSpec:
    weight = _decimal(args.weight_oz, "Weight")
    if args.dims:
        parts = args.dims.lower().replace("*", "x").split("x")
        if len(parts) != 3:
            raise AppError(
                f"Dimensions {args.dims!r} are not L x W x H.",
                hint="Write them like 10x8x4 (inches).",
                kind=ErrorKind.INVALID_INPUT,
            )
        length, width, height = (_decimal(p.strip(), "Dimension") for p in parts)
        return ParcelSpec(weight, args.package, length, width, height)
    return ParcelSpec(weight, args.package or "Parcel")


def run_rates(args: argparse.Namespace, ctx: AppContext) -> int:
    desk = ctx.settings.easypost.from_address
    if args.from_zip:
        # USPS prices on the origin ZIP only; the street is a placeholder for a rate check.
        origin = Address("Packdesk", "1 Main St", "", args.from_zip.strip(), "US")
    elif desk is not None:
        origin = desk
    else:
        raise AppError(
            "No desk (from) address is set for this profile.",
            hint="Pass --from-zip, or set the desk address in the settings.",
            kind=ErrorKind.INVALID_INPUT,
        )
    options = ShipmentOptions(
        label_format="PNG", media_mail=args.media_mail, print_custom_1="rates check"
    )
    quote = ctx.gateway.create_shipment(
        to_address=_address_from(args, "to_"),
        from_address=origin,
        parcel=_parcel(args),
        options=options,
    )
    if args.json:
        emit_json(quote)
        return 0
    print(f"shipment {quote.shipment_id}")
    emit_table(
        ["service", "name", "rate", "days"],
        [
            (r.service, service_title(r.service), f"{r.amount} {r.currency}", r.delivery_days)
            for r in quote.rates
        ],
    )
    for message in quote.messages:
        print(f"note: {message.carrier} {message.type}: {message.message}")
    return 0
