"""Labels left on a printer's roll: counting, the before-a-batch warning, labels per minute."""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

#: Media a 4x6 die-cut label and its gap feed through a Zebra (6 in + a 1/8 in gap), to turn the
#: ~HQOD odometer (inches) into labels.
LABEL_PITCH_INCHES = 6.125
#: Printed times further apart than this belong to different runs (a pause, lunch, a new batch).
RUN_GAP_S = 90.0
#: Label-to-label intervals needed before a printer's speed counts as measured.
MIN_INTERVALS = 5


class RollSource(StrEnum):
    """Where a labels-left figure comes from."""

    PRINTER = "printer"  # the printer says so (DYMO 550: the roll's NFC tag)
    COUNTED = "counted"  # roll size entered by the desk minus labels printed on it
    ODOMETER = "odometer"  # roll size minus the printer's own odometer since it was loaded
    UNKNOWN = "unknown"  # no roll entered and the printer does not tell


@dataclass(frozen=True, slots=True)
class LoadedRoll:
    """A roll the desk loaded into one printer, as stored."""

    id: int
    printer_uri: str
    labels_loaded: int
    loaded_at: datetime
    printed_before: int  # the printer's printed jobs (all time) when the roll went in
    odometer_start_inches: float | None = None
    jobs_at_odometer_start: int = 0
    odometer_inches: float | None = None

    def count(self, printed_total: int) -> RollCount:
        """The roll's count given the printer's printed jobs (all time) now."""
        return RollCount(
            labels_loaded=self.labels_loaded,
            loaded_at=self.loaded_at,
            jobs_printed=max(0, printed_total - self.printed_before),
            odometer_start_inches=self.odometer_start_inches,
            jobs_at_odometer_start=self.jobs_at_odometer_start,
            odometer_inches=self.odometer_inches,
        )


@dataclass(frozen=True, slots=True)
class RollCount:
    """A roll as loaded: its size and what was printed on it since."""

    labels_loaded: int
    loaded_at: datetime
    jobs_printed: int  # Packdesk's labels the printer took since the roll was loaded
    odometer_start_inches: float | None = None  # ~HQOD when first read on this roll
    jobs_at_odometer_start: int = 0  # jobs printed on the roll before that first reading
    odometer_inches: float | None = None  # the latest ~HQOD reading


def labels_used(roll: RollCount) -> tuple[int, RollSource]:
    """Labels gone from the roll: Packdesk's own count, or the odometer's when it says more
    (labels fed by hand or printed by another program come off the roll too)."""
    counted = roll.jobs_printed
    if roll.odometer_start_inches is None or roll.odometer_inches is None:
        return counted, RollSource.COUNTED
    fed = max(0.0, roll.odometer_inches - roll.odometer_start_inches)
    by_odometer = roll.jobs_at_odometer_start + round(fed / LABEL_PITCH_INCHES)
    if by_odometer > counted:
        return by_odometer, RollSource.ODOMETER
    return counted, RollSource.COUNTED


def labels_left(roll: RollCount) -> tuple[int, RollSource]:
    """Labels still on the roll (never below 0) and where the figure comes from."""
    used, source = labels_used(roll)
    return max(0, roll.labels_loaded - used), source


def shortfall_warning(left: int | None, needed: int) -> str | None:
    """The warning before a batch that the roll cannot finish, e.g.
    "38 labels left on the roll; this batch needs 212"; None when it can (or nobody knows)."""
    if left is None or needed <= left:
        return None
    return f"{left} {_labels(left)} left on the roll; this batch needs {needed}"


def labels_per_minute(printed_at: Sequence[datetime]) -> float | None:
    """A printer's real speed from when its labels printed: the median label-to-label interval
    within runs (gaps over RUN_GAP_S split runs), None until MIN_INTERVALS were seen.

    The median, not the mean: the first labels of a run go into the printer's buffer at once
    and a pause for a fault is one long gap; neither is the mechanism's pace.
    """
    times = sorted(printed_at)
    intervals = [
        (later - earlier).total_seconds()
        for earlier, later in itertools.pairwise(times)
        if 0 < (later - earlier).total_seconds() <= RUN_GAP_S
    ]
    if len(intervals) < MIN_INTERVALS:
        return None
    median = statistics.median(intervals)
    return 60.0 / median if median > 0 else None


def expected_time(labels: int, per_minute: float | None) -> str:
    """ "about 9 min at 24 labels/min" for a batch, or "" when the speed is not known yet."""
    if per_minute is None or per_minute <= 0 or labels <= 0:
        return ""
    minutes = labels / per_minute
    if minutes < 1:
        span = "under a minute"
    elif minutes < 90:
        span = f"about {round(minutes)} min"
    else:
        span = f"about {minutes / 60:.1f} h"
    return f"{span} at {per_minute:.0f} labels/min"


def _labels(count: int) -> str:
    return "label" if count == 1 else "labels"
