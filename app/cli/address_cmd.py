"""`packdesk-cli order-address check|ship-as-entered ORDER`: verification as EasyPost gives it."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.bootstrap import AppContext
from app.cli.output import emit_json

if TYPE_CHECKING:  # the service loads when the command runs, not at every CLI start
    from app.services.address_review import AddressReview


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("order-address", help="verify an order's address; ship it as entered")
    actions = parser.add_subparsers(dest="address_action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="per-field errors, suggestions and corrections (carrier-verified)"
    )
    check.add_argument("order", metavar="ORDER", help="the order's number, as shown (or id:N)")
    check.add_argument("--carrier", default="usps", help="verifying carrier (default usps)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.set_defaults(func=run_check)
    accept = actions.add_parser(
        "ship-as-entered",
        help="accept the address as entered (recorded with a warning; nothing is corrected)",
    )
    accept.add_argument("order", metavar="ORDER", help="the order's number, as shown (or id:N)")
    accept.add_argument("--reason", default="", help="why, e.g. 'new building, USPS data lags'")
    accept.add_argument("--json", action="store_true", help="print one JSON object")
    accept.set_defaults(func=run_ship_as_entered)


def review_json(review: AddressReview) -> dict[str, object]:
    return {
        "order": review.order_id,
        "external_id": review.external_id,
        "verified": review.verified,
        "carrier": review.carrier,
        "accepted_as_entered": review.accepted_as_entered,
        "errors": [
            {"field": e.field, "message": e.message, "code": e.code, "suggestion": e.suggestion}
            for e in review.errors
        ],
        "corrections": [
            {"field": f, "entered": before, "easypost": after}
            for f, before, after in review.corrections
        ],
    }


def _show(review: AddressReview, as_json: bool) -> None:
    if as_json:
        emit_json(review_json(review))
        return
    print(f"order {review.order_id} ({review.external_id}):")
    for line in review.lines():
        print(f"  {line}")


def run_check(args: argparse.Namespace, ctx: AppContext) -> int:
    order_id = ctx.order_service.resolve_refs([args.order])[0]
    _show(ctx.address_review_service.review(order_id, carrier=args.carrier), args.json)
    return 0


def run_ship_as_entered(args: argparse.Namespace, ctx: AppContext) -> int:
    order_id = ctx.order_service.resolve_refs([args.order])[0]
    _show(ctx.address_review_service.ship_as_entered(order_id, reason=args.reason), args.json)
    return 0
