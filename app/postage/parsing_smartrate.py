"""SmartRate answers -> plain data: transit percentiles, delivery and ship dates per service."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.domain.delivery_target import PERCENTILES, TransitTimes
from app.postage.parsing import plain


def _days(data: Any) -> tuple[int, ...] | None:
    if not isinstance(data, dict):
        return None
    try:
        days = tuple(int(data[f"percentile_{p}"]) for p in PERCENTILES)
    except (KeyError, TypeError, ValueError):
        return None
    return days


def parse_transit(result: Any) -> tuple[TransitTimes, ...]:
    """`shipment.get_smart_rates` -> one TransitTimes per service (rates without data skipped)."""
    found: list[TransitTimes] = []
    for rate in plain(result) or []:
        if not isinstance(rate, dict):
            continue
        days = _days(rate.get("time_in_transit"))
        if days is not None and rate.get("service"):
            found.append(TransitTimes(str(rate["service"]), days))
    return tuple(found)


def parse_delivery_dates(result: Any, field: str) -> dict[str, date]:
    """Delivery-date or ship-date answers -> {service: date} (easypost_time_in_transit_data)."""
    dates: dict[str, date] = {}
    for entry in plain(result) or []:
        if not isinstance(entry, dict):
            continue
        rate = entry.get("rate") or {}
        data = entry.get("easypost_time_in_transit_data") or {}
        value = data.get(field) if isinstance(data, dict) else None
        if isinstance(rate, dict) and rate.get("service") and value:
            try:
                dates[str(rate["service"])] = date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return dates
