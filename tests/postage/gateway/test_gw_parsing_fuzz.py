"""The parsers take whatever JSON EasyPost (or a broken proxy) sends without crashing."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.postage.ep import convert_to_easypost_object
from app.postage.parsing import (
    parse_batch,
    parse_pickup,
    parse_purchased_label,
    parse_refund,
    parse_scan_form,
    parse_shipment_quote,
    parse_shipment_record,
    parse_tracker,
    parse_verified_address,
)

KEYS = ["rates", "rate", "tracking_code", "postage_label", "label_url", "selected_rate",
        "fees", "amount", "status", "shipments", "tracking_details", "datetime", "pickup_rates",
        "verifications", "delivery", "errors", "messages", "options", "label_format",
        "created_at", "tracking_codes", "address", "zip", "insurance", "delivery_days",
        "label_file_type", "scan_form", "tracker"]  # fmt: skip
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["shp_1", "rate_2", "2025-03-07T16:46:20Z", "6.07", "image/png", "x.zpl"]),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)
PARSERS = (
    parse_batch, parse_pickup, parse_purchased_label, parse_refund, parse_scan_form,
    parse_shipment_quote, parse_shipment_record, parse_tracker, parse_verified_address,
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=10))
def test_parsers_never_crash(data: dict[str, Any]) -> None:
    # (no "id" keys: the easypost client itself cannot convert {"id": None})
    for value in (data, convert_to_easypost_object(data)):
        for parse in PARSERS:
            parse(value)
