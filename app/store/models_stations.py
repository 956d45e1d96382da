"""The printers each station has (revision 0011): any desk can send labels to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class StationPrinterRow(Base):
    """One printer attached to one station, as that station published it from its settings.

    Only the owning station opens it; other desks queue print jobs naming the station.
    """

    __tablename__ = "printers"
    __table_args__ = (UniqueConstraint("station", "name", name="uq_printers_station_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    uri: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
