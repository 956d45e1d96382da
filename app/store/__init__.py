"""SQLite persistence: SQLAlchemy 2 models, repositories, engine set-up and Alembic migrations."""

from __future__ import annotations

from app.store.migrate import MigrationOutcome, head_revision
from app.store.orders_repo import OrderWrite, StatusChange, StatusRow, StoredFingerprint
from app.store.store import Store, StoreTransaction, open_store

__all__ = [
    "MigrationOutcome",
    "OrderWrite",
    "StatusChange",
    "StatusRow",
    "Store",
    "StoreTransaction",
    "StoredFingerprint",
    "head_revision",
    "open_store",
]
