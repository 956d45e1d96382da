"""`packdesk-cli print --batch B [--printer P] [--reprint]`: print a batch's labels in group order.

Labels already printed, queued or skipped are left out (unless --reprint). A printer fault
stops the command with the printer's status and the fix; the labels not printed stay queued and
print first on the next run. Labels in doubt after a crash are shown and wait for
`--resend JOB` or `--mark-printed JOB` (or `--skip JOB`).
"""

from __future__ import annotations

import argparse
import sys

from app.bootstrap import AppContext
from app.cli.args import record_id_arg
from app.cli.output import emit_json
from app.cli.paper_cmd import add_paper_arguments, run_paper
from app.domain.errors import AppError, ErrorKind
from app.domain.printing import PrintJob, PrintJobStatus
from app.services.print_jobs import PrintSink
from app.services.print_queue import PrintQueue, QueueEvent, QueueStatus

EXIT_PAUSED = 2


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("print", help="print a batch's labels (or settle print jobs)")
    parser.add_argument("--batch", help="batch reference (B-YYYYMMDD-NNN) or id")
    parser.add_argument("--printer", help="printer name or URI (default: the default printer)")
    parser.add_argument("--reprint", action="store_true", help="print every label again")
    settle = parser.add_mutually_exclusive_group()
    settle.add_argument("--resend", type=record_id_arg, metavar="JOB", help="resend a job in doubt")
    settle.add_argument(
        "--mark-printed",
        type=record_id_arg,
        metavar="JOB",
        help="a job in doubt did print: settle it",
    )
    settle.add_argument(
        "--skip", type=record_id_arg, metavar="JOB", help="do not print a queued job"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_paper_arguments(parser)
    parser.set_defaults(func=run_print)


def _batch_id(ctx: AppContext, ref: str) -> tuple[int, str]:
    with ctx.store.transaction() as tx:
        batch = tx.batches.by_reference(ref)
        if batch is None and ref.isdigit():
            batch = tx.batches.get(int(ref))
    if batch is None:
        raise AppError(
            f"There is no batch {ref!r}.",
            hint="See `packdesk-cli batches` for the batch references.",
            kind=ErrorKind.NOT_FOUND,
        )
    return batch.id, batch.reference


def _progress(event: QueueEvent) -> None:
    job = event.job
    if job is not None and job.status is PrintJobStatus.PRINTED:
        print(f"printed {job.tracking_code} (order {job.order_id})", file=sys.stderr)


def _job_json(job: PrintJob) -> dict[str, object]:
    return {
        "job": job.id,
        "label": job.label_id,
        "order": job.order_id,
        "tracking_code": job.tracking_code,
        "status": job.status.value,
        "in_doubt": job.in_doubt,
        "reprint": job.reprint,
        "error": job.error,
        "station": job.station,  # whose printer prints it
        "queued_by": job.queued_by,
    }


def _status_json(status: QueueStatus) -> dict[str, object]:
    pause = status.pause
    return {
        "printer": status.printer_uri,
        "name": status.printer_name,
        "model": status.model,
        "state": status.state.value,
        "queued": status.queued,
        "in_doubt": list(status.in_doubt),
        "pause": None
        if pause is None
        else {
            "cause": pause.cause.value,
            "message": pause.message,
            "hint": pause.hint,
            "printer_error": pause.error_kind or None,
            "job": pause.job_id,
        },
    }


def run_print(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.paper:
        return run_paper(args, ctx)
    if args.batch is None and not (args.resend or args.mark_printed or args.skip):
        raise AppError(
            "Say what to print: --batch B (or settle a job with --resend/--mark-printed/--skip).",
            kind=ErrorKind.INVALID_INPUT,
        )
    service = ctx.print_queue_service
    if args.batch is not None and not (args.resend or args.mark_printed or args.skip):
        sink = service.sink_for(args.printer)
        if sink.queue is None:  # another Packdesk window holds the printer: it prints them
            return _leave_for_holder(ctx, sink, args)
        queue = sink.queue
    else:
        queue = service.queue_for(args.printer)
    if args.resend:
        queue.resend(args.resend)
    elif args.mark_printed:
        queue.mark_printed(args.mark_printed)
    elif args.skip:
        queue.skip(args.skip, "skipped from the command line")
    reference = None
    batch_id: int | None = None
    if args.batch is not None:
        batch_id, reference = _batch_id(ctx, args.batch)
        labels = service.labels_to_print(batch_id, reprint=args.reprint)
        if not args.json:
            queue.add_listener(_progress)
        for label in labels:
            queue.enqueue(label, reprint=args.reprint)
    done = queue.wait_until_idle()
    return _report(queue, reference, batch_id, done, as_json=args.json)


def _leave_for_holder(ctx: AppContext, sink: PrintSink, args: argparse.Namespace) -> int:
    """Queue the batch for the process that holds the printer, and say so."""
    batch_id, reference = _batch_id(ctx, args.batch)
    for label in ctx.print_queue_service.labels_to_print(batch_id, reprint=args.reprint):
        sink.enqueue(label, reprint=args.reprint)
    if args.json:
        emit_json({"batch": reference, "printer": sink.uri, "queued_elsewhere": len(sink.left)})
    else:
        print(sink.where())
    return 0


def _report(
    queue: PrintQueue, batch: str | None, batch_id: int | None, done: bool, *, as_json: bool
) -> int:
    status = queue.status()
    # This run's jobs of the batch (with those an earlier run left queued), and any job
    # still waiting on this printer.
    jobs = [job for job in queue.jobs() if job.batch_id == batch_id or job.active]
    if as_json:
        emit_json(
            {
                "batch": batch,
                **_status_json(status),
                "printed": sum(1 for j in jobs if j.status is PrintJobStatus.PRINTED),
                "jobs": [_job_json(j) for j in jobs],
            }
        )
    else:
        printed = sum(1 for j in jobs if j.status is PrintJobStatus.PRINTED)
        print(f"{printed} of {len(jobs)} label(s) printed on {status.printer_name}")
        for job in jobs:
            if job.in_doubt:
                print(
                    f"in doubt: job {job.id} {job.tracking_code} (order {job.order_id}): "
                    f"--resend {job.id} or --mark-printed {job.id}"
                )
        if status.pause is not None:
            print(f"paused: {status.pause.message}", file=sys.stderr)
            if status.pause.hint:
                print(f"hint: {status.pause.hint}", file=sys.stderr)
    return 0 if done else EXIT_PAUSED
