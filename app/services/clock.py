"""The clock services take, so tests can pin time, and the desk's calendar day.

Every stored time is naive UTC. "Today" is the desk's local day (a desk in Portland still sees
its 5 pm labels as today's, though it is already tomorrow in UTC): services take the time zone
(`zone`, None meaning the operating system's) and turn stored times into local days here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now in UTC, naive (SQLite keeps no time zone; every stored time is UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(stored: datetime, zone: tzinfo | None = None) -> datetime:
    """A stored (naive UTC) time as the desk's wall-clock time (aware)."""
    aware = stored.replace(tzinfo=UTC)
    return aware.astimezone(zone) if zone is not None else aware.astimezone()


def local_date(stored: datetime, zone: tzinfo | None = None) -> date:
    """The desk's calendar day of a stored (naive UTC) time."""
    return to_local(stored, zone).date()


def localize(wall: datetime, zone: tzinfo | None = None) -> datetime:
    """A naive wall-clock time at the desk, made aware in the desk's zone."""
    return wall.replace(tzinfo=zone) if zone is not None else wall.astimezone()


def to_stored(moment: datetime) -> datetime:
    """An aware time as it is stored: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_day_start(day: date, zone: tzinfo | None = None) -> datetime:
    """When the desk's `day` begins, as a stored (naive UTC) time."""
    return to_stored(localize(datetime.combine(day, time()), zone))


def local_day_bounds(day: date, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The desk's `day` as stored times [start, end) (23 or 25 hours on a DST change)."""
    return local_day_start(day, zone), local_day_start(day + timedelta(days=1), zone)
