"""The printers table: which station each printer is attached to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.store.models_stations import StationPrinterRow


@dataclass(frozen=True, slots=True)
class StationPrinter:
    """A printer as its station published it."""

    station: str
    name: str
    uri: str
    model: str = ""

    @property
    def label(self) -> str:
        """How a desk names it: `NAME@STATION` (CLI `buy --printer`, the printer picker)."""
        return f"{self.name}@{self.station}"


class StationPrinterRepository:
    """Printers of every station inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self) -> list[StationPrinter]:
        rows = self._session.scalars(
            select(StationPrinterRow).order_by(StationPrinterRow.station, StationPrinterRow.name)
        )
        return [StationPrinter(r.station, r.name, r.uri, r.model) for r in rows]

    def of_station(self, station: str) -> list[StationPrinter]:
        return [p for p in self.all() if p.station == station]

    def replace_station(
        self, station: str, printers: Sequence[StationPrinter], at: datetime
    ) -> None:
        """Make `station`'s rows exactly `printers` (its settings are the source of truth)."""
        self._session.execute(delete(StationPrinterRow).where(StationPrinterRow.station == station))
        self._session.flush()
        for printer in printers:
            self._session.add(
                StationPrinterRow(
                    station=station,
                    name=printer.name,
                    uri=printer.uri,
                    model=printer.model,
                    updated_at=at,
                )
            )
        self._session.flush()
