"""Auth errors, injected faults and the control endpoints, seen through the official client."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import easypost
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from sandbox_support import create_shipment, make_client

from app.domain.errors import AppError
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.faults import FaultConfig, FaultInjector, parse_fault_spec
from app.postage.sandbox.handlers import SandboxApi
from app.postage.sandbox.server import SandboxServer


@pytest.mark.parametrize(
    ("key", "error_type", "status", "code"),
    [
        ("", easypost.errors.UnauthorizedError, 401, "APIKEY.REQUIRED"),
        ("   ", easypost.errors.UnauthorizedError, 401, "APIKEY.REQUIRED"),
        ("EZBADKEY123", easypost.errors.UnauthorizedError, 401, "APIKEY.INVALID"),
        ("EZINACTIVE1", easypost.errors.ForbiddenError, 403, "APIKEY.INACTIVE"),
    ],
)
def test_bad_keys_are_rejected(
    sandbox: SandboxServer, key: str, error_type: type[Exception], status: int, code: str
) -> None:
    with pytest.raises(error_type) as caught:
        make_client(sandbox.api_base, key).address.create(street1="1 Main St")
    assert caught.value.http_status == status  # type: ignore[attr-defined]
    assert caught.value.code == code  # type: ignore[attr-defined]


def test_basic_auth_like_the_curl_examples(sandbox: SandboxServer, http: requests.Session) -> None:
    response = http.post(
        f"{sandbox.api_base}/parcels", auth=("EZTK_curl", ""), json={"parcel": {"weight": 3}}
    )
    assert response.status_code == 201 and response.json()["id"].startswith("prcl_")
    assert http.post(f"{sandbox.api_base}/parcels", json={}).status_code == 401


def test_payment_required_on_buy(sandbox: SandboxServer) -> None:
    client = make_client(sandbox.api_base, "EZNOFUNDS_key")
    shipment = create_shipment(client)
    with pytest.raises(easypost.errors.PaymentError) as caught:
        client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    assert caught.value.http_status == 402
    assert sandbox.ledger() == []


def test_429_burst_then_recovers(sandbox: SandboxServer, client: easypost.EasyPostClient) -> None:
    sandbox.set_faults(burst_429=2)
    for _ in range(2):
        with pytest.raises(easypost.errors.RateLimitError):
            client.parcel.create(weight=1)
    assert client.parcel.create(weight=1).weight == 1


def test_error_rate_is_seeded_and_per_operation(
    sandbox: SandboxServer, client: easypost.EasyPostClient
) -> None:
    sandbox.set_faults(error_rate=1.0, error_ops=["shipment.create"])
    with pytest.raises(easypost.errors.InternalServerError):
        create_shipment(client)
    assert client.parcel.create(weight=1).weight == 1  # other operations unaffected
    sandbox.set_faults(error_rate=1.0, error_status=502, error_ops=[])
    with pytest.raises(easypost.errors.JsonError):  # an HTML 502 from a proxy
        client.parcel.create(weight=1)

    def draws(seed: int) -> list[int | None]:
        injector = FaultInjector(FaultConfig(error_rate=0.5, seed=seed))
        return [injector.before("x").status for _ in range(20)]

    assert draws(7) == draws(7) and draws(7) != draws(8)


def test_dropped_connection_after_a_committed_buy(
    sandbox: SandboxServer, client: easypost.EasyPostClient
) -> None:
    shipment = create_shipment(client)
    sandbox.set_faults(drop_after_buy=1)

    with pytest.raises(easypost.errors.HttpError):
        client.shipment.buy(shipment.id, rate=shipment.lowest_rate())

    [purchase] = sandbox.ledger()  # the server bought it once, and the client was not retried
    assert purchase["shipment_id"] == shipment.id
    assert client.shipment.retrieve(shipment.id).tracking_code == purchase["tracking_code"]


def test_latency_per_operation(sandbox: SandboxServer, client: easypost.EasyPostClient) -> None:
    sandbox.set_faults(op_latency_ms={"parcel.create": 200})
    started = time.perf_counter()
    client.parcel.create(weight=1)
    assert time.perf_counter() - started >= 0.2
    started = time.perf_counter()
    client.address.create(street1="1 Main St")
    assert time.perf_counter() - started < 0.2


def test_control_endpoints(sandbox: SandboxServer, http: requests.Session) -> None:
    control = f"{sandbox.base_url}/_sandbox"
    assert http.get(f"{control}/health").json()["api_base"] == sandbox.api_base
    set_faults = http.post(f"{control}/faults", json={"spec": "latency=5,429-burst=1"}).json()
    assert set_faults["latency_ms"] == 5 and set_faults["burst_429"] == 1
    assert http.post(f"{control}/faults", json={"latency_ms": 0}).json()["burst_429"] == 1
    assert http.post(f"{control}/faults", json={"nonsense": 1}).status_code == 422
    assert http.post(f"{control}/faults/reset").json() == FaultConfig().to_json()
    assert http.post(f"{control}/timings", json={"refund_s": 1}).json()["refund_s"] == 1
    before = http.get(f"{control}/clock").json()["now"]
    after = http.post(f"{control}/clock/advance", json={"seconds": 86400}).json()["now"]
    assert after > before
    assert http.get(f"{control}/ledger").json() == {"ledger": []}


def test_fault_spec_syntax() -> None:
    config = parse_fault_spec(
        "latency=100, latency:shipment.buy=900,error-rate=0.25,error-status=503,"
        "error-op=shipment.create,429-burst=3,429-rate=0.1,drop-after-buy=2,slow-label=50,"
        "scan-form-fail=1,seed=9"
    )
    assert config == FaultConfig(
        latency_ms=100,
        op_latency_ms={"shipment.buy": 900},
        error_rate=0.25,
        error_status=503,
        error_ops=["shipment.create"],
        burst_429=3,
        rate_429=0.1,
        drop_after_buy=2,
        slow_label_ms=50,
        scan_form_fail=1,
        seed=9,
    )
    for bad in ("latency", "latency=fast", "warp=9"):
        with pytest.raises(AppError):
            parse_fault_spec(bad)


@given(st.text(max_size=60))
def test_fault_spec_parser_fails_only_with_app_error(spec: str) -> None:
    try:
        config = parse_fault_spec(spec)
    except AppError as error:
        assert error.hint
    else:
        assert isinstance(config, FaultConfig)


def test_a_sandbox_bug_still_answers_like_easypost(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> tuple[int, object]:
        raise RuntimeError("boom")

    monkeypatch.setattr(SandboxApi, "parcel_create", broken)
    with SandboxServer() as sandbox:
        client = make_client(sandbox.api_base)
        with pytest.raises(easypost.errors.InternalServerError) as caught:
            client.parcel.create(weight=1)
        assert "boom" in caught.value.message
        assert client.address.create(street1="1 Main St").street1 == "1 Main St"
    assert "sandbox bug" in caplog.text


def test_buy_outlives_a_client_timeout(
    monkeypatch: pytest.MonkeyPatch, clock: SandboxClock, tmp_path: Path
) -> None:
    """A buy slower than the client's timeout still commits; the client sees TimeoutError once."""
    release, answered = threading.Event(), threading.Event()
    original = SandboxApi.shipment_buy

    def buy_then_signal(self: SandboxApi, *args: Any) -> tuple[int, Any]:
        try:
            return original(self, *args)
        finally:
            answered.set()

    monkeypatch.setattr(SandboxApi, "shipment_buy", buy_then_signal)
    with SandboxServer(tmp_path / "state.json", clock=clock) as sandbox:
        sandbox.api.sleep = lambda seconds: release.wait(10) if seconds >= 0.001 else None
        client = make_client(sandbox.api_base)
        shipment = create_shipment(client)
        sandbox.set_faults(op_latency_ms={"shipment.buy": 1})
        slow_client = easypost.EasyPostClient("EZTK_t", api_base=sandbox.api_base, timeout=0.3)
        slow_client._requests_session.trust_env = False

        with pytest.raises(easypost.errors.TimeoutError):
            slow_client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
        release.set()
        assert answered.wait(10)

        assert [e["event"] for e in sandbox.ledger()] == ["purchase"]
        assert client.shipment.retrieve(shipment.id).postage_label is not None
