"""`packdesk-cli refund --label ID|--order ID|--batch B [--yes]`, `refund status`, reminders."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.deadline_opt import add_deadline_argument, deadline_from
from app.cli.exit_codes import outcome
from app.cli.output import emit_json, emit_table
from app.domain.errors import AppError, ErrorKind


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("refund", help="refund unused labels; refund status; reminders")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--label", type=int, action="append", help="label id (repeatable)")
    target.add_argument("--order", type=int, help="the order's (newest) label")
    target.add_argument("--batch", help="every label of a batch (B-YYYYMMDD-NNN)")
    parser.add_argument("--yes", action="store_true", help="ask EasyPost (else: only check)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_deadline_argument(parser, 60.0)
    parser.set_defaults(func=run_refund)
    actions = parser.add_subparsers(dest="refund_action", metavar="ACTION")
    status = actions.add_parser("status", help="labels with a refund: submitted/refunded/rejected")
    status.add_argument("--no-refresh", action="store_true", help="do not ask EasyPost")
    status.add_argument("--json", action="store_true", help="print JSON")
    add_deadline_argument(status, 60.0)
    status.set_defaults(func=run_status)
    reminders = actions.add_parser("reminders", help="labels bought N+ days ago that never moved")
    reminders.add_argument(
        "--days", type=int, default=None, help="age in days (default: Setup's reminder days, 7)"
    )
    reminders.add_argument("--json", action="store_true", help="print JSON")
    reminders.set_defaults(func=run_reminders)


def run_refund(args: argparse.Namespace, ctx: AppContext) -> int:
    if not (args.label or args.order is not None or args.batch):
        raise AppError(
            "Say which labels to refund: --label ID, --order ID or --batch B.",
            hint="See `refund reminders --days 7` for labels that never moved.",
            kind=ErrorKind.INVALID_INPUT,
        )
    service = ctx.refund_service
    labels = service.labels(label_ids=args.label or (), order_id=args.order, batch=args.batch)
    if not args.yes:
        checks = service.check(labels)
        if args.json:
            emit_json({"checked": checks, "submitted": []})
        else:
            for check in checks:
                verdict = "can be refunded" if check.eligible else f"refused: {check.reason}"
                print(
                    f"label {check.label_id} {check.tracking_code} ${check.amount_usd}: {verdict}"
                )
            print("Nothing was asked: add --yes to ask EasyPost for the refunds.")
        return 0
    with deadline_from(args, "EasyPost (refunds)").scope():
        report = service.refund(labels)
    if args.json:
        emit_json(
            {
                "lines": report.lines,
                "submitted": len(report.submitted),
                "refused": len(report.refused),
                "amount": str(report.amount_usd),
            }
        )
    else:
        for line in report.lines:
            print(
                f"label {line.label_id} {line.tracking_code} (order {line.order}): {line.status}"
                + (f": {line.reason}" if line.reason else "")
            )
        print(f"{len(report.submitted)} refund(s) for ${report.amount_usd:.2f}")
    # 2: some refunds asked, some refused; 4: every label refused (app.cli.exit_codes).
    return outcome(len(report.lines) - len(report.refused), len(report.refused))


def run_status(args: argparse.Namespace, ctx: AppContext) -> int:
    with deadline_from(args, "EasyPost (refund status)").scope():
        states = ctx.refund_service.status(refresh=not args.no_refresh)
    if args.json:
        emit_json(states)
        return 0
    emit_table(
        ("LABEL", "ORDER", "TRACKING", "AMOUNT", "REFUND", "REQUESTED", "REFUNDED"),
        [
            (
                s.label_id,
                s.order,
                s.tracking_code,
                f"${s.amount_usd:.2f}",
                s.refund_status,
                f"{s.requested_at:%Y-%m-%d}" if s.requested_at else "",
                f"{s.refunded_at:%Y-%m-%d}" if s.refunded_at else "",
            )
            for s in states
        ],
    )
    return 0


def run_reminders(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.days is None:  # the desk's setting (Setup > Defaults)
        args.days = ctx.settings.desk.refund_reminder_days
    reminders = ctx.refund_service.reminders(args.days)
    if args.json:
        emit_json(reminders)
        return 0
    if not reminders:
        print(f"No label older than {args.days} days is waiting unmoved.")
        return 0
    emit_table(
        ("LABEL", "ORDER", "TRACKING", "AMOUNT", "BOUGHT", "DAYS", "DAYS LEFT", "TRACKING STATUS"),
        [
            (
                r.label_id,
                r.order,
                r.tracking_code,
                f"${r.amount_usd:.2f}",
                f"{r.bought_at:%Y-%m-%d}",
                r.days_old,
                r.days_left,
                r.tracking_status or "none",
            )
            for r in reminders
        ],
    )
    return 0
