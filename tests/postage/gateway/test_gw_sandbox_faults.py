"""Error paths against the sandbox: keys, payment, 422s, 429 bursts, 5xx, lost buy answers."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from decimal import Decimal

import pytest
import requests
from gw_support import ABROAD, API_KEY, DESK, HOME, PARCEL, make_gateway, purchases

from app.domain.errors import AppError, ErrorKind
from app.postage.gateway import EasyPostGateway
from app.postage.models import CustomsLine, CustomsSpec, ShipmentOptions, ShipmentQuote
from app.postage.sandbox.server import SandboxServer


def quote(gateway: EasyPostGateway, reference: str = "KS-9") -> ShipmentQuote:
    return gateway.create_shipment(
        to_address=HOME, from_address=DESK, parcel=PARCEL, reference=reference
    )


def ground(q: ShipmentQuote) -> str:
    rate = q.rate_for("GroundAdvantage")
    assert rate is not None
    return rate.id


@pytest.mark.parametrize(
    ("key", "status"), [("EZBADKEY" + API_KEY, 401), ("EZINACTIVE" + API_KEY, 403)]
)
def test_bad_or_inactive_key_is_auth_and_never_shows_the_key(
    sandbox: SandboxServer, key: str, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    gateway = make_gateway(sandbox.api_base, key=key)
    with pytest.raises(AppError) as caught:
        quote(gateway)
    error = caught.value
    assert error.kind is ErrorKind.AUTH and error.details["http_status"] == status
    assert "key set" in error.hint
    for text in (str(error), repr(error), repr(error.details), repr(gateway), caplog.text):
        assert key not in text and API_KEY not in text
    assert gateway.calls == 1  # an auth error is final


def test_no_funds_is_payment(sandbox: SandboxServer) -> None:
    gateway = make_gateway(sandbox.api_base, key="EZNOFUNDS" + API_KEY)
    q = quote(gateway)
    with pytest.raises(AppError) as caught:
        gateway.buy(q.shipment_id, ground(q), reference="KS-9")
    assert caught.value.kind is ErrorKind.PAYMENT and caught.value.details["reference"] == "KS-9"
    assert purchases(sandbox) == []


def test_missing_customs_is_a_customs_error_on_the_order(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    incomplete = CustomsSpec(
        lines=(CustomsLine("Shirt", 1, Decimal(10), Decimal(6), "", ""),), signer="Pat"
    )
    q = gateway.create_shipment(
        to_address=ABROAD, from_address=DESK, parcel=PARCEL, customs=incomplete, reference="INT-1"
    )
    assert q.rates and any("International" in s for s in q.services)
    with pytest.raises(AppError) as caught:
        gateway.buy(q.shipment_id, q.rates[0].id, reference="INT-1")
    error = caught.value
    assert error.kind is ErrorKind.CUSTOMS and error.details["reference"] == "INT-1"
    fields = {f["field"] for f in error.details["field_errors"]}  # type: ignore[attr-defined]
    assert any("hs_tariff_number" in f for f in fields)
    assert any("origin_country" in f for f in fields)
    assert "INT-1" in error.message and purchases(sandbox) == []


def test_429_burst_backs_off_and_succeeds(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    sandbox.set_faults(burst_429=4)
    q = quote(gateway)
    assert q.rates
    assert gateway.backoff.rate_limited_count == 4 and gateway.calls == 5


def test_429_for_too_long_is_rate_limited(sandbox: SandboxServer) -> None:
    gateway = make_gateway(sandbox.api_base)
    sandbox.set_faults(burst_429=100)
    with pytest.raises(AppError) as caught:
        quote(gateway)
    assert caught.value.kind is ErrorKind.RATE_LIMITED
    assert gateway.calls == gateway.config.retry.rate_limit_attempts


def test_5xx_is_retried_for_reads(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    q = quote(gateway)
    sandbox.set_faults(error_rate=1.0, error_status=502, error_ops=["shipment.retrieve"])
    calls = gateway.calls
    with pytest.raises(AppError) as caught:
        gateway.retrieve_shipment(q.shipment_id)
    assert caught.value.kind is ErrorKind.NETWORK
    assert gateway.calls - calls == 1 + gateway.config.retry.safe_retry_attempts
    sandbox.set_faults(error_rate=0.0)
    assert gateway.retrieve_shipment(q.shipment_id).shipment_id == q.shipment_id


def test_5xx_on_a_refund_is_not_repeated(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    q = quote(gateway)
    gateway.buy(q.shipment_id, ground(q))
    sandbox.set_faults(error_rate=1.0, error_status=500, error_ops=["shipment.refund"])
    calls = gateway.calls
    with pytest.raises(AppError) as caught:
        gateway.refund(q.shipment_id)
    assert caught.value.kind is ErrorKind.NETWORK
    assert caught.value.details["outcome"] == "unknown"
    assert gateway.calls - calls == 1


def test_5xx_on_buy_looks_before_buying_again(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    q = quote(gateway)
    sandbox.set_faults(error_rate=1.0, error_status=503, error_ops=["shipment.buy"])
    with pytest.raises(AppError) as caught:
        gateway.buy(q.shipment_id, ground(q))
    assert caught.value.kind is ErrorKind.NETWORK
    assert purchases(sandbox) == []
    sandbox.set_faults(error_rate=0.0)
    label = gateway.buy(q.shipment_id, ground(q))
    assert not label.reconciled and len(purchases(sandbox, q.shipment_id)) == 1


def test_dropped_connection_after_a_committed_buy_is_reconciled(
    gateway: EasyPostGateway, sandbox: SandboxServer
) -> None:
    q = quote(gateway, "DROP-1")
    sandbox.set_faults(drop_after_buy=1)
    label = gateway.buy(q.shipment_id, ground(q), reference="DROP-1")
    assert label.reconciled and label.tracking_code and label.rate.service == "GroundAdvantage"
    ledger = purchases(sandbox, q.shipment_id)
    assert len(ledger) == 1 and ledger[0]["tracking_code"] == label.tracking_code
    again = gateway.reconcile(q.shipment_id)
    assert again.label is not None and again.label.tracking_code == label.tracking_code


def test_buy_timeout_is_reconciled_not_bought_twice(sandbox: SandboxServer) -> None:
    # The server takes 1 s per buy; the client gives up after 0.4 s, several times.
    gateway = make_gateway(sandbox.api_base, write_timeout=0.4, buy_attempts=5)
    q = quote(gateway, "SLOW-1")
    sandbox.set_faults(op_latency_ms={"shipment.buy": 1000})
    label = gateway.buy(q.shipment_id, ground(q), reference="SLOW-1")
    assert label.reconciled
    assert len(purchases(sandbox, q.shipment_id)) == 1
    assert len(purchases(sandbox)) == 1


def test_network_down(tmp_path: object) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = make_gateway(f"http://127.0.0.1:{port}/v2")
    with pytest.raises(AppError) as caught:
        quote(gateway)
    assert caught.value.kind is ErrorKind.NETWORK
    assert caught.value.details["outcome"] == "not_sent"
    with pytest.raises(AppError) as buying:
        gateway.buy("shp_x", "rate_y")
    assert buying.value.details["outcome"] == "not_sent"  # nothing can have been bought


def test_loopback_ignores_proxy_variables(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    bogus = "http://127.0.0.1:9"  # discard port: nothing answers
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, bogus)
    # the environment really is poisoned for a plain requests call
    with pytest.raises(requests.exceptions.ProxyError):
        requests.get(f"{sandbox.base_url}/_sandbox/health", timeout=5)
    gateway = make_gateway(sandbox.api_base)
    q = quote(gateway)
    label = gateway.buy(q.shipment_id, ground(q))
    assert gateway.download(label.label_url).startswith(b"\x89PNG")


def test_options_reach_the_label(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    q = gateway.create_shipment(
        to_address=HOME, from_address=DESK, parcel=PARCEL, reference="REF-77",
        options=ShipmentOptions(label_format="EPL2", print_custom_1="REF-77", machinable=False),
    )  # fmt: skip
    label = gateway.buy(q.shipment_id, ground(q))
    assert label.label_format == "EPL2"
    assert b"REF-77" in gateway.download(label.label_url)


def test_quoter_rides_out_a_429_burst(gateway: EasyPostGateway, sandbox: SandboxServer) -> None:
    from app.postage.models import RateRequest
    from app.postage.rating import RateQuoter

    requests_ = [
        RateRequest(DESK, HOME, PARCEL),
        RateRequest(DESK, ABROAD, PARCEL),
        RateRequest(DESK, HOME, PARCEL, reference="same key"),
    ]
    sandbox.set_faults(burst_429=6)
    outcomes = RateQuoter(gateway, concurrency=3).quote_many(requests_)
    assert all(o.ok for o in outcomes) and outcomes[2].shared
    assert gateway.backoff.rate_limited_count == 6


def test_key_is_not_in_the_sandbox_state_or_settings(
    gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: object
) -> None:
    q = quote(gateway)
    gateway.buy(q.shipment_id, ground(q))
    sandbox.stop()
    state = sandbox.store.path
    assert state is not None and state.exists()
    assert API_KEY not in state.read_text()


def test_the_clients_own_retries_are_off() -> None:
    """A server that never answers: only the gateway's retries may reach it (not urllib3's)."""
    hits: list[int] = []
    release = threading.Event()

    class Silent(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            hits.append(1)
            release.wait(10)

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Silent)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        gateway = make_gateway(f"http://127.0.0.1:{port}/v2", read_timeout=0.2)
        with pytest.raises(AppError) as caught:
            gateway.retrieve_shipment("shp_x")
        assert caught.value.kind is ErrorKind.NETWORK
        assert len(hits) == 1 + gateway.config.retry.safe_retry_attempts == gateway.calls
    finally:
        release.set()
        server.shutdown()
        server.server_close()
