"""Roll arithmetic: labels left, the shortfall warning, labels per minute, expected time."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.roll_supply import (
    LABEL_PITCH_INCHES,
    LoadedRoll,
    RollCount,
    RollSource,
    expected_time,
    labels_left,
    labels_per_minute,
    shortfall_warning,
)

T0 = datetime(2026, 11, 25, 9, 0, 0)


def test_shortfall_warning_says_left_and_needed() -> None:
    assert shortfall_warning(38, 212) == "38 labels left on the roll; this batch needs 212"
    assert shortfall_warning(1, 2) == "1 label left on the roll; this batch needs 2"
    assert shortfall_warning(212, 212) is None
    assert shortfall_warning(None, 212) is None  # unknown: nothing to warn about


def test_counted_roll_and_the_odometer_when_it_says_more() -> None:
    roll = RollCount(250, T0, jobs_printed=12)
    assert labels_left(roll) == (238, RollSource.COUNTED)
    fed = RollCount(
        250, T0, jobs_printed=12, odometer_start_inches=1000.0, jobs_at_odometer_start=2,
        odometer_inches=1000.0 + 15 * LABEL_PITCH_INCHES,
    )  # fmt: skip
    assert labels_left(fed) == (250 - 17, RollSource.ODOMETER)
    behind = RollCount(
        250, T0, jobs_printed=12, odometer_start_inches=1000.0, odometer_inches=1006.0
    )  # labels still in the printer's buffer: Packdesk's count is ahead
    assert labels_left(behind) == (238, RollSource.COUNTED)
    assert labels_left(RollCount(10, T0, jobs_printed=14))[0] == 0  # never below zero


def test_a_loaded_roll_counts_from_the_printers_total_when_it_went_in() -> None:
    roll = LoadedRoll(1, "usb://0a5f:0185", 250, T0, printed_before=40)
    assert roll.count(52).jobs_printed == 12


def test_labels_per_minute_is_the_median_pace_within_runs() -> None:
    # A burst of 4 into the buffer, then one every 2.5 s, a lunch break, 3 more at 2.5 s.
    times = [T0 + timedelta(seconds=s) for s in (0, 0.1, 0.2, 0.3)]
    times += [times[-1] + timedelta(seconds=2.5 * i) for i in range(1, 11)]
    times += [times[-1] + timedelta(hours=1, seconds=2.5 * i) for i in range(3)]
    per_minute = labels_per_minute(times)
    assert per_minute is not None and round(per_minute) == 24
    assert labels_per_minute(times[:4]) is None  # not measured yet


def test_expected_time_reads_like_the_desk_talks() -> None:
    assert expected_time(212, 24.0) == "about 9 min at 24 labels/min"
    assert expected_time(10, 24.0) == "under a minute at 24 labels/min"
    assert expected_time(3000, 24.0) == "about 2.1 h at 24 labels/min"
    assert expected_time(212, None) == ""
