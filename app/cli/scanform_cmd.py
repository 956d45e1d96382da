"""`packdesk-cli scanform --batch B | --today [--from KEY]`, `scanform list|print ID`."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.deadline_opt import add_deadline_argument, deadline_from
from app.cli.output import emit_json, emit_table
from app.domain.errors import AppError, ErrorKind
from app.services.scan_forms import ScanFormRun


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("scanform", help="USPS SCAN forms (manifests): create, list, print")
    parser.add_argument("--batch", help="the batch to put on a form (B-YYYYMMDD-NNN)")
    parser.add_argument("--today", action="store_true", help="all of today's labels on no form yet")
    parser.add_argument(
        "--from", dest="from_key", help="only labels from this ship-from address (name or key)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_deadline_argument(parser, 300.0)
    parser.set_defaults(func=run_create)
    actions = parser.add_subparsers(dest="scanform_action", metavar="ACTION")
    listing = actions.add_parser("list", help="SCAN forms made here")
    listing.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=run_list)
    resume = actions.add_parser("resume", help="finish forms left 'creating' (crash, timeout)")
    resume.set_defaults(func=run_resume)
    printing = actions.add_parser("print", help="print a SCAN form (letter page) or open it")
    printing.add_argument("id", type=int, help="the form's id (see `scanform list`)")
    printing.add_argument(
        "--printer",
        help="spool://QUEUE (office printer) or a folder; without it the PDF opens in the viewer",
    )
    printing.set_defaults(func=run_print)


def run_create(args: argparse.Namespace, ctx: AppContext) -> int:
    if bool(args.batch) == bool(args.today):
        raise AppError(
            "Say which labels go on the SCAN form: --batch B or --today.",
            hint="packdesk-cli scanform --today  (or --batch B-20260101-001)",
            kind=ErrorKind.INVALID_INPUT,
        )
    service = ctx.scan_form_service
    with deadline_from(args, "EasyPost (SCAN form)").scope():
        run: ScanFormRun = (
            service.for_batch(args.batch)
            if args.batch
            else service.for_today(from_address_key=args.from_key)
        )
    if args.json:
        emit_json(
            {
                "forms": [
                    {
                        "id": f.id,
                        "easypost_id": f.easypost_id,
                        "status": f.status,
                        "from_address": f.from_address_key,
                        "labels": f.label_count,
                        "batch": f.batch,
                        "path": f.form_path,
                        "message": f.message,
                    }
                    for f in run.forms
                ],
                "excluded": [
                    {"label": label, "tracking_code": code, "reason": reason}
                    for label, code, reason in run.excluded
                ],
            }
        )
    else:
        names = service.from_address_names()
        for form in run.forms:
            origin = names.get(form.from_address_key, form.from_address_key)
            print(
                f"SCAN form {form.id} ({form.easypost_id}) {form.status}: {form.label_count} "
                f"labels from {origin or 'the default address'}"
                + (f" -> {form.form_path}" if form.form_path else "")
                + (f" ({form.message})" if form.message else "")
            )
        for label, code, reason in run.excluded:
            print(f"  left out label {label} ({code}): {reason}")
    return 1 if run.failed else 0


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    forms = ctx.scan_form_service.list()
    names = ctx.scan_form_service.from_address_names()
    if args.json:
        emit_json(forms)
        return 0
    emit_table(
        ("ID", "EASYPOST", "STATUS", "BATCH", "FROM", "LABELS", "CREATED", "PDF"),
        [
            (
                f.id,
                f.easypost_id,
                f.status,
                f.batch_reference or "",
                names.get(f.from_address_key, f.from_address_key),
                f.label_count,
                f"{f.created_at:%Y-%m-%d %H:%M}",
                f.form_path or "",
            )
            for f in forms
        ],
    )
    return 0


def run_resume(args: argparse.Namespace, ctx: AppContext) -> int:
    finished = ctx.scan_form_service.resume()
    for form in finished:
        print(f"SCAN form {form.id} ({form.easypost_id}) {form.status}: {form.form_path or ''}")
    if not finished:
        print("No SCAN form was left unfinished.")
    return 1 if any(form.status != "created" for form in finished) else 0


def run_print(args: argparse.Namespace, ctx: AppContext) -> int:
    printed = ctx.scan_form_service.print_form(args.id, args.printer)
    print(f"SCAN form {args.id}: {printed.path} -> {printed.destination}")
    return 0
