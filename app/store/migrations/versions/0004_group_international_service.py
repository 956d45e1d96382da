"""package_group_settings.international_service: a group's service for its international orders.

A package group mixes domestic and international orders, so it gets two services: `service`
(domestic orders) and `international_service`. A group that was given an international
service before this revision keeps it for its international orders: it moves to the new
column (its domestic orders were blocked by pre-flight before and stay without a service).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 22:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: EasyPost's USPS international service codes (app.domain.usps_services at this revision;
#: written out so the migration never changes when the domain does).
_INTERNATIONAL = (
    "FirstClassMailInternational",
    "FirstClassPackageInternationalService",
    "PriorityMailInternational",
    "ExpressMailInternational",
)


def upgrade() -> None:
    with op.batch_alter_table("package_group_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("international_service", sa.Text(), nullable=True))

    settings = sa.table(
        "package_group_settings",
        sa.column("service", sa.Text()),
        sa.column("international_service", sa.Text()),
    )
    op.execute(
        settings.update()
        .where(settings.c.service.in_(_INTERNATIONAL))
        .values(international_service=settings.c.service, service=None)
    )


def downgrade() -> None:
    settings = sa.table(
        "package_group_settings",
        sa.column("service", sa.Text()),
        sa.column("international_service", sa.Text()),
    )
    # A group with only an international service keeps it as its one service, as before 0004.
    op.execute(
        settings.update()
        .where(settings.c.service.is_(None), settings.c.international_service.is_not(None))
        .values(service=settings.c.international_service)
    )
    with op.batch_alter_table("package_group_settings", schema=None) as batch_op:
        batch_op.drop_column("international_service")
