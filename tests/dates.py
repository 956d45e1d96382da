"""Fixed moments every date-touching test runs at: never today, the weekday or the hour.

Naive UTC, as Packdesk stores time. Together they cover a Saturday (the day the suite used to
fail on), a Sunday (no USPS pickups), a month end, a year end and a US daylight-saving change.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

FIXED_MOMENTS: dict[str, datetime] = {
    "saturday": datetime(2026, 11, 28, 15, 0),
    "sunday": datetime(2026, 11, 29, 15, 0),
    "month-end": datetime(2026, 11, 30, 21, 0),
    "year-end": datetime(2026, 12, 31, 20, 0),
    "dst-change": datetime(2026, 11, 1, 12, 0),  # US clocks fell back at 02:00 local that day
}
#: The moment a test runs at when it does not ask for all of them.
DEFAULT_MOMENT = FIXED_MOMENTS["saturday"]


def aware(moment: datetime) -> datetime:
    """A stored (naive UTC) moment as an aware UTC datetime (what SandboxClock takes)."""
    return moment.replace(tzinfo=UTC)


def every_moment() -> dict[str, object]:
    """pytest.mark.parametrize arguments that run a test at each fixed moment."""
    return {"argvalues": list(FIXED_MOMENTS.values()), "ids": list(FIXED_MOMENTS)}


class RunningClock:
    """A clock that starts at a fixed moment and runs on with real time, plus an `offset` tests
    move forward: the injectable clock of services and of AppContext (RuntimeOptions.clock)."""

    def __init__(self, start: datetime = DEFAULT_MOMENT) -> None:
        self.offset = timedelta(0)
        self._start = start
        self._started = time.monotonic()

    def __call__(self) -> datetime:
        elapsed = timedelta(seconds=time.monotonic() - self._started)
        return self._start + elapsed + self.offset


def next_pickup_day(moment: datetime) -> date:
    """The first day after `moment`'s (UTC) day that USPS picks up on: never a Sunday."""
    day = moment.date() + timedelta(days=1)
    return day + timedelta(days=1) if day.weekday() == 6 else day
