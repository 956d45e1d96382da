"""EasyPost object bodies (Address, Parcel, Customs*, Rate, Fee) and the API error type."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app.postage.sandbox.clock import iso_offset, iso_z
from app.postage.sandbox.rates import Quote
from app.postage.sandbox.store import new_id

JsonObj = dict[str, Any]
CARRIER_ACCOUNT_ID = "ca_5a4d8e7c1f6b4c2e9d3a0b7f6e5d4c3b"  # the sandbox's one USPS account

ADDRESS_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "zip",
    "country",
    "phone",
    "email",
)


class SandboxApiError(Exception):
    """An EasyPost error response: HTTP status and the documented error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: list[Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = list(errors or [])

    def body(self) -> JsonObj:
        return {"error": {"code": self.code, "message": self.message, "errors": self.errors}}


def not_found(what: str = "resource") -> SandboxApiError:
    return SandboxApiError(404, "NOT_FOUND", "The requested resource could not be found.", [])


def field_error(field: str, message: str) -> JsonObj:
    return {"field": field, "message": message}


def to_float(value: Any, field: str) -> float | None:
    """Numbers may arrive as strings ("65.9"): coerce, or fail like EasyPost does."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise SandboxApiError(
            422, "PARAMETER.INVALID", "Invalid parameter.", [field_error(field, "must be a number")]
        )
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise SandboxApiError(
            422, "PARAMETER.INVALID", "Invalid parameter.", [field_error(field, "must be a number")]
        ) from error


def to_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1", "yes", "y"}


def money(value: Any, places: int = 2) -> str:
    """EasyPost money strings: '6.07' (rates) or '6.07000' (fees)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = Decimal(0)
    return str(amount.quantize(Decimal(1).scaleb(-places)))


def address_body(fields: JsonObj, ts: float, address_id: str | None = None) -> JsonObj:
    body: JsonObj = {
        "id": address_id or new_id("adr"),
        "object": "Address",
        "created_at": iso_offset(ts),
        "updated_at": iso_offset(ts),
    }
    for key in ADDRESS_FIELDS:
        value = fields.get(key)
        body[key] = None if value is None else str(value)
    body["country"] = (body["country"] or "US").upper()
    body.update(
        mode="test",
        carrier_facility=fields.get("carrier_facility"),
        residential=to_bool(fields.get("residential")),
        federal_tax_id=fields.get("federal_tax_id"),
        state_tax_id=fields.get("state_tax_id"),
        verifications={},
    )
    return body


def parcel_body(fields: JsonObj, ts: float) -> JsonObj:
    weight = to_float(fields.get("weight"), "weight")
    if weight is None:
        raise SandboxApiError(
            422,
            "PARAMETER.REQUIRED",
            "Missing required parameter.",
            [field_error("parcel.weight", "cannot be blank")],
        )
    if weight <= 0:
        raise SandboxApiError(
            422,
            "PARAMETER.INVALID",
            "Invalid parameter.",
            [field_error("parcel.weight", "must be greater than 0")],
        )
    dims = {
        key: to_float(fields.get(key), f"parcel.{key}") for key in ("length", "width", "height")
    }
    package = fields.get("predefined_package") or None
    if package is None and any(value is not None and value <= 0 for value in dims.values()):
        raise SandboxApiError(
            422,
            "PARAMETER.INVALID",
            "Invalid parameter.",
            [field_error("parcel", "dimensions must be greater than 0")],
        )
    return {
        "id": new_id("prcl"),
        "object": "Parcel",
        "created_at": iso_z(ts),
        "updated_at": iso_z(ts),
        **dims,
        "predefined_package": package,
        "weight": weight,
        "mode": "test",
    }


def customs_item_body(fields: JsonObj, ts: float) -> JsonObj:
    value = fields.get("value")
    return {
        "id": new_id("cstitem"),
        "object": "CustomsItem",
        "created_at": iso_z(ts),
        "updated_at": iso_z(ts),
        "description": fields.get("description"),
        "hs_tariff_number": None
        if fields.get("hs_tariff_number") is None
        else str(fields["hs_tariff_number"]),
        "origin_country": fields.get("origin_country"),
        "quantity": int(to_float(fields.get("quantity"), "quantity") or 0),
        "value": None if value is None else str(value),
        "weight": to_float(fields.get("weight"), "weight"),
        "code": fields.get("code"),
        # EU customs' product identifiers from November 2026 (EasyPost EU regulatory guide).
        "manufacturer_product_id": fields.get("manufacturer_product_id"),
        "standardized_product_id": fields.get("standardized_product_id"),
        "mode": "test",
        "manufacturer": fields.get("manufacturer"),
        "currency": fields.get("currency"),
        "eccn": fields.get("eccn"),
        "printed_commodity_identifier": fields.get("printed_commodity_identifier"),
    }


def customs_info_body(fields: JsonObj, items: list[JsonObj], ts: float) -> JsonObj:
    return {
        "id": new_id("cstinfo"),
        "object": "CustomsInfo",
        "created_at": iso_z(ts),
        "updated_at": iso_z(ts),
        "contents_explanation": fields.get("contents_explanation", ""),
        "contents_type": fields.get("contents_type") or "merchandise",
        "customs_certify": bool(to_bool(fields.get("customs_certify"))),
        "customs_signer": fields.get("customs_signer"),
        "eel_pfc": fields.get("eel_pfc"),
        "non_delivery_option": fields.get("non_delivery_option") or "return",
        "restriction_comments": fields.get("restriction_comments"),
        "restriction_type": fields.get("restriction_type") or "none",
        "mode": "test",
        "declaration": fields.get("declaration"),
        "customs_items": items,
    }


def customs_problems(customs: JsonObj | None) -> list[JsonObj]:
    """Why a customs declaration cannot go on an international USPS label (empty = fine)."""
    if not customs:
        return [
            field_error(
                "customs_info", "Customs information is required for international shipments."
            )
        ]
    problems: list[JsonObj] = []
    items = customs.get("customs_items") or []
    if not items:
        problems.append(
            field_error("customs_info.customs_items", "At least one customs item is required.")
        )
    if customs.get("customs_certify") and not customs.get("customs_signer"):
        problems.append(
            field_error("customs_info.customs_signer", "is required when customs_certify is true")
        )
    if customs.get("contents_type") == "other" and not customs.get("contents_explanation"):
        problems.append(
            field_error(
                "customs_info.contents_explanation", "is required when contents_type is other"
            )
        )
    for index, item in enumerate(items):
        where = f"customs_info.customs_items[{index}]"
        hs_code = "".join(ch for ch in str(item.get("hs_tariff_number") or "") if ch.isdigit())
        if len(hs_code) < 6:
            problems.append(
                field_error(
                    f"{where}.hs_tariff_number",
                    "missing required field for non-document shipment (6 to 10 digits)",
                )
            )
        if not str(item.get("description") or "").strip():
            problems.append(field_error(f"{where}.description", "cannot be blank"))
        origin = str(item.get("origin_country") or "")
        if len(origin) != 2 or not origin.isalpha():
            problems.append(
                field_error(f"{where}.origin_country", "must be a 2-letter country code")
            )
        for name in ("value", "weight"):
            if _positive(item.get(name)) is None:
                problems.append(field_error(f"{where}.{name}", "must be a number greater than 0"))
    return problems


def _positive(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def rate_body(quote: Quote, shipment_id: str, ts: float) -> JsonObj:
    return {
        "id": new_id("rate"),
        "object": "Rate",
        "created_at": iso_z(ts),
        "updated_at": iso_z(ts),
        "mode": "test",
        "service": quote.service,
        "carrier": "USPS",
        "rate": str(quote.rate),
        "currency": "USD",
        "retail_rate": str(quote.retail_rate),
        "retail_currency": "USD",
        "list_rate": str(quote.list_rate),
        "list_currency": "USD",
        "billing_type": "easypost",
        "delivery_days": quote.delivery_days,
        "delivery_date": None,
        "delivery_date_guaranteed": False,
        "est_delivery_days": quote.delivery_days,
        "shipment_id": shipment_id,
        "carrier_account_id": CARRIER_ACCOUNT_ID,
    }


def fee(kind: str, amount: Any) -> JsonObj:
    return {
        "object": "Fee",
        "type": kind,
        "amount": money(amount, 5),
        "charged": True,
        "refunded": False,
    }
