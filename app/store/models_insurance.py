"""A package group's insurance choice (revision 0005): "auto" or an amount in dollars."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class GroupInsuranceRow(Base):
    """Kept beside package_group_settings (not in it) so the group settings stay as they are."""

    __tablename__ = "package_group_insurance"

    group_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    insurance: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
