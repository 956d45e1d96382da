"""Package group settings (package type and service per group) and orders.held_from_status.

Releasing a held order returns it to the status it was held from.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:57:52.290520
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "package_group_settings",
        sa.Column("group_id", sa.String(length=16), nullable=False),
        sa.Column("package_type_id", sa.Integer(), nullable=True),
        sa.Column("service", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["package_type_id"],
            ["package_types.id"],
            name=op.f("fk_package_group_settings_package_type_id_package_types"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_package_group_settings")),
    )
    with op.batch_alter_table("package_group_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_package_group_settings_package_type_id"),
            ["package_type_id"],
            unique=False,
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_from_status", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("held_from_status")

    with op.batch_alter_table("package_group_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_group_settings_package_type_id"))

    op.drop_table("package_group_settings")
