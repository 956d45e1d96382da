"""EasyPost errors -> AppError with words a packer can act on (and never the API key)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import requests

from app.domain.errors import AppError, ErrorKind
from app.domain.redaction import redact
from app.postage import ep
from app.postage.models import FieldError


class Outcome(StrEnum):
    """What a failed call tells us about the server side."""

    REJECTED = "rejected"  # the server answered no: nothing happened, the answer is final
    RATE_LIMITED = "rate_limited"  # nothing happened; ask again later
    NOT_SENT = "not_sent"  # the request never left (connection refused, DNS): nothing happened
    UNKNOWN = "unknown"  # sent, but the answer was lost or broken (timeout, 5xx, reset)


def classify(error: BaseException) -> Outcome:
    """Sort an easypost exception by what it says about the server's state."""
    if isinstance(error, ep.RateLimitError):
        return Outcome.RATE_LIMITED
    if isinstance(error, ep.TimeoutError):
        return Outcome.UNKNOWN
    if isinstance(error, ep.HttpError):
        return Outcome.NOT_SENT if _never_sent(error) else Outcome.UNKNOWN
    if isinstance(error, ep.ApiError):
        status = error.http_status
        if status is None or status >= 500:
            return Outcome.UNKNOWN  # e.g. 502 with an HTML body (JsonError, no status)
        return Outcome.REJECTED
    return Outcome.REJECTED


def _never_sent(error: BaseException) -> bool:
    """True when requests failed before sending (the easypost client re-raises inside except)."""
    cause = error.__cause__ or error.__context__
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(cause, requests.exceptions.ConnectionError):
        text = repr(cause)
        return any(
            marker in text
            for marker in ("NewConnectionError", "NameResolutionError", "Connection refused")
        )
    return False


def field_errors(error: ep.ApiError) -> tuple[FieldError, ...]:
    """EasyPost's `errors` array: FieldError objects or plain strings."""
    found: list[FieldError] = []
    for entry in error.errors or []:
        if isinstance(entry, Mapping):
            found.append(
                FieldError(
                    field=str(entry.get("field") or ""),
                    message=redact(str(entry.get("message") or "")),
                    code=str(entry.get("code") or ""),
                    suggestion=str(entry.get("suggestion") or ""),
                )
            )
        else:
            found.append(FieldError(field="", message=redact(str(entry))))
    return tuple(found)


_CUSTOMS_HINT = (
    "Complete the customs data of every SKU in the order (HTS code, customs description, "
    "country of origin) and the customs signer in settings."
)


_TAX_IDS_HINT = (
    "Check the sender's IOSS, VAT and EORI numbers: `packdesk-cli tax-ids show` "
    "(change them with `packdesk-cli tax-ids set ...`)."
)


def _kind_for_422(code: str, fields: tuple[FieldError, ...], operation: str) -> ErrorKind:
    text = " ".join([code, operation, *(f.field for f in fields)]).lower()
    if "tax_identifiers" in text:
        return ErrorKind.CUSTOMS
    if "customs" in text or "hs_tariff" in text or "origin_country" in text:
        return ErrorKind.CUSTOMS
    if code.startswith("ADDRESS") or "address" in operation:
        return ErrorKind.ADDRESS
    if any(
        f.field in {"street1", "street2", "city", "state", "zip", "country", "address"}
        for f in fields
    ):
        return ErrorKind.ADDRESS
    if "rate" in text or code.startswith("SHIPMENT.POSTAGE"):
        return ErrorKind.RATE
    return ErrorKind.INVALID_INPUT


def to_app_error(
    error: BaseException,
    *,
    operation: str,
    reference: str = "",
    details: Mapping[str, object] | None = None,
) -> AppError:
    """Map one easypost exception to an AppError; `operation` names what was being done.

    `reference` (the order reference) and `details` are attached so the UI can show the error
    on the right order. The key is never in an easypost error, and nothing here adds it.
    """
    info: dict[str, object] = {"operation": operation, **(details or {})}
    if reference:
        info["reference"] = reference
    if not isinstance(error, ep.EasyPostError):
        raise TypeError(f"not an easypost error: {type(error).__name__}")
    status = getattr(error, "http_status", None)
    code = str(getattr(error, "code", "") or "")
    # A server (or proxy) may echo the key back: it never goes further than here.
    message = redact(str(getattr(error, "message", "") or error))
    if status is not None:
        info["http_status"] = status
    if code:
        info["code"] = code
    outcome = classify(error)
    info["outcome"] = outcome.value

    if isinstance(error, ep.UnauthorizedError | ep.ForbiddenError):
        return AppError(
            f"EasyPost refused the API key ({message or code}).",
            hint="Check the key with 'packdesk-cli key status' and set a valid, active key for "
            "this mode with 'packdesk-cli key set'.",
            kind=ErrorKind.AUTH,
            details=info,
        )
    if isinstance(error, ep.PaymentError):
        return AppError(
            f"EasyPost needs payment before it can {operation}: {message}",
            hint="Add funds or a payment method to the EasyPost account (Billing), then retry.",
            kind=ErrorKind.PAYMENT,
            details=info,
        )
    if isinstance(error, ep.RateLimitError):
        return AppError(
            "EasyPost is rate limiting this account.",
            hint="Wait a minute and try again, or lower the concurrency in settings.",
            kind=ErrorKind.RATE_LIMITED,
            details=info,
        )
    if outcome in (Outcome.NOT_SENT, Outcome.UNKNOWN):
        is_timeout = isinstance(error, ep.TimeoutError | ep.GatewayTimeoutError)
        what = "timed out" if is_timeout else "could not be completed"
        if outcome is Outcome.NOT_SENT:
            what = "could not reach EasyPost"
            hint = "Check the internet connection (and proxy settings), then retry."
        else:
            hint = "EasyPost may be having trouble; retry in a moment."
        return AppError(
            f"The EasyPost call to {operation} {what}.",
            hint=hint,
            kind=ErrorKind.NETWORK,
            details=info,
        )
    if isinstance(error, ep.NotFoundError):
        return AppError(
            f"EasyPost has no such object ({operation}): {message}",
            hint="It may belong to the other mode (test vs production) or another account.",
            kind=ErrorKind.NOT_FOUND,
            details=info,
        )
    if isinstance(error, ep.ApiError):
        fields = field_errors(error)
        info["field_errors"] = [
            {"field": f.field, "message": f.message, "code": f.code, "suggestion": f.suggestion}
            for f in fields
        ]
        kind = _kind_for_422(code, fields, operation)
        listed = "; ".join(f"{f.field}: {f.message}" if f.field else f.message for f in fields)
        text = f"EasyPost rejected {operation}: {message}" + (f" ({listed})" if listed else "")
        if reference:
            text += f" [order {reference}]"
        hints = {
            ErrorKind.ADDRESS: "Correct the address fields named above (or verify it), then retry.",
            ErrorKind.CUSTOMS: _CUSTOMS_HINT,
            ErrorKind.RATE: "Pick another service or regenerate the rates, then retry.",
        }
        if any("tax_identifiers" in f.field for f in fields):
            hints[ErrorKind.CUSTOMS] = _TAX_IDS_HINT
        return AppError(
            text,
            hint=hints.get(kind, "Correct the fields named above, then retry."),
            kind=kind,
            details=info,
        )
    return AppError(
        f"EasyPost client error during {operation}: {message}",
        hint="This looks like a bug in Packdesk; please report it with the log.",
        kind=ErrorKind.INTERNAL,
        details=info,
    )
