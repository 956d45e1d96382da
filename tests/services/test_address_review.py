"""Address verification as EasyPost gives it, and "ship as entered": accepted with a recorded
warning, and the label goes to exactly the address as entered (no suggestion applied)."""

from __future__ import annotations

from dataclasses import replace

from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.address_review import AddressReviewService
from app.services.audit import AuditAction, AuditLog
from app.services.buy_plan import Selection, rate_request_for, resolve_plan
from app.services.preflight import PreflightService
from app.store import Store
from tests.services.purchase_world import seed, us_order


def test_review_then_ship_as_entered(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    order = us_order(0)
    entered = replace(order.recipient, street1="Harbor Drive Building C", street2="Apt 20")
    (order_id,) = seed(store, [replace(order, recipient=entered)])
    plan = resolve_plan(store, Selection(order_ids=(order_id,)))
    blocked = PreflightService(store, gateway).check(plan).blocked
    assert blocked and "address not verified" in blocked[0].reason

    service = AddressReviewService(store, gateway, AuditLog(store))
    review = service.review(order_id)
    assert not review.verified and review.carrier == "usps"
    codes = {(e.field, e.code) for e in review.errors}
    assert ("street1", "E.HOUSE_NUMBER.MISSING") in codes
    assert any("House number is missing" in line for line in review.lines())

    accepted = service.ship_as_entered(order_id, reason="new building, USPS data lags")
    assert accepted.accepted_as_entered
    assert PreflightService(store, gateway).check(plan).ok
    with store.transaction() as tx:
        entries = tx.audit.list(order_id=order_id)
    assert [e.action for e in entries] == [AuditAction.ADDRESS_SHIPPED_AS_ENTERED.value]
    assert entries[0].details["reason"] == "new building, USPS data lags"

    # The label goes to what the user chose: nothing of a suggestion or correction applied.
    quote = gateway.quote(rate_request_for(plan.orders[0], plan))
    gateway.buy(quote.shipment_id, quote.choose("GroundAdvantage").id)
    sent = sandbox.store.objects["shipments"][quote.shipment_id]["to_address"]
    assert (sent["street1"], sent["street2"]) == ("Harbor Drive Building C", "Apt 20")
    assert service.review(order_id).accepted_as_entered
