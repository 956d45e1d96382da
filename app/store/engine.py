"""The engines: SQLite (WAL, foreign keys, busy timeout, real BEGINs) or PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import ConnectionPoolEntry

from app.store.postgres import BEGIN_MODE_OPTION as PG_BEGIN_MODE_OPTION
from app.store.postgres import is_postgres_url, make_postgres_engine

#: How long a writer waits for another process (GUI and CLI share the file) before giving up.
BUSY_TIMEOUT_MS = 5000


def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # pysqlite's own implicit transactions start late and break SAVEPOINT and DDL atomicity;
    # let SQLAlchemy's "begin" event emit BEGIN instead (SQLAlchemy's documented recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


#: Execution option naming SQLite's BEGIN mode; writers use IMMEDIATE (see Store.transaction).
BEGIN_MODE_OPTION = PG_BEGIN_MODE_OPTION


def _on_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get(BEGIN_MODE_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(target: Path | str, *, password: str | None = None) -> Engine:
    """An engine for the database file at `target`, or for a PostgreSQL URL.

    `password` is only used for PostgreSQL (it never lives in the URL the profile stores).

    The default QueuePool hands each checkout to one thread at a time; `check_same_thread` is
    off so a pooled connection may serve a later call on a worker thread (QThreadPool).
    """
    if isinstance(target, str) and is_postgres_url(target):
        return make_postgres_engine(target, password=password)
    engine = create_engine(
        f"sqlite+pysqlite:///{target}",
        # Parameters hold customers' names and addresses: never in an exception or a log.
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def backup_database(source: Path, target: Path) -> None:
    """Copy a live SQLite database consistently (including its WAL) with the backup API."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
