"""Alembic environment: always run in-process on the connection app.store.migrate hands in."""

from __future__ import annotations

from alembic import context

from app.store import (
    models,  # noqa: F401  (registers every table on Base.metadata)
    models_desks,  # noqa: F401  (several desks: claims, change counter)
    models_fulfilment,  # noqa: F401  (the fulfilment tables, too)
    models_rolls,  # noqa: F401  (the printers' label rolls)
)
from app.store.base import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Packdesk migrations run in-process: use app.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite has almost no ALTER TABLE
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
