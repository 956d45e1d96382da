"""`packdesk-cli orders [--status S] [--json]`: list orders."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.output import emit_json, emit_table
from app.domain.orders import Order, OrderStatus


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("orders", help="list orders")
    parser.add_argument(
        "--status", choices=[s.value for s in OrderStatus], help="only orders in this status"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(func=run_orders)


def order_json(order: Order, needs_relabel: bool = False) -> dict[str, object]:
    r = order.recipient
    return {
        "id": order.id,
        "source": order.source.value,
        "external_id": order.external_id,
        "status": order.status.value,
        "name": r.name,
        "company": r.company,
        "street1": r.street1,
        "street2": r.street2,
        "city": r.city,
        "state": r.state,
        "postal_code": r.postal_code,
        "country": r.country,
        "email": r.email,
        "phone": r.phone,
        "notes": order.notes,
        "tracking_code": order.tracking_code,
        "needs_relabel": needs_relabel,
        "items": [{"sku": line.sku, "quantity": line.quantity} for line in order.lines],
    }


def run_orders(args: argparse.Namespace, ctx: AppContext) -> int:
    status = OrderStatus(args.status) if args.status else None
    orders = ctx.order_service.list_orders(status)
    # Orders whose address changed after their label was bought (`packdesk-cli relabel`).
    relabel = ctx.relabel_service.needing_relabel()
    if args.json:
        emit_json([order_json(order, order.id in relabel) for order in orders])
        return 0
    emit_table(
        ("ID", "SOURCE", "EXTERNAL", "STATUS", "NAME", "COUNTRY", "POSTAL", "ITEMS", "TRACKING"),
        [
            (
                o.id,
                o.source.value,
                o.external_id,
                o.status.value,
                o.recipient.name,
                o.recipient.country,
                o.recipient.postal_code,
                " + ".join(f"{line.quantity}x{line.sku}" for line in o.lines),
                f"{o.tracking_code} (needs relabel)" if o.id in relabel else o.tracking_code,
            )
            for o in orders
        ],
    )
    return 0
