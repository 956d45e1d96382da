"""Tracker bodies: simulated USPS scans on the sandbox clock, and EasyPost's EZ test codes."""

from __future__ import annotations

import base64
from typing import Any

from app.postage.sandbox.clock import iso_z

JsonObj = dict[str, Any]

#: The simulated life of a sandbox label: (status, status_detail, message, where).
PROGRESSION: tuple[tuple[str, str, str, str], ...] = (
    ("pre_transit", "status_update", "Shipping Label Created, USPS Awaiting Item", "origin"),
    ("in_transit", "arrived_at_facility", "Arrived at USPS Regional Origin Facility", "origin"),
    ("out_for_delivery", "out_for_delivery", "Out for Delivery", "destination"),
    ("delivered", "arrived_at_destination", "Delivered, In/At Mailbox", "destination"),
)

#: EasyPost's test-mode tracking codes and the status each one always reports.
TEST_CODES: dict[str, tuple[str, str, str]] = {
    "EZ1000000001": ("pre_transit", "status_update", "Pre-Shipment Info Sent to USPS"),
    "EZ2000000002": ("in_transit", "arrived_at_facility", "Arrived at USPS Facility"),
    "EZ3000000003": ("out_for_delivery", "out_for_delivery", "Out for Delivery"),
    "EZ4000000004": ("delivered", "arrived_at_destination", "Delivered"),
    "EZ5000000005": (
        "return_to_sender",
        "return",
        "Address Does Not Exist - Returning to Sender",
    ),
    "EZ6000000006": ("failure", "status_update", "Prohibited articles - Item not delivered"),
    "EZ7000000007": ("unknown", "unknown", "Shipment Information Unavailable"),
}
TEST_MODE_ERROR = (
    "In test mode, only test tracking numbers are valid. Test tracking numbers are "
    "EZ1000000001, EZ2000000002, EZ3000000003, EZ4000000004, EZ5000000005, EZ6000000006, "
    "EZ7000000007"
)


def public_url(tracker_id: str) -> str:
    token = base64.urlsafe_b64encode(f"v1:{tracker_id}".encode()).decode().rstrip("=")
    return f"https://track.easypost.com/{token}"


def _location(place: JsonObj | None) -> JsonObj:
    place = place or {}
    return {
        "object": "TrackingLocation",
        "city": place.get("city"),
        "state": place.get("state"),
        "country": None,
        "zip": place.get("zip"),
    }


def _place_text(place: JsonObj | None) -> str | None:
    if not place:
        return None
    city, state, zip_code = (str(place.get(k) or "").upper() for k in ("city", "state", "zip"))
    return f"{city} {state}, {zip_code[:5]}".strip()


def _detail(status: str, detail: str, message: str, at: float, place: JsonObj | None) -> JsonObj:
    return {
        "object": "TrackingDetail",
        "message": message,
        "description": "",
        "status": status,
        "status_detail": detail,
        "datetime": iso_z(at),
        "source": "USPS",
        "carrier_code": "",
        "tracking_location": _location(place),
        "est_delivery_date": None,
    }


def progress_step(started_at: float, now: float, step_s: float, frozen: bool) -> int:
    """How far a label has travelled: 0 pre_transit .. 3 delivered."""
    if frozen or step_s <= 0:
        return 0
    return max(0, min(len(PROGRESSION) - 1, int((now - started_at) // step_s)))


def render_tracker(tracker: JsonObj, meta: JsonObj, now: float, step_s: float) -> JsonObj:
    """The tracker as EasyPost shows it at `now`."""
    body = dict(tracker)
    code = str(body.get("tracking_code", ""))
    if "started_at" in meta:
        started = float(meta["started_at"])
        step = progress_step(started, now, step_s, bool(meta.get("frozen")))
        details = []
        for index in range(step + 1):
            status, detail, message, where = PROGRESSION[index]
            at = started + index * step_s if index else started
            details.append(_detail(status, detail, message, at, meta.get(where)))
        status, detail = PROGRESSION[step][0], PROGRESSION[step][1]
        origin, destination = meta.get("origin"), meta.get("destination")
        body["carrier_detail"] = {
            "object": "CarrierDetail",
            "service": meta.get("service"),
            "container_type": None,
            "est_delivery_date_local": None,
            "est_delivery_time_local": None,
            "origin_location": _place_text(origin),
            "origin_tracking_location": _location(origin),
            "destination_location": _place_text(destination),
            "destination_tracking_location": _location(destination) if step >= 2 else None,
            "guaranteed_delivery_date": None,
            "alternate_identifier": None,
            "initial_delivery_attempt": details[-1]["datetime"] if status == "delivered" else None,
        }
        body["finalized"] = status == "delivered"
        body.update(
            status=status,
            status_detail=detail,
            tracking_details=details,
            updated_at=details[-1]["datetime"],
            est_delivery_date=iso_z(started + float(meta.get("delivery_days", 3)) * 86400),
            signed_by=None,
        )
    elif code in TEST_CODES:
        status, detail, message = TEST_CODES[code]
        created = float(meta.get("created_ts", now))
        body.update(
            status=status,
            status_detail=detail,
            tracking_details=[_detail(status, detail, message, created, None)],
            signed_by="John Tester" if status == "delivered" else None,
        )
    else:
        created = float(meta.get("created_ts", now))
        error = _detail("error", "unknown", TEST_MODE_ERROR, created, None)
        error["source"] = "ProcessingError"
        body.update(status="error", status_detail="unknown", tracking_details=[error])
    return body


def new_tracker(tracker_id: str, code: str, shipment_id: str | None, ts: float) -> JsonObj:
    """A Tracker body before any status is applied."""
    return {
        "id": tracker_id,
        "object": "Tracker",
        "mode": "test",
        "tracking_code": code,
        "status": "unknown",
        "status_detail": "unknown",
        "created_at": iso_z(ts),
        "updated_at": iso_z(ts),
        "signed_by": None,
        "weight": None,
        "est_delivery_date": None,
        "shipment_id": shipment_id,
        "carrier": "USPS",
        "tracking_details": [],
        "carrier_detail": None,
        "finalized": False,
        "is_return": False,
        "fees": [],
        "public_url": public_url(tracker_id),
    }
