"""Label rolls per printer, and the printed-job figures their counts are made from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.printing import PrintJobStatus
from app.domain.roll_supply import LoadedRoll
from app.store.models_fulfilment import PrintJobRow
from app.store.models_rolls import PrinterRollRow


def _to_roll(row: PrinterRollRow) -> LoadedRoll:
    return LoadedRoll(
        id=row.id,
        printer_uri=row.printer_uri,
        labels_loaded=row.labels_loaded,
        loaded_at=row.loaded_at,
        printed_before=row.printed_before,
        odometer_start_inches=row.odometer_start_inches,
        jobs_at_odometer_start=row.jobs_at_odometer_start,
        odometer_inches=row.odometer_inches,
    )


class RollRepository:
    """Rolls inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def current(self, printer_uri: str) -> LoadedRoll | None:
        """The roll loaded last into the printer, or None when none was ever entered."""
        row = self._session.scalars(
            select(PrinterRollRow)
            .where(PrinterRollRow.printer_uri == printer_uri)
            .order_by(PrinterRollRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _to_roll(row)

    def load(self, printer_uri: str, labels: int, at: datetime) -> LoadedRoll:
        """A new roll of `labels` labels goes into the printer now."""
        row = PrinterRollRow(
            printer_uri=printer_uri,
            labels_loaded=labels,
            loaded_at=at,
            printed_before=self.printed_count(printer_uri),
            odometer_start_inches=None,
            jobs_at_odometer_start=0,
            odometer_inches=None,
        )
        self._session.add(row)
        self._session.flush()
        return _to_roll(row)

    def note_odometer(self, roll_id: int, inches: float, jobs_on_roll: int) -> None:
        """Keep the latest odometer reading; the first one on a roll is its starting point."""
        row = self._session.get(PrinterRollRow, roll_id)
        if row is None:
            return
        if row.odometer_start_inches is None:
            row.odometer_start_inches = inches
            row.jobs_at_odometer_start = jobs_on_roll
        row.odometer_inches = inches

    def printed_count(self, printer_uri: str) -> int:
        """Labels the printer ever took from Packdesk (printed jobs, reprints included)."""
        count = self._session.scalar(
            select(func.count(PrintJobRow.id)).where(
                PrintJobRow.printer_uri == printer_uri,
                PrintJobRow.status == PrintJobStatus.PRINTED.value,
            )
        )
        return int(count or 0)

    def printed_times(self, printer_uri: str, limit: int = 200) -> list[datetime]:
        """When the printer's latest `limit` labels printed, oldest first."""
        times = self._session.scalars(
            select(PrintJobRow.printed_at)
            .where(
                PrintJobRow.printer_uri == printer_uri,
                PrintJobRow.status == PrintJobStatus.PRINTED.value,
                PrintJobRow.printed_at.is_not(None),
            )
            .order_by(PrintJobRow.printed_at.desc())
            .limit(limit)
        ).all()
        return sorted(t for t in times if t is not None)
