"""Tracking emails (revision 0005): one row per message Packdesk tried to send."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.store.base import Base


class EmailSendRow(Base):
    """One tracking email: written as `sending` before the SMTP call, then `sent` or `failed`.

    A row left in `sending` (the program stopped mid-send) may or may not have gone out: the
    order is not emailed again unless asked, so a resumed bulk send never repeats a message.
    """

    __tablename__ = "email_sends"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No foreign key: the record outlives an order deleted by a re-import's cleanup.
    order_id: Mapped[int] = mapped_column(index=True)
    trigger: Mapped[str] = mapped_column(String(20))  # shipped|first_scan|bulk|manual
    batch_id: Mapped[int | None]
    tracking_code: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str] = mapped_column(Text, default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # sending|sent|failed|skipped
    error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
