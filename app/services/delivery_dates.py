"""SmartRate dates for an estimate: per group, when its chosen service should arrive if shipped
on a day, or the day to ship it to arrive by a date (domestic orders; EasyPost gives them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from app.domain.errors import AppError
from app.services.estimate import EstimateReport


class DatesSource(Protocol):
    """What this needs of the gateway."""

    def estimated_delivery_dates(self, shipment_id: str, ship_on: date) -> dict[str, date]: ...

    def recommended_ship_dates(self, shipment_id: str, deliver_by: date) -> dict[str, date]: ...


@dataclass(frozen=True, slots=True)
class GroupDates:
    """One group's chosen service and its dates (None where EasyPost gave none)."""

    group_id: str
    service: str
    estimated_delivery: date | None = None
    ship_by: date | None = None
    note: str = ""


class DeliveryDatesService:
    """Asks SmartRate once per group (its first priced domestic order stands for the group)."""

    def __init__(self, gateway: DatesSource) -> None:
        self._gateway = gateway

    def for_estimate(
        self,
        report: EstimateReport,
        *,
        ship_on: date | None = None,
        deliver_by: date | None = None,
    ) -> tuple[GroupDates, ...]:
        found: list[GroupDates] = []
        seen: set[str] = set()
        for estimate in report.orders:
            chosen = estimate.chosen
            if estimate.group_id in seen or chosen is None or not estimate.transit:
                continue  # transit times are only there for domestic, SmartRate-rated orders
            seen.add(estimate.group_id)
            arrival = ship_by = None
            note = ""
            try:
                if ship_on is not None:
                    arrival = self._gateway.estimated_delivery_dates(
                        chosen.shipment_id, ship_on
                    ).get(chosen.service)
                if deliver_by is not None:
                    ship_by = self._gateway.recommended_ship_dates(
                        chosen.shipment_id, deliver_by
                    ).get(chosen.service)
            except AppError as error:
                note = error.message
            found.append(GroupDates(estimate.group_id, chosen.service, arrival, ship_by, note))
        return tuple(found)
