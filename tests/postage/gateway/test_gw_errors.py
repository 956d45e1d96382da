"""EasyPost exceptions -> AppError kinds, hints, field errors; never the API key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from app.domain.errors import ErrorKind
from app.postage import ep
from app.postage.errors import Outcome, classify, to_app_error
from app.postage.gateway import is_loopback

EXAMPLES = Path(__file__).parents[1] / "easypost_examples"


def api_error(cls: type[ep.ApiError], status: int, body: object) -> ep.ApiError:
    text = json.dumps(body)
    return cls(message=body["error"]["message"], http_status=status, http_body=text)  # type: ignore[index]


def test_422_address_keeps_each_field_error_and_the_reference() -> None:
    body = json.loads((EXAMPLES / "addresses_addresses-verify-strict-param.json").read_text())
    error = to_app_error(
        api_error(ep.ApiError, 422, body), operation="verify the address", reference="KS-1042"
    )
    assert error.kind is ErrorKind.ADDRESS
    assert error.details["reference"] == "KS-1042"
    assert error.details["code"] == "ADDRESS.VERIFY.FAILURE"
    assert error.details["field_errors"] == [
        {
            "field": "address",
            "message": "Address not found",
            "code": "E.ADDRESS.NOT_FOUND",
            "suggestion": "",
        }
    ]
    assert "KS-1042" in error.message and error.hint


def test_422_customs() -> None:
    body = {
        "error": {
            "code": "SHIPMENT.INVALID_PARAMS",
            "message": ["missing required field for non-document shipment"],
            "errors": [
                {"field": "customs_info.customs_items.0.hs_tariff_number", "message": "is required"}
            ],
        }
    }
    error = to_app_error(api_error(ep.ApiError, 422, body), operation="get rates", reference="R1")
    assert error.kind is ErrorKind.CUSTOMS
    assert "hs_tariff_number" in error.message and "HTS" in error.hint


def test_string_errors_and_not_found() -> None:
    body = {
        "error": {
            "code": "NOT_FOUND",
            "message": "The requested resource could not be found.",
            "errors": ["No eligible insurance found with provided tracking code."],
        }
    }
    error = to_app_error(api_error(ep.NotFoundError, 404, body), operation="look up the shipment")
    assert error.kind is ErrorKind.NOT_FOUND


@pytest.mark.parametrize(
    ("cls", "status", "kind"),
    [
        (ep.UnauthorizedError, 401, ErrorKind.AUTH),
        (ep.ForbiddenError, 403, ErrorKind.AUTH),
        (ep.PaymentError, 402, ErrorKind.PAYMENT),
        (ep.RateLimitError, 429, ErrorKind.RATE_LIMITED),
        (ep.UnknownApiError, 500, ErrorKind.NETWORK),
    ],
)
def test_status_kinds(cls: type[ep.ApiError], status: int, kind: ErrorKind) -> None:
    body = {"error": {"code": "X", "message": "nope", "errors": []}}
    error = to_app_error(api_error(cls, status, body), operation="buy the label")
    assert error.kind is kind and error.hint


def test_classify_lost_answers_and_unsent_requests() -> None:
    assert classify(ep.TimeoutError("Request timed out.")) is Outcome.UNKNOWN
    assert classify(ep.ApiError("bad gateway", http_status=None)) is Outcome.UNKNOWN
    assert classify(ep.ApiError("x", http_status=422)) is Outcome.REJECTED
    try:
        try:
            raise requests.exceptions.ConnectionError("NewConnectionError: Connection refused")
        except requests.exceptions.ConnectionError:
            raise ep.HttpError("Unexpected error communicating with EasyPost") from None
    except ep.HttpError as unsent:
        # `from None` still keeps __context__, which is what the client leaves us
        assert classify(unsent) is Outcome.NOT_SENT
    try:
        try:
            raise requests.exceptions.ConnectionError("RemoteDisconnected('closed')")
        except requests.exceptions.ConnectionError:
            raise ep.HttpError("Unexpected error communicating with EasyPost") from None
    except ep.HttpError as lost:
        assert classify(lost) is Outcome.UNKNOWN
    net = to_app_error(ep.TimeoutError("Request timed out."), operation="buy the label")
    assert net.kind is ErrorKind.NETWORK and net.details["outcome"] == "unknown"


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:8080/v2", True),
        ("http://127.1.2.3/v2", True),
        ("http://localhost:5000/v2", True),
        ("http://[::1]:5000/v2", True),
        ("https://api.easypost.com/v2", False),
        ("http://10.0.0.5/v2", False),
        ("http://127.0.0.1.example.com/v2", False),
    ],
)
def test_is_loopback(url: str, loopback: bool) -> None:
    assert is_loopback(url) is loopback
