"""A buy whose answer was lost stays "unknown" whatever a later attempt is told (review R1).

Attempt 1 times out while EasyPost keeps working on it; the look-up shows no label yet; the
re-buy is then refused definitively. Raising that refusal ("rejected", "rate_limited",
"not_sent") would close the journal row FAILED and free the order while the first buy
commits: a paid label never recorded. Scripted fake transport: the sandbox commits a buy
before answering, so it cannot show "still being bought".
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests

from app.domain.errors import AppError, ErrorKind
from app.postage import ep
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.ratelimit import RetryPolicy

FAST = RetryPolicy(
    base_delay=0.0, max_delay=0.0, jitter=0.0, rate_limit_attempts=2, safe_retry_attempts=1
)
LABEL = {
    "id": "shp_1",
    "tracking_code": "9400100000000000000001",
    "postage_label": {"label_url": "http://x/l.png"},
    "selected_rate": {"id": "rate_1", "service": "GroundAdvantage", "carrier": "USPS",
                      "rate": "5.00"},
}  # fmt: skip


def _refused() -> BaseException:
    return ep.ApiError(
        "Shipment is already being purchased", http_status=422, code="SHIPMENT.POSTAGE.FAILURE"
    )


def _rate_limited() -> BaseException:
    return ep.RateLimitError("rate limited", http_status=429)


def _no_funds() -> BaseException:
    return ep.PaymentError("Insufficient funds", http_status=402, code="PAYMENT")


def _connection_refused() -> BaseException:
    try:
        raise requests.exceptions.ConnectionError("Connection refused")
    except requests.exceptions.ConnectionError:
        try:
            raise ep.HttpError("could not connect")
        except ep.HttpError as error:
            return error


class ScriptedShipments:
    """Buy 1 times out; later buys raise `then()`; retrieve shows a label once committed."""

    def __init__(self, then: object, *, first_lost: bool = True) -> None:
        self.then = then
        self.first_lost = first_lost
        self.buys = 0
        self.committed = False

    def buy(self, shipment_id: str, **params: object) -> object:
        self.buys += 1
        if self.buys == 1 and self.first_lost:
            raise ep.TimeoutError("Request timed out.")  # the server keeps working on it
        raise self.then()  # type: ignore[operator]

    def retrieve(self, shipment_id: str) -> dict[str, object]:
        return LABEL if self.committed else {"id": shipment_id}


def _gateway(shipments: ScriptedShipments) -> EasyPostGateway:
    gateway = EasyPostGateway("EZTK_test", GatewayConfig(api_base="http://127.0.0.1:9", retry=FAST))
    fake = SimpleNamespace(shipment=shipments)
    gateway._writes = fake
    gateway._reads = fake
    return gateway


@pytest.mark.parametrize(
    "then", [_refused, _rate_limited, _connection_refused, _no_funds],
    ids=["422-being-purchased", "429-exhausted", "connection-refused", "payment-refused"],
)  # fmt: skip
def test_a_refusal_after_a_lost_answer_stays_unknown(then: object) -> None:
    shipments = ScriptedShipments(then)
    gateway = _gateway(shipments)
    with pytest.raises(AppError) as caught:
        gateway.buy("shp_1", "rate_1")
    assert caught.value.details.get("outcome") == "unknown", caught.value.details
    assert caught.value.kind is ErrorKind.NETWORK
    assert shipments.buys >= 2  # the re-buy happened and was refused
    # ... and EasyPost commits the first buy later: the caller's reconcile finds it.
    shipments.committed = True
    assert gateway.reconcile("shp_1").tracking_code == LABEL["tracking_code"]


@pytest.mark.parametrize("then", [_refused, _no_funds], ids=["422", "payment"])
def test_a_refusal_without_a_lost_answer_is_still_final(then: object) -> None:
    gateway = _gateway(ScriptedShipments(then, first_lost=False))
    with pytest.raises(AppError) as caught:
        gateway.buy("shp_1", "rate_1")
    assert caught.value.details.get("outcome") == "rejected", caught.value.details


def test_a_failed_look_up_after_lost_answer_and_refusal_is_unknown() -> None:
    shipments = ScriptedShipments(_refused)
    gateway = _gateway(shipments)
    looks = 0

    def retrieve(shipment_id: str) -> dict[str, object]:
        nonlocal looks
        looks += 1
        if looks == 1:
            return {"id": shipment_id}
        raise ep.TimeoutError("Request timed out.")

    gateway._reads = SimpleNamespace(shipment=SimpleNamespace(retrieve=retrieve))
    with pytest.raises(AppError) as caught:
        gateway.buy("shp_1", "rate_1")
    assert caught.value.details.get("outcome") == "unknown", caught.value.details
