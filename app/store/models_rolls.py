"""The label rolls loaded into each printer (labels left = roll size minus labels printed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class PrinterRollRow(Base):
    """One roll put into one printer; the newest row of a printer is the roll in it now."""

    __tablename__ = "printer_rolls"
    __table_args__ = (Index("ix_printer_rolls_printer", "printer_uri", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_uri: Mapped[str] = mapped_column(Text)
    labels_loaded: Mapped[int]
    loaded_at: Mapped[datetime]
    printed_before: Mapped[int] = mapped_column(default=0)
    odometer_start_inches: Mapped[float | None] = mapped_column(Float)
    jobs_at_odometer_start: Mapped[int] = mapped_column(default=0)
    odometer_inches: Mapped[float | None] = mapped_column(Float)
