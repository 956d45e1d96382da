"""A service chosen by speed: "the cheapest that arrives within N days at P %" (SmartRate).

Written `within:3d@90` (3 days, 90th percentile). EasyPost's SmartRate gives, per rate, the
days by which 50, 75, 85, 90, 95, 97 and 99 % of parcels arrived (`time_in_transit`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.errors import AppError, ErrorKind

PERCENTILES = (50, 75, 85, 90, 95, 97, 99)
PREFIX = "within:"
#: The targets offered in the Package groups panel (any within:Nd@P works from the CLI).
DELIVERY_TARGET_CHOICES = ("within:2d@90", "within:3d@90", "within:5d@95")
_SPEC = re.compile(r"^within:\s*(\d{1,2})\s*d(?:ays?)?\s*@\s*(\d{2})\s*%?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TransitTimes:
    """SmartRate's percentiles for one service: `days[i]` for PERCENTILES[i]."""

    service: str
    days: tuple[int, ...]

    def at(self, percentile: int) -> int:
        return self.days[PERCENTILES.index(percentile)]


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """Arrive within `days` for `percentile` % of parcels."""

    days: int
    percentile: int

    @property
    def spec(self) -> str:
        return f"{PREFIX}{self.days}d@{self.percentile}"

    def describe(self) -> str:
        return f"arrives within {self.days} days for {self.percentile} % of parcels"


def is_target(service: str | None) -> bool:
    return bool(service) and str(service).strip().lower().startswith(PREFIX)


def parse_target(text: str) -> DeliveryTarget:
    """`within:3d@90` -> DeliveryTarget(3, 90).

    Raises:
        AppError: INVALID_INPUT with the accepted form and percentiles.
    """
    found = _SPEC.match(text.strip())
    percentile = int(found.group(2)) if found else 0
    if not found or percentile not in PERCENTILES or not 1 <= int(found.group(1)) <= 30:
        raise AppError(
            f"{text!r} is not a delivery target.",
            hint="Write within:DAYSd@PERCENT, e.g. within:3d@90; percent is one of "
            f"{', '.join(map(str, PERCENTILES))} and days 1-30.",
            kind=ErrorKind.INVALID_INPUT,
            details={"service": text},
        )
    return DeliveryTarget(int(found.group(1)), percentile)


@dataclass(frozen=True, slots=True)
class TargetChoice:
    """The service picked for a target (None when none qualifies) and why, in words."""

    service: str | None
    explanation: str


def pick(
    target: DeliveryTarget,
    prices: Sequence[tuple[str, Decimal]],
    transit: Sequence[TransitTimes],
) -> TargetChoice:
    """The cheapest priced service whose `target.percentile` transit is within `target.days`."""
    by_service = {t.service: t for t in transit}
    fitting = [
        (amount, service)
        for service, amount in prices
        if service in by_service and by_service[service].at(target.percentile) <= target.days
    ]
    if fitting:
        amount, service = min(fitting)
        days = by_service[service].at(target.percentile)
        others = sorted(
            f"{s} {by_service[s].at(target.percentile)}d" for s, _ in prices if s in by_service
        )
        return TargetChoice(
            service,
            f"{service} at ${amount}: {target.percentile} % arrive within {days} days "
            f"(target {target.days}; all: {', '.join(others)})",
        )
    known = sorted(
        f"{s} {by_service[s].at(target.percentile)}d" for s, _ in prices if s in by_service
    )
    return TargetChoice(
        None,
        f"no service {target.describe()} ("
        + (", ".join(known) if known else "no SmartRate transit times")
        + ")",
    )
