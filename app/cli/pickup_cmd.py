"""`packdesk-cli pickup schedule|confirm|cancel|list`: USPS pickups."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time

from app.bootstrap import AppContext
from app.cli.args import bounded_int, record_id_arg
from app.cli.output import emit_json, emit_table
from app.domain.errors import AppError, ErrorKind
from app.domain.pickup_days import next_pickup_day
from app.services.clock import local_date
from app.services.pickups import DEFAULT_WINDOW, PickupRequest, PickupResult, local_time

#: Words --date takes besides YYYY-MM-DD (resolved on the desk's clock when the command runs).
NEXT_BUSINESS_DAY = "next-business-day"


def _day(text: str) -> date | str:
    if text.strip().lower() == NEXT_BUSINESS_DAY:
        return NEXT_BUSINESS_DAY
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"not a date (YYYY-MM-DD or {NEXT_BUSINESS_DAY}): {text!r}"
        ) from error


def pickup_day(value: date | str, now: datetime) -> date:
    """The --date given, with next-business-day resolved against `now` (the desk's clock)."""
    if isinstance(value, date):
        return value
    return next_pickup_day(local_date(now))


def _clock(text: str) -> time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a time (HH:MM): {text!r}") from error


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("pickup", help="USPS pickups: schedule, confirm, cancel, list")
    actions = parser.add_subparsers(dest="pickup_action", metavar="ACTION", required=True)
    schedule = actions.add_parser("schedule", help="request a pickup and see its rates")
    schedule.add_argument(
        "--date",
        type=_day,
        required=True,
        help=f"YYYY-MM-DD, or {NEXT_BUSINESS_DAY} (tomorrow; Monday instead of a Sunday)",
    )
    schedule.add_argument("--from", dest="start", type=_clock, default=DEFAULT_WINDOW[0])
    schedule.add_argument("--to", dest="end", type=_clock, default=DEFAULT_WINDOW[1])
    schedule.add_argument(
        "--packages",
        type=bounded_int(1, 100_000, "--packages"),
        required=True,
        help="how many parcels",
    )
    schedule.add_argument("--location", default="", help="where the parcels wait")
    schedule.add_argument("--instructions", default="", help="notes for the carrier")
    schedule.add_argument("--batch", help="attach the pickup to this batch")
    schedule.add_argument("--json", action="store_true", help="print JSON")
    schedule.set_defaults(func=run_schedule)
    confirm = actions.add_parser("confirm", help="buy (confirm) a requested pickup")
    confirm.add_argument("id", type=record_id_arg)
    confirm.add_argument("--service", help="pickup rate service (default: cheapest)")
    confirm.add_argument("--yes", action="store_true", help="confirm without asking")
    confirm.add_argument("--json", action="store_true", help="print JSON")
    confirm.set_defaults(func=run_confirm)
    cancel = actions.add_parser("cancel", help="cancel a pickup")
    cancel.add_argument("id", type=record_id_arg)
    cancel.add_argument("--json", action="store_true", help="print JSON")
    cancel.set_defaults(func=run_cancel)
    listing = actions.add_parser("list", help="pickups recorded here")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)


def _show(result: PickupResult, as_json: bool) -> None:
    p = result.pickup
    if as_json:
        emit_json({"pickup": p, "rates": result.rates, "messages": result.messages})
        return
    print(
        f"pickup {p.id} ({p.easypost_id}) {p.status}: {local_time(p.min_datetime):%Y-%m-%d %H:%M}-"
        f"{local_time(p.max_datetime):%H:%M}, {p.package_count} packages"
        + (f", confirmation {p.confirmation}" if p.confirmation else "")
        + (f", ${p.amount_usd:.2f}" if p.amount_usd is not None else "")
    )
    for rate in result.rates:
        print(f"  rate: {rate.carrier} {rate.service} ${rate.amount:.2f}")
    for message in result.messages:
        print(f"  note: {message}")


def run_schedule(args: argparse.Namespace, ctx: AppContext) -> int:
    result = ctx.pickup_service.schedule(
        PickupRequest(
            day=pickup_day(args.date, ctx.clock()),
            packages=args.packages,
            start=args.start,
            end=args.end,
            location=args.location,
            instructions=args.instructions,
            batch=args.batch,
        )
    )
    _show(result, args.json)
    if not args.json:
        print(f"Confirm with: packdesk-cli pickup confirm {result.pickup.id} --yes")
    return 0


def run_confirm(args: argparse.Namespace, ctx: AppContext) -> int:
    if not args.yes:
        current = ctx.pickup_service.rates(args.id)
        _show(current, args.json)
        raise AppError(
            f"Pickup {args.id} was not confirmed.",
            hint=f"Add --yes to buy it: packdesk-cli pickup confirm {args.id} --yes",
            kind=ErrorKind.INVALID_INPUT,
        )
    _show(ctx.pickup_service.confirm(args.id, service=args.service), args.json)
    return 0


def run_cancel(args: argparse.Namespace, ctx: AppContext) -> int:
    _show(ctx.pickup_service.cancel(args.id), args.json)
    return 0


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    pickups = ctx.pickup_service.list()
    if args.json:
        emit_json(pickups)
        return 0
    emit_table(
        ("ID", "EASYPOST", "STATUS", "WINDOW", "PACKAGES", "CONFIRMATION", "AMOUNT"),
        [
            (
                p.id,
                p.easypost_id or "",
                p.status,
                f"{local_time(p.min_datetime):%Y-%m-%d %H:%M}-{local_time(p.max_datetime):%H:%M}",
                p.package_count,
                p.confirmation or "",
                f"${p.amount_usd:.2f}" if p.amount_usd is not None else "",
            )
            for p in pickups
        ],
    )
    return 0
