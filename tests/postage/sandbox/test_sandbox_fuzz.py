"""Whatever JSON a client sends, the sandbox answers a result or a 4xx, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from app.postage.sandbox.server import SandboxServer

FIELDS = [
    "id",
    "weight",
    "length",
    "street1",
    "zip",
    "state",
    "country",
    "customs_items",
    "value",
    "hs_tariff_number",
    "shipments",
    "tracking_codes",
    "min_datetime",
    "to_address",
    "from_address",
    "parcel",
    "options",
    "rate",
    "file_format",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["94104", "US", "CA", "10", "shp_x", "Letter"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=4),
    ),
    max_leaves=12,
)
ENDPOINTS = [
    ("POST", "/addresses", "address"),
    ("POST", "/parcels", "parcel"),
    ("POST", "/customs_infos", "customs_info"),
    ("POST", "/shipments", "shipment"),
    ("POST", "/batches", "batch"),
    ("POST", "/scan_forms", "scan_form"),
    ("POST", "/pickups", "pickup"),
    ("POST", "/refunds", "refund"),
    ("POST", "/trackers", "tracker"),
    ("POST", "/trackers/batch", "tracker"),
    ("POST", "/customs_items", "customs_item"),
    ("POST", "/addresses/create_and_verify", "address"),
]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[SandboxServer, requests.Session]]:
    session = requests.Session()
    session.trust_env = False
    session.headers["Authorization"] = "Bearer EZTK_fuzz"
    with SandboxServer() as sandbox:
        yield sandbox, session
    session.close()


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(ENDPOINTS),
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=6),
    st.booleans(),
)
def test_random_create_bodies_never_crash(
    served: tuple[SandboxServer, requests.Session],
    endpoint: tuple[str, str, str],
    fields: dict[str, Any],
    wrapped: bool,
) -> None:
    sandbox, session = served
    method, path, key = endpoint
    body = {key: fields} if wrapped else fields
    response = session.request(method, sandbox.api_base + path, json=body)
    assert response.status_code < 500, response.text
    payload = response.json()
    if response.status_code >= 400:
        assert set(payload["error"]) == {"code", "message", "errors"}


def _address() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "street1": st.one_of(st.just("1 Main St"), st.just("1 Main St"), scalars),
            "city": scalars,
            "state": st.one_of(st.sampled_from(["CA", "NY", ""]), scalars),
            "zip": st.one_of(st.sampled_from(["94104", "10001", "M5H 2N2", "00001"]), scalars),
            "country": st.one_of(st.sampled_from(["US", "CA", "DE", "PR"]), scalars),
        }
    )


plausible = st.one_of(st.floats(0.1, 2000), st.integers(1, 100), st.none(), scalars)
parcels = st.fixed_dictionaries(
    {"weight": st.one_of(st.floats(0.1, 2000), st.sampled_from(["12.5", 1120]), scalars)},
    optional={
        "length": plausible,
        "width": plausible,
        "height": plausible,
        "predefined_package": st.one_of(st.sampled_from(["Letter", "SmallFlatRateBox"]), scalars),
    },
)
customs = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"customs_items": st.lists(st.dictionaries(st.sampled_from(FIELDS), scalars), max_size=2)},
        optional={"customs_certify": scalars, "contents_type": scalars},
    ),
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    _address(),
    _address(),
    parcels,
    customs,
    st.dictionaries(
        st.sampled_from(["label_format", "machinable", "special_rates_eligibility", "label_date"]),
        scalars,
    ),
)
def test_random_shipments_rate_and_buy_without_crashing(
    served: tuple[SandboxServer, requests.Session],
    to_address: dict[str, Any],
    from_address: dict[str, Any],
    parcel: dict[str, Any],
    customs_info: dict[str, Any] | None,
    options: dict[str, Any],
) -> None:
    sandbox, session = served
    shipment = {
        "to_address": to_address,
        "from_address": from_address,
        "parcel": parcel,
        "customs_info": customs_info,
        "options": options,
    }
    created = session.post(sandbox.api_base + "/shipments", json={"shipment": shipment})
    assert created.status_code in (201, 422), created.text
    event(f"create {created.status_code}")
    if created.status_code == 201 and created.json()["rates"]:
        body = created.json()
        rate = {"id": body["rates"][0]["id"]}
        bought = session.post(f"{sandbox.api_base}/shipments/{body['id']}/buy", json={"rate": rate})
        assert bought.status_code in (200, 422), bought.text
        event(f"buy {bought.status_code}")
        if bought.status_code == 200:
            url = bought.json()["postage_label"]["label_url"]
            assert session.get(url).status_code == 200


@pytest.mark.parametrize("items", [1, 2.5, "CI_1", True])
def test_customs_items_that_are_not_a_list_are_refused_not_a_crash(
    served: tuple[SandboxServer, requests.Session], items: object
) -> None:
    """Found by the fuzz test above: {"customs_items": 1} answered 500."""
    sandbox, session = served
    response = session.post(sandbox.api_base + "/customs_infos", json={"customs_items": items})
    assert response.status_code == 422, response.text
    assert "customs_items" in response.text
