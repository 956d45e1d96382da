"""`packdesk-cli buy`: buy labels for groups (or orders), journaled; --printer prints as bought."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.bootstrap import AppContext
from app.cli.estimate_cmd import add_selection_arguments, insurance_json, selection_from
from app.cli.output import emit_json
from app.services.purchase import BuyProgress, BuyResult, LabelInfo

if TYPE_CHECKING:
    from app.services.print_queue import PrintQueue

#: Exit status when the buy was not confirmed (--yes missing): nothing was bought.
EXIT_NOT_CONFIRMED = 3
#: Exit status when some orders were not bought (failed, unknown or cancelled).
EXIT_INCOMPLETE = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "buy",
        help="buy labels for package groups (needs --yes)",
        description="Pre-flight every order, then buy its label at bounded concurrency. "
        "Without --yes, print the pre-flight report and the estimated total and buy nothing. "
        "Running the same buy again after an interruption finishes it without buying twice.",
    )
    add_selection_arguments(parser)
    parser.add_argument("--printer", metavar="URI", help="print each label as soon as it is bought")
    parser.add_argument(
        "--concurrency",
        type=int,
        metavar="N",
        help="buys (money calls) in flight (default: settings, 8)",
    )
    parser.add_argument(
        "--create-concurrency",
        type=int,
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
        "order": label.order_id,
        "external_id": label.external_id,
        "group": label.group_id,
        "tracking_code": label.tracking_code,
        "service": label.service,
        "amount": str(label.amount_usd),
        "label_path": label.label_path,
        "preview_path": label.preview_path,
    }


def result_json(result: BuyResult) -> dict[str, object]:
    return {
        "batch": result.batch_reference,
        "bought": [_label_json(label) for label in result.bought],
        "blocked": [
            {"order": b.order_id, "external_id": b.external_id, "reason": b.reason}
            for b in result.blocked
        ],
        "failed": [
            {"order": f.order_id, "external_id": f.external_id, "reason": f.reason}
            for f in result.failed
        ],
        "unknown": [
            {"order": f.order_id, "external_id": f.external_id, "reason": f.reason}
            for f in result.unknown
        ],
        "skipped": list(result.skipped),
        "not_started": list(result.not_started),
        "spent": str(result.spent),
        "batch_spent": str(result.batch_spent),
        "cancelled": result.cancelled,
        "complete": result.complete,
    }


def _unconfirmed(args: argparse.Namespace, ctx: AppContext) -> int:
    service = ctx.purchase_service
    plan = service.plan(selection_from(args))
    report = ctx.preflight_service.check(plan, verify_addresses=not args.no_verify)
    estimate = ctx.estimate_service.estimate(plan, orders=report.ready)
    insurance = insurance_json(plan, estimate)
    blocked = [
        {"order": b.order_id, "external_id": b.external_id, "reason": b.reason}
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
    print(
        f"nothing bought: add --yes to buy {estimate.priced} labels for about ${estimate.total}",
        file=sys.stderr,
    )
    return EXIT_NOT_CONFIRMED


def _printer_sink(ctx: AppContext, printer: str) -> tuple[Callable[[LabelInfo], None], PrintQueue]:
    """The print queue of `printer`: each bought label is enqueued at once, in group order."""
    queue = ctx.print_queue_service.queue_for(printer)

    def enqueue(label: LabelInfo) -> None:
        queue.enqueue(label.label_id)

    return enqueue, queue


def run_buy(args: argparse.Namespace, ctx: AppContext) -> int:
    if not args.yes:
        return _unconfirmed(args, ctx)
    on_label: Callable[[LabelInfo], None] | None = None
    queue: PrintQueue | None = None
    if args.printer:
        on_label, queue = _printer_sink(ctx, args.printer)

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
        result = ctx.purchase_service.buy(
            selection_from(args),
            concurrency=args.concurrency,
            create_concurrency=args.create_concurrency,
            progress=progress,
            cancel=cancel,
            on_label_bought=on_label,
            verify_addresses=not args.no_verify,
        )
    except KeyboardInterrupt:
        cancel.set()
        raise
    if not args.json:
        print(file=sys.stderr)
    if queue is not None:
        # Labels of this batch bought by an interrupted earlier run (enqueue is idempotent).
        for record in ctx.purchase_service.batch_labels(result.batch_id):
            if record.is_live:
                queue.enqueue(record.id)
        if not queue.wait_until_idle():
            print(f"printing stopped: {queue.status()}", file=sys.stderr)
    if args.json:
        emit_json(result_json(result))
    else:
        print(f"batch {result.batch_reference}: bought {len(result.bought)}, spent ${result.spent}")
        for item in result.blocked:
            print(f"blocked: order {item.external_id}: {item.reason}")
        for failed in result.failed:
            print(f"failed: order {failed.external_id}: {failed.reason}")
        for unknown in result.unknown:
            print(f"unknown: order {unknown.external_id}: {unknown.reason} (run the buy again)")
        for problem in result.delivery_errors:
            print(f"print queue: {problem}", file=sys.stderr)
    return 0 if result.complete and not result.failed else EXIT_INCOMPLETE
