"""The few spots where SQLite and PostgreSQL differ in plain SQL, kept in one module."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, cast, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.store.changes import mark_written


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


def insert_rows(
    connection: Connection, sql: str, table: str, columns: Sequence[str], rows: list[Any]
) -> None:
    """Insert many rows: `sql` (SQLite `?` placeholders) as executemany, or COPY on PostgreSQL.

    COPY is PostgreSQL's bulk path: one stream instead of a statement per row (100k orders).
    """
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(sql, rows)
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    names = ", ".join(columns)
    statement = f"COPY {table} ({names}) FROM STDIN"
    dbapi_error = connection.dialect.loaded_dbapi.Error
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except dbapi_error as error:
        # The same exception classes as every other statement (IntegrityError, ...).
        raise DBAPIError.instance(statement, None, error, dbapi_error) from error
    mark_written(connection)


def json_text_field(session: Session, column: Any, name: str) -> ColumnElement[Any]:
    """The text of field `name` in the JSON object stored as text in `column`, per engine."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column, postgresql.JSONB).op("->>")(name)
    return func.json_extract(column, f"$.{name}")
