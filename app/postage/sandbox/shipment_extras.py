"""Shipment fields and actions beyond the basics: tax identifiers, blank references, forms."""

from __future__ import annotations

from typing import Any

from app.domain.duties import DDP_COUNTRIES
from app.postage.sandbox.api import Query, Result, unwrap
from app.postage.sandbox.clock import iso_z
from app.postage.sandbox.objects import JsonObj, SandboxApiError, field_error
from app.postage.sandbox.shipments import ShipmentsApi
from app.postage.sandbox.store import new_id

TAX_ID_TYPES = frozenset({"EORI", "IOSS", "VAT", "UKIMS", "PAN", "TIN", "OSS"})
TAX_ID_ENTITIES = frozenset({"SENDER", "RECEIVER"})
FORM_TYPES = frozenset(
    {
        "commercial_invoice",
        "return_packing_slip",
        "cn22",
        "cp72",
        "high_value_report",
        "label_qr_code",
        "rma_qr_code",
        "order_summary",
    }
)
#: Fields EasyPost answers with null when they were sent as an empty string.
BLANK_IS_NULL = ("reference",)


def blank_to_null(fields: JsonObj) -> JsonObj:
    """A copy of `fields` where "" in a reference-like field becomes None (as EasyPost does)."""
    out = dict(fields)
    for name in BLANK_IS_NULL:
        if isinstance(out.get(name), str) and not out[name].strip():
            out[name] = None
    return out


def tax_identifiers(value: Any) -> list[JsonObj] | None:
    """Validate and normalise `shipment.tax_identifiers`; raise EasyPost's 422 when invalid."""
    if value is None:
        return None
    if not isinstance(value, list):
        value = [value]
    problems: list[JsonObj] = []
    kept: list[JsonObj] = []
    for index, raw in enumerate(value):
        where = f"shipment.tax_identifiers[{index}]"
        entry = raw if isinstance(raw, dict) else {}
        entity = str(entry.get("entity") or "").strip().upper()
        tax_id = str(entry.get("tax_id") or "").strip()
        kind = str(entry.get("tax_id_type") or "").strip().upper()
        country = str(entry.get("issuing_country") or "").strip().upper()
        if entity not in TAX_ID_ENTITIES:
            problems.append(field_error(f"{where}.entity", "must be one of SENDER, RECEIVER"))
        if not tax_id:
            problems.append(field_error(f"{where}.tax_id", "cannot be blank"))
        if kind not in TAX_ID_TYPES:
            problems.append(
                field_error(
                    f"{where}.tax_id_type", f"must be one of {', '.join(sorted(TAX_ID_TYPES))}"
                )
            )
        if len(country) != 2 or not country.isalpha():
            problems.append(
                field_error(f"{where}.issuing_country", "must be a 2-letter country code")
            )
        kept.append(
            {"entity": entity, "tax_id": tax_id, "tax_id_type": kind, "issuing_country": country}
        )
    if problems:
        raise SandboxApiError(
            422,
            "SHIPMENT.INVALID_PARAMS",
            "Unable to create shipment, one or more parameters were invalid.",
            problems,
        )
    return kept


class ShipmentExtrasApi(ShipmentsApi):
    """tax_identifiers and blank references on create; POST /shipments/:id/forms."""

    def _new_shipment(self, fields: JsonObj, ts: float) -> JsonObj:
        identifiers = tax_identifiers(fields.get("tax_identifiers"))
        shipment = super()._new_shipment(blank_to_null(fields), ts)
        shipment["tax_identifiers"] = identifiers
        return shipment

    def purchase_problems(self, shipment: JsonObj) -> list[JsonObj]:
        """Also: USPS Delivered Duty Paid only goes to the countries USPS offers it for."""
        problems = super().purchase_problems(shipment)
        incoterm = str((shipment.get("options") or {}).get("incoterm") or "").upper()
        country = str(shipment["to_address"].get("country") or "US").upper()
        if incoterm == "DDP" and country not in DDP_COUNTRIES:
            problems.append(
                field_error(
                    "options.incoterm",
                    f"USPS Delivered Duty Paid is not available to {country} "
                    f"(only {', '.join(sorted(DDP_COUNTRIES))})",
                )
            )
        return problems

    def shipment_forms(self, body: JsonObj, query: Query, shipment_id: str) -> Result:
        fields = unwrap(body, "form")
        form_type = str(fields.get("type") or "").strip().lower()
        if form_type not in FORM_TYPES:
            raise SandboxApiError(
                422,
                "PARAMETER.INVALID",
                "Invalid parameter.",
                [field_error("form.type", f"must be one of {', '.join(sorted(FORM_TYPES))}")],
            )
        with self.store.lock:
            shipment = self._get("shipments", shipment_id)
            if not shipment.get("postage_label"):
                raise SandboxApiError(
                    422,
                    "SHIPMENT.POSTAGE.NOT_FOUND",
                    "This shipment has no postage label yet; buy it first.",
                )
            ts = self._now()
            form_id = new_id("form")
            self.store.meta[form_id] = {"shipment_id": shipment_id, "form_type": form_type}
            shipment["forms"] = [
                *(shipment.get("forms") or []),
                {
                    "object": "Form",
                    "id": form_id,
                    "created_at": iso_z(ts),
                    "updated_at": iso_z(ts),
                    "mode": "test",
                    "form_type": form_type,
                    "form_url": f"{self.files_base}/files/form/{form_id}.pdf",
                    "submitted_electronically": None,
                },
            ]
            shipment["updated_at"] = iso_z(ts)
            return 201, self.render_shipment(shipment)
