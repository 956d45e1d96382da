"""Money coordination tables (revision 0005): the one-buyer lease."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class BuyerLeaseRow(Base):
    """Who may buy on this database now: at most one row (id 1), taken in a write transaction.

    It lives in the database, so every path to the file (symlink, alias, copy of the path) and
    every desk sharing a server database sees the same rule.
    """

    __tablename__ = "buyer_lease"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(Text)  # per holder: tells two buyers of one process apart
    station: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str] = mapped_column(Text, default="")
    pid: Mapped[int]
    taken_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
