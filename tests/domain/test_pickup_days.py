"""USPS picks up Monday to Saturday: the next pickup day skips Sunday."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from app.cli.pickup_cmd import NEXT_BUSINESS_DAY, pickup_day
from app.domain.pickup_days import next_pickup_day


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 3), date(2026, 12, 4)),  # Thursday -> Friday
        (date(2026, 12, 4), date(2026, 12, 5)),  # Friday -> Saturday
        (date(2026, 12, 5), date(2026, 12, 7)),  # Saturday -> Monday
        (date(2026, 12, 6), date(2026, 12, 7)),  # Sunday -> Monday
    ],
)
def test_next_pickup_day(today: date, expected: date) -> None:
    assert next_pickup_day(today) == expected


def test_cli_date_word_resolves_on_the_given_clock() -> None:
    noon = datetime(2026, 12, 5, 12, 0)  # a Saturday, UTC noon: Saturday or Sunday locally
    resolved = pickup_day(NEXT_BUSINESS_DAY, noon)
    assert resolved == date(2026, 12, 7)
    assert pickup_day(date(2026, 12, 9), noon) == date(2026, 12, 9)
