"""`packdesk-cli batches [--days N] [--json]` and `batches show B`: the day's buy runs."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.args import bounded_int
from app.cli.output import emit_json, emit_table
from app.domain.purchase_journal import unrecorded_outlook


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("batches", help="today's batches: bought, printed, shipped, refunded")
    parser.add_argument(
        "--days", type=bounded_int(0, 3650, "--days"), default=1, help="batches of the last N days"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_list)
    actions = parser.add_subparsers(dest="batches_action", metavar="ACTION")
    show = actions.add_parser("show", help="one batch with its labels and SCAN forms")
    show.add_argument("batch", help="batch reference (B-YYYYMMDD-NNN)")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=run_show)


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    batches = ctx.batch_overview_service.today(days=args.days)
    if args.json:
        emit_json([b.to_json() for b in batches])
        return 0
    if not batches:
        print("No batches today.")
        return 0
    emit_table(
        (
            "BATCH",
            "STATUS",
            "BOUGHT",
            "PRINTED",
            "SHIPPED",
            "REFUNDED",
            "SPENT",
            "NOT RECORDED",
            "SCAN FORM",
        ),
        [
            (
                b.reference,
                b.status,
                b.bought,
                b.printed,
                b.shipped,
                f"{b.refunded}" + (f" (+{b.refund_pending} pending)" if b.refund_pending else ""),
                f"${b.spent_usd:.2f}",
                b.unrecorded or "",
                b.scan_form_state,
            )
            for b in batches
        ],
    )
    return 0


def run_show(args: argparse.Namespace, ctx: AppContext) -> int:
    detail = ctx.batch_overview_service.show(args.batch)
    # Labels bought for an address their order no longer has (`packdesk-cli relabel`).
    relabel = ctx.relabel_service.needing_relabel([f.order_id for f in detail.labels])
    if args.json:
        emit_json(
            {
                **detail.summary.to_json(),
                "labels": [
                    {
                        "label": f.label_id,
                        "order": f.order_external_id,
                        "order_id": f.order_id,
                        "tracking_code": f.tracking_code,
                        "service": f.service,
                        "amount": str(f.amount_usd),
                        "status": f.status,
                        "refund_status": f.refund_status,
                        "tracking_status": f.tracking_status,
                        "shipped_at": f.shipped_at,
                        "scan_form": f.scan_form_easypost_id,
                        "bought_at_station": f.bought_station,
                        "shipped_at_station": f.shipped_station,
                        "needs_relabel": f.order_id in relabel
                        and relabel[f.order_id].label_id == f.label_id,
                    }
                    for f in detail.labels
                ],
                "unrecorded": [
                    {
                        "order_id": p.order_id,
                        "state": p.state.value,
                        "shipment_id": p.shipment_id,
                        "tracking_code": p.tracking_code,
                        "amount": str(p.amount_usd) if p.amount_usd is not None else None,
                        "reason": p.error,
                        "outlook": unrecorded_outlook(p.state, p.error),
                    }
                    for p in detail.unrecorded
                ],
                "scan_forms": [
                    {
                        "id": s.id,
                        "easypost_id": s.easypost_id,
                        "status": s.status,
                        "labels": s.label_count,
                        "path": s.form_path,
                    }
                    for s in detail.scan_forms
                ],
            }
        )
        return 0
    s = detail.summary
    print(
        f"{s.reference}  {s.status}  bought {s.bought}, printed {s.printed}, shipped {s.shipped}, "
        f"refunded {s.refunded}, spent ${s.spent_usd:.2f}, SCAN form: {s.scan_form_state}"
    )
    emit_table(
        (
            "LABEL",
            "ORDER",
            "TRACKING",
            "SERVICE",
            "AMOUNT",
            "STATUS",
            "TRACKING STATUS",
            "SHIPPED",
            "BOUGHT AT",
        ),
        [
            (
                f.label_id,
                f.order_external_id,
                f"{f.tracking_code} (needs relabel)"
                if f.order_id in relabel and relabel[f.order_id].label_id == f.label_id
                else f.tracking_code,
                f.service,
                f"${f.amount_usd:.2f}",
                f.status + (f" ({f.refund_status})" if f.refund_status else ""),
                f.tracking_status or "",
                f"{f.shipped_at:%H:%M}" if f.shipped_at else "",
                f.bought_station or "",
            )
            for f in detail.labels
        ],
    )
    for kept in detail.unrecorded:
        amount = f"${kept.amount_usd:.2f}" if kept.amount_usd is not None else "?"
        print(
            f"{kept.state.value.upper()}: order id {kept.order_id}, label {kept.tracking_code} "
            f"(shipment {kept.shipment_id}, {amount}): {kept.error or ''}. "
            + unrecorded_outlook(kept.state, kept.error)
        )
    for form in detail.scan_forms:
        print(
            f"SCAN form {form.id} ({form.easypost_id}): {form.status}, "
            f"{form.label_count} labels, {form.form_path or ''}"
        )
    return 0
