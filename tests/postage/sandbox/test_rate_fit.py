"""Test-mode prices for EasyPost's recorded example shipments come within 5 % of the recording.

The recordings: EasyPost's documented shipment responses (2025-05) and the rates of two
cassettes (2025-03) extracted into cassette-shipment-rates.json; a new recording checks the
model without code changes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.postage.sandbox.rates import ParcelSpec, rate_domestic

EXAMPLES = Path(__file__).resolve().parents[1] / "easypost_examples"


def _recorded() -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(EXAMPLES.glob("shipments_*.json")):
        body = json.loads(path.read_text())
        if body.get("parcel") and body.get("rates"):
            found.append((path.name, body))
    cassettes = json.loads((EXAMPLES / "cassette-shipment-rates.json").read_text())
    for recording in cassettes["recordings"]:
        found.append((recording["cassette"], recording))
    return found


RECORDED = _recorded()


@pytest.mark.parametrize(("name", "shipment"), RECORDED, ids=[n for n, _ in RECORDED])
def test_sandbox_prices_within_five_percent_of_easypost(
    name: str, shipment: dict[str, Any]
) -> None:
    parcel = shipment["parcel"]
    spec = ParcelSpec(
        float(parcel["weight"]), parcel.get("length"), parcel.get("width"), parcel.get("height")
    )
    origin = str(shipment["from_address"]["zip"])
    destination = str(shipment["to_address"]["zip"])
    ours = {q.service: float(q.rate) for q in rate_domestic(spec, origin, destination).quotes}
    for rate in shipment["rates"]:
        if rate["carrier"] != "USPS" or rate["service"] not in ours:
            continue
        theirs = float(rate["rate"])
        assert abs(ours[rate["service"]] - theirs) <= 0.05 * theirs, (
            rate["service"],
            ours[rate["service"]],
            theirs,
        )


def test_the_recordings_are_there() -> None:
    assert len(RECORDED) >= 3
