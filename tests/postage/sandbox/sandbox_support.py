"""Shared test data and helpers for the sandbox tests (addresses, parcels, client, shipments)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import easypost

#: A Wednesday afternoon: pickups tomorrow are allowed, SCAN forms today.
START = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)

FROM_ADDRESS = {
    "name": "Packdesk Warehouse",
    "street1": "417 Montgomery Street",
    "street2": "5th Floor",
    "city": "San Francisco",
    "state": "CA",
    "zip": "94104",
    "country": "US",
    "phone": "4153334445",
}
TO_ADDRESS = {
    "name": "Elizabeth Swan",
    "street1": "179 N Harbor Dr",
    "city": "Redondo Beach",
    "state": "CA",
    "zip": "90277",
    "country": "US",
}
TO_NEW_YORK = {
    "name": "Jack Sparrow",
    "street1": "20 W 34th Street",
    "city": "New York",
    "state": "NY",
    "zip": "10001",
    "country": "US",
}
TO_CANADA = {
    "name": "Hector Barbossa",
    "street1": "100 Queen St W",
    "city": "Toronto",
    "state": "ON",
    "zip": "M5H 2N2",
    "country": "CA",
    "phone": "+14165550100",
}
PARCEL = {"length": 10, "width": 8, "height": 4, "weight": 15.4}
CUSTOMS = {
    "customs_certify": True,
    "customs_signer": "Steve Brule",
    "contents_type": "merchandise",
    "eel_pfc": "NOEEI 30.37(a)",
    "customs_items": [
        {
            "description": "Art book",
            "quantity": 2,
            "value": 40.0,
            "weight": 30,
            "hs_tariff_number": "4901.99",
            "origin_country": "US",
            "code": "BOOK-1",
        }
    ],
}


def make_client(api_base: str, key: str = "EZTK_sandbox_test") -> easypost.EasyPostClient:
    client = easypost.EasyPostClient(key, api_base=api_base, timeout=10)
    client._requests_session.trust_env = False  # never a proxy for loopback
    return client


def create_shipment(client: easypost.EasyPostClient, **overrides: Any) -> Any:
    params: dict[str, Any] = {
        "to_address": TO_ADDRESS,
        "from_address": FROM_ADDRESS,
        "parcel": PARCEL,
    }
    params.update(overrides)
    return client.shipment.create(**params)


def bought_shipment(client: easypost.EasyPostClient, **overrides: Any) -> Any:
    shipment = create_shipment(client, **overrides)
    return client.shipment.buy(shipment.id, rate=shipment.lowest_rate())
