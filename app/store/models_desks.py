"""Several desks on one database (revision 0007): per-order buy claims, and a change counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class OrderClaimRow(Base):
    """One desk buying one order now (PostgreSQL): kept alive by the desk's heartbeat.

    The primary key is the order, so two desks can never hold one order; a claim whose heartbeat
    is older than the TTL is taken over only after its open journal rows are reconciled.
    """

    __tablename__ = "order_claims"

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id"), primary_key=True, autoincrement=False
    )
    token: Mapped[str] = mapped_column(Text, index=True)
    station: Mapped[str] = mapped_column(Text, default="")
    host: Mapped[str] = mapped_column(Text, default="")
    pid: Mapped[int]
    claimed_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class ChangeCounterRow(Base):
    """A number every write transaction raises: other windows poll it (SQLite) or are told
    (PostgreSQL NOTIFY) and refresh. One row, id 1."""

    __tablename__ = "change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)
    station: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime | None]
