"""The few spots where SQLite and PostgreSQL differ in plain SQL, kept in one module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def driver_sql(connection: Connection, sql: str) -> str:
    """`sql` written with SQLite's `?` placeholders, in the connection's driver's paramstyle."""
    if connection.dialect.paramstyle in ("format", "pyformat"):  # psycopg
        return sql.replace("?", "%s")
    return sql


def advance_id_sequence(connection: Connection, table: str, last_id: int) -> None:
    """After inserting explicit ids, let PostgreSQL's id sequence continue past them.

    SQLite picks max(id) + 1 by itself; a PostgreSQL identity keeps its own counter.
    """
    if connection.dialect.name != "postgresql":
        return
    connection.exec_driver_sql(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"GREATEST(%(last)s, (SELECT COALESCE(MAX(id), 1) FROM {table})))",
        {"last": last_id},
    )


def upsert_insert(connection: Connection, table: Table) -> Any:
    """An INSERT with `on_conflict_do_update` for the connection's engine (same API on both)."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
