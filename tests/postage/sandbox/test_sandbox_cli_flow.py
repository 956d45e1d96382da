"""A new user's session: `packdesk-cli sandbox` in one terminal, the plain client at a prompt."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sandbox_support import FROM_ADDRESS, TO_ADDRESS, make_client

from tests.dates import DEFAULT_MOMENT, aware, next_pickup_day


@pytest.fixture
def running_cli(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    state = tmp_path / "cli-state.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "sandbox",
            "--state",
            str(state),
            "--latency-ms",
            "1",
            "--log-requests",
            "--clock-start",
            aware(DEFAULT_MOMENT).isoformat(),  # a Saturday: never today
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    api_base = process.stdout.readline().strip()  # the first line is the API base URL
    try:
        yield api_base, state, process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_prompt_session_against_the_cli_sandbox(
    running_cli: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    api_base, state, process = running_cli
    assert api_base.startswith("http://127.0.0.1:") and api_base.endswith("/v2")
    client = make_client(api_base, "EZTK_my_test_key")
    http = requests.Session()
    http.trust_env = False
    control = api_base.removesuffix("/v2") + "/_sandbox"

    def advance(seconds: float) -> None:
        http.post(f"{control}/clock/advance", json={"seconds": seconds}).raise_for_status()

    # create -> rates -> buy -> label in ZPL -> refund
    shipment = client.shipment.create(
        to_address=TO_ADDRESS, from_address=FROM_ADDRESS, parcel={"weight": 12}
    )
    assert shipment.rates
    bought = client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
    zpl_url = client.shipment.label(bought.id, file_format="ZPL").postage_label.label_zpl_url
    assert http.get(zpl_url).content.startswith(b"^XA")
    assert client.shipment.refund(bought.id).refund_status == "submitted"

    # batch -> buy -> SCAN form
    batch = client.batch.create(
        shipments=[
            client.shipment.create(
                to_address=TO_ADDRESS, from_address=FROM_ADDRESS, parcel={"weight": 20}
            )
            for _ in range(2)
        ]
    )
    advance(5)
    client.batch.buy(batch.id)
    advance(5)
    assert client.batch.retrieve(batch.id).state == "purchased"
    client.batch.create_scan_form(batch.id)
    advance(5)
    form = client.batch.retrieve(batch.id).scan_form
    assert form.status == "created"
    assert http.get(form.form_url).content.startswith(b"%PDF")

    # pickup for the next day USPS picks up (the sandbox runs on a fixed Saturday) -> buy
    day = next_pickup_day(DEFAULT_MOMENT)
    pickup = client.pickup.create(
        address=FROM_ADDRESS,
        batch=batch,
        instructions="Back door",
        min_datetime=day.isoformat(),
        max_datetime=day.isoformat(),
    )
    assert client.pickup.buy(pickup.id, carrier="USPS", service="NextDay").status == "scheduled"

    # tracker
    tracker = client.tracker.create(tracking_code="EZ4000000004", carrier="USPS")
    assert tracker.status == "delivered"

    ledger = http.get(f"{control}/ledger").json()["ledger"]
    assert [e["event"] for e in ledger].count("purchase") == 3

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    assert process.stderr is not None
    assert "POST /v2/shipments -> 201" in process.stderr.read()
    saved = json.loads(state.read_text())
    assert bought.id in saved["objects"]["shipments"]
