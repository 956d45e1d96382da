"""The sandbox's SmartRate model: days-in-transit percentiles and delivery dates, deterministic."""

from __future__ import annotations

from datetime import date, timedelta

PERCENTILES = (50, 75, 85, 90, 95, 97, 99)

#: Extra days over the median at each percentile (75 .. 99): how long the tail of a service is.
_TAILS: dict[str, tuple[int, int, int, int, int, int]] = {
    "Express": (0, 1, 1, 1, 2, 3),
    "Priority": (1, 1, 1, 2, 2, 3),
    "GroundAdvantage": (1, 1, 2, 2, 3, 4),
    "First": (1, 2, 2, 3, 3, 5),
    "MediaMail": (2, 3, 3, 4, 5, 7),
    "LibraryMail": (2, 3, 3, 4, 5, 7),
    "ExpressMailInternational": (1, 2, 2, 3, 4, 6),
    "PriorityMailInternational": (2, 3, 4, 5, 7, 10),
    "FirstClassPackageInternationalService": (3, 5, 6, 8, 10, 15),
    "FirstClassMailInternational": (3, 5, 6, 8, 10, 15),
}


def time_in_transit(service: str, delivery_days: int | None) -> dict[str, int]:
    """EasyPost's `time_in_transit`: the day by which 50 .. 99 % of parcels arrived."""
    median = max(1, (delivery_days or 3) - 1)
    tail = _TAILS.get(service, (1, 2, 2, 3, 4, 6))
    days = (median, *(median + extra for extra in tail))
    return {f"percentile_{p}": d for p, d in zip(PERCENTILES, days, strict=True)}


def add_delivery_days(start: date, days: int) -> date:
    """`days` USPS delivery days after `start` (no delivery on Sundays)."""
    current = start
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() != 6:
            left -= 1
    return current


def delivery_days_between(ship: date, deliver: date) -> int:
    """USPS delivery days from `ship` to `deliver` (Sundays do not count)."""
    days, current = 0, ship
    while current < deliver:
        current += timedelta(days=1)
        if current.weekday() != 6:
            days += 1
    return days


def ship_on_date(desired: date, transit_days: int, today: date) -> date:
    """The latest ship date (never a Sunday, never before today) that arrives by `desired`."""
    ship = desired
    while delivery_days_between(ship, desired) < transit_days and ship > today:
        ship -= timedelta(days=1)
    while ship.weekday() == 6 and ship > today:
        ship -= timedelta(days=1)
    return max(ship, today)


def on_time_confidence(percentiles: dict[str, int], transit_days_available: int) -> float:
    """Share of parcels that arrive within the days available (from the percentile ladder)."""
    reached = [p for p in PERCENTILES if percentiles[f"percentile_{p}"] <= transit_days_available]
    return round((max(reached) if reached else 20) / 100, 2)
