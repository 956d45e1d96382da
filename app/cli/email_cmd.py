"""`packdesk-cli email setup|preview|send`: tracking emails to recipients."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.domain.emails import FIELDS
from app.infra.email_settings import (
    Security,
    SmtpPasswordStore,
    load_email_settings,
    save_email_settings,
)
from app.services.tracking_email import (
    EmailRunReport,
    EmailSelection,
    TrackingEmailService,
    tracking_email_service,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("email", help="tracking emails: set up, preview, send")
    actions = parser.add_subparsers(dest="email_command", metavar="ACTION", required=True)

    setup = actions.add_parser(
        "setup",
        help="SMTP server, sender, template and when to send",
        description="Template fields: "
        + "; ".join(f"${name}: {meaning}" for name, meaning in FIELDS.items())
        + ". The password is kept in the OS keyring (--password-stdin), or taken from "
        "$PACKDESK_SMTP_PASSWORD for one run.",
    )
    setup.add_argument("--host")
    setup.add_argument("--port", type=int)
    setup.add_argument("--security", choices=[s.value for s in Security])
    setup.add_argument("--user")
    setup.add_argument("--from", dest="from_address", help="the sender address")
    setup.add_argument("--subject", help="subject template")
    setup.add_argument("--body-file", type=argparse.FileType("r", encoding="utf-8"))
    setup.add_argument("--per-minute", type=int, help="throttle (0: no limit)")
    setup.add_argument("--on-ship", action=argparse.BooleanOptionalAction, default=None)
    setup.add_argument("--on-first-scan", action=argparse.BooleanOptionalAction, default=None)
    setup.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from stdin into the keyring",
    )
    setup.add_argument("--json", action="store_true")
    setup.set_defaults(func=run_setup)

    for name, helptext in (
        ("preview", "show the messages without sending"),
        ("send", "send (each order once)"),
    ):
        action = actions.add_parser(name, help=helptext)
        chosen = action.add_mutually_exclusive_group(required=True)
        chosen.add_argument("--batch", help="the orders of this batch")
        chosen.add_argument("--order", dest="orders", type=int, action="extend", nargs="+")
        chosen.add_argument(
            "--first-scan", action="store_true", help="orders whose label had its first scan"
        )
        action.add_argument("--json", action="store_true")
        if name == "send":
            action.add_argument("--dry-run", action="store_true", help="say what would be sent")
            action.add_argument(
                "--again", action="store_true", help="email orders that already had their email"
            )
            action.set_defaults(func=run_send)
        else:
            action.set_defaults(func=run_preview)


def email_service(ctx: AppContext) -> TrackingEmailService:
    """The tracking-email service of this run (the settings as saved now)."""

    return tracking_email_service(ctx.store, ctx.settings_store, ctx.options.profile)


def print_email_report(report: EmailRunReport) -> None:
    """One line for an automatic send (after ship or a tracking refresh)."""
    summary = report.to_json()
    line = f"tracking emails: {summary['sent']} sent, {summary['failed']} failed"
    print(line + (f" (stopped: {report.stopped})" if report.stopped else ""))


def _selection(args: argparse.Namespace) -> EmailSelection:
    from app.services.tracking_email import EmailSelection

    return EmailSelection(
        batch=args.batch, order_ids=tuple(args.orders or ()), first_scan=args.first_scan
    )


def run_setup(args: argparse.Namespace, ctx: AppContext) -> int:
    current = load_email_settings(ctx.settings_store.load().other)
    changes: dict[str, Any] = {
        key: value
        for key, value in (
            ("host", args.host),
            ("port", args.port),
            ("security", Security(args.security) if args.security else None),
            ("user", args.user),
            ("from_address", args.from_address),
            ("subject", args.subject),
            ("body", args.body_file.read() if args.body_file else None),
            ("per_minute", args.per_minute),
            ("on_ship", args.on_ship),
            ("on_first_scan", args.on_first_scan),
        )
        if value is not None
    }
    updated = dataclasses.replace(current, **changes)
    save_email_settings(ctx.settings_store, updated)
    if args.password_stdin:
        SmtpPasswordStore(ctx.options.profile).set(sys.stdin.readline().rstrip("\r\n"))
    shown = {
        "host": updated.host,
        "port": updated.port,
        "security": updated.security.value,
        "user": updated.user,
        "from": updated.from_address,
        "per_minute": updated.per_minute,
        "on_ship": updated.on_ship,
        "on_first_scan": updated.on_first_scan,
        "subject": updated.subject,
    }
    if args.json:
        emit_json(shown)
    else:
        for key, value in shown.items():
            print(f"{key}: {value}")
    return 0


def run_preview(args: argparse.Namespace, ctx: AppContext) -> int:
    messages = email_service(ctx).preview(_selection(args))
    if args.json:
        emit_json([dataclasses.asdict(m) for m in messages])
        return 0
    for message in messages[:1]:
        print(f"To: {message.to}\nSubject: {message.subject}\n\n{message.body}")
    print(f"({len(messages)} messages; the first is shown)")
    return 0


def run_send(args: argparse.Namespace, ctx: AppContext) -> int:
    report = email_service(ctx).send(_selection(args), dry_run=args.dry_run, again=args.again)
    if args.json:
        emit_json(report.to_json())
    else:
        problems = [o for o in report.outcomes if o.status in ("failed", "skipped", "in_doubt")]
        if problems:
            emit_table(
                ("ORDER", "TO", "STATUS", "ERROR"),
                [(o.order, o.to, o.status, o.error) for o in problems],
            )
        summary = report.to_json()
        print(
            f"{summary['sent']} sent, {summary['already']} already emailed, "
            f"{summary['failed']} failed, {summary['skipped']} without an address, "
            f"{summary['in_doubt']} in doubt"
            + (f", {summary['would_send']} would be sent" if args.dry_run else "")
        )
    if report.stopped:
        print(f"error: stopped: {report.stopped}", file=sys.stderr)
        print(
            "hint: fix the SMTP settings or network, then run the same command again: it "
            "resumes without repeating anything.",
            file=sys.stderr,
        )
        return 1
    return 0
