"""`packdesk-cli buy`: buy labels for groups (or orders), journaled; --printer prints as bought."""

from __future__ import annotations

import argparse
import sys
import threading

from app.bootstrap import AppContext
from app.cli.args import bounded_int
from app.cli.estimate_cmd import add_selection_arguments, insurance_json, selection_from
from app.cli.exit_codes import EXIT_NOT_CONFIRMED, EXIT_PARTIAL, outcome
from app.cli.output import emit_json
from app.cli.roll_cmd import warn_before_buying
from app.services.buy_plan import Selection
from app.services.purchase import BuyProgress, BuyResult, LabelInfo, UnrecordedLabel

#: Exit status when some orders were not bought (failed, blocked, unknown or cancelled).
EXIT_INCOMPLETE = EXIT_PARTIAL


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "buy",
        help="buy labels for package groups (needs --yes)",
        description="Pre-flight every order, then buy its label at bounded concurrency. "
        "Without --yes, print the pre-flight report and the estimated total and buy nothing. "
        "Running the same buy again after an interruption finishes it without buying twice.",
    )
    add_selection_arguments(parser)
    parser.add_argument(
        "--printer",
        metavar="PRINTER",
        help="print each label as soon as it is bought: a name, a URI, or NAME@STATION for "
        "another station's printer (that station prints it; printers list --all-stations)",
    )
    parser.add_argument(
        "--concurrency",
        type=bounded_int(1, 64, "--concurrency"),
        metavar="N",
        help="buys (money calls) in flight (default: settings, 8)",
    )
    parser.add_argument(
        "--create-concurrency",
        type=bounded_int(1, 64, "--create-concurrency"),
        metavar="N",
        help="shipment creates in flight, ahead of the buys (default: the same as --concurrency)",
    )
    parser.add_argument("--yes", action="store_true", help="confirm: spend the money")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--no-verify", action="store_true", help="skip address verification in pre-flight"
    )
    parser.set_defaults(func=run_buy)


def _label_json(label: LabelInfo) -> dict[str, object]:
    return {
        # "order" is the number people see and --order takes; "order_id" the local id.
        "order": label.external_id,
        "order_id": label.order_id,
        "external_id": label.external_id,
        "group": label.group_id,
        "tracking_code": label.tracking_code,
        "service": label.service,
        "amount": str(label.amount_usd),
        "label_path": label.label_path,
        "preview_path": label.preview_path,
    }


def _unrecorded_json(label: UnrecordedLabel) -> dict[str, object]:
    return {
        "order": label.order_id,
        "shipment_id": label.shipment_id,
        "tracking_code": label.tracking_code,
        "amount": str(label.amount_usd),
        "reason": label.reason,
    }


def result_json(result: BuyResult) -> dict[str, object]:
    return {
        "batch": result.batch_reference,
        "bought": [_label_json(label) for label in result.bought],
        "blocked": [
            {
                "order": b.external_id,
                "order_id": b.order_id,
                "external_id": b.external_id,
                "reason": b.reason,
            }
            for b in result.blocked
        ],
        "failed": [
            {
                "order": f.external_id,
                "order_id": f.order_id,
                "external_id": f.external_id,
                "reason": f.reason,
            }
            for f in result.failed
        ],
        "unknown": [
            {
                "order": f.external_id,
                "order_id": f.order_id,
                "external_id": f.external_id,
                "reason": f.reason,
            }
            for f in result.unknown
        ],
        "unrecorded": [_unrecorded_json(u) for u in result.unrecorded],
        "refunded": [_unrecorded_json(u) for u in result.refunded],
        "skipped": list(result.skipped),
        "taken": [{"order": t.order_id, "station": t.station} for t in result.taken],
        "not_started": list(result.not_started),
        "spent": str(result.spent),
        "batch_spent": str(result.batch_spent),
        "cancelled": result.cancelled,
        "complete": result.complete,
    }


def _unconfirmed(args: argparse.Namespace, ctx: AppContext, selection: Selection) -> int:
    service = ctx.purchase_service
    plan = service.plan(selection)
    report = ctx.preflight_service.check(plan, verify_addresses=not args.no_verify)
    estimate = ctx.estimate_service.estimate(plan, orders=report.ready)
    insurance = insurance_json(plan, estimate)
    blocked = [
        {
            "order": b.external_id,
            "order_id": b.order_id,
            "external_id": b.external_id,
            "reason": b.reason,
        }
        for b in report.blocked
    ]
    if args.json:
        emit_json(
            {
                "confirmed": False,
                "orders": len(plan.orders),
                "ready": len(report.ready),
                "blocked": blocked,
                "estimated_total": str(estimate.total),
                **insurance,
                "not_priced": [{"order": o.order_id, "reason": o.error} for o in estimate.failed],
            }
        )
    else:
        for item in report.blocked:
            print(f"blocked: order {item.external_id} ({item.group_id}): {item.reason}")
        print(
            f"{len(report.ready)} of {len(plan.orders)} orders can be bought; "
            f"estimated total ${estimate.total}"
        )
        if insurance:
            print(
                f"insurance ${insurance['insurance']} on ${insurance['insured_value']} declared; "
                f"total with insurance ${insurance['total_with_insurance']}"
            )
    if args.printer:
        warn_before_buying(ctx, args.printer, len(report.ready))
    print(
        f"nothing bought: add --yes to buy {estimate.priced} labels for about ${estimate.total}",
        file=sys.stderr,
    )
    return EXIT_NOT_CONFIRMED


def run_buy(args: argparse.Namespace, ctx: AppContext) -> int:
    # The orders first: a mistyped number is named before any key or network is needed.
    selection = selection_from(args, ctx)
    if not args.yes:
        return _unconfirmed(args, ctx, selection)
    if args.printer:
        warn_before_buying(ctx, args.printer, len(ctx.purchase_service.plan(selection).orders))

    def progress(p: BuyProgress) -> None:
        if not args.json:
            print(
                f"\rbought {p.done}/{p.total}, failed {p.failed}, remaining {p.remaining}, "
                f"spent ${p.spent}",
                end="",
                file=sys.stderr,
                flush=True,
            )

    cancel = threading.Event()
    try:
        done = ctx.buy_and_print_service.run(
            selection,
            printer=args.printer,
            printing=bool(args.printer),
            wait_for_printing=True,
            concurrency=args.concurrency,
            create_concurrency=args.create_concurrency,
            progress=progress,
            cancel=cancel,
            verify_addresses=not args.no_verify,
        )
    except KeyboardInterrupt:
        cancel.set()
        raise
    result = done.buy
    if not args.json:
        print(file=sys.stderr)
    if done.printing_stopped:
        print(f"printing stopped: {done.printing_stopped}", file=sys.stderr)
    for problem in done.print_problems:
        print(f"print queue: {problem}", file=sys.stderr)
    if done.printed_elsewhere:
        print(f"print queue: {done.printed_elsewhere}", file=sys.stderr)
    if args.json:
        emit_json(result_json(result))
    else:
        summary = (
            f"batch {result.batch_reference}: bought {len(result.bought)}, spent ${result.spent}"
            f" (batch total ${result.batch_spent})"
        )
        if result.unrecorded or result.refunded:
            # Money was spent on these too: say so, never "bought 0, spent $0".
            summary += (
                f"; {len(result.unrecorded)} label(s) bought but not recorded yet, "
                f"{len(result.refunded)} refunded because they could not be recorded"
            )
        print(summary)
        for item in result.blocked:
            print(f"blocked: order {item.external_id}: {item.reason}")
        if result.taken:  # several desks: another station is buying these
            stations = sorted({t.station for t in result.taken})
            print(f"left to {', '.join(stations)}: {len(result.taken)} order(s) already taken")
        for failed in result.failed:
            print(f"failed: order {failed.external_id}: {failed.reason}")
        for unknown in result.unknown:
            print(f"unknown: order {unknown.external_id}: {unknown.reason} (run the buy again)")
        for kept in result.unrecorded:
            print(
                f"NOT RECORDED: order {kept.order_id}: label {kept.tracking_code} "
                f"(${kept.amount_usd}) bought but not recorded: {kept.reason}; kept in the "
                "journal, run the buy again to record or refund it"
            )
        for back in result.refunded:
            print(
                f"refunded: order {back.order_id}: label {back.tracking_code} "
                f"(${back.amount_usd}) could not be recorded: {back.reason}"
            )
        for problem in result.delivery_errors:
            print(f"print queue: {problem}", file=sys.stderr)
    return buy_exit_code(result)


def buy_exit_code(result: BuyResult) -> int:
    """0 all bought (or nothing to buy), 2 some not bought, 4 none paid for (app.cli.exit_codes).

    Blocked orders count as not bought: a wrong key (401) blocks every order at its address
    check, and that run must not exit 0.
    """
    # A label bought but not recorded (or refunded because it could not be) was paid for, yet
    # the order is not done: the run is partial, never 0 and never "nothing done".
    kept = len(result.unrecorded) + len(result.refunded)
    missed = (
        kept
        + len(result.failed)
        + len(result.unknown)
        + len(result.not_started)
        + len(result.blocked)
        + (1 if result.cancelled and not result.not_started else 0)
    )
    return outcome(len(result.bought) + kept, missed)
