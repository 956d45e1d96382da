"""Which day a USPS carrier can pick parcels up (Monday to Saturday)."""

from __future__ import annotations

from datetime import date, timedelta


def next_pickup_day(today: date) -> date:
    """The first day after `today` that USPS picks up: tomorrow, or Monday instead of a Sunday.

    Federal holidays are not known here; EasyPost's answer names them.
    """
    day = today + timedelta(days=1)
    while day.weekday() == 6:
        day += timedelta(days=1)
    return day
