"""Copy a SQLite database into an empty PostgreSQL one (COPY), then prove the copy equal."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, func, select

from app.domain.errors import AppError, ErrorKind
from app.store.base import Base
from app.store.store import Store

#: Kept by Alembic, not copied: the target is migrated to the same head first.
_SKIPPED = frozenset({"alembic_version"})


@dataclass(frozen=True, slots=True)
class TableCopy:
    """One table's rows on both sides and whether their checksums agree."""

    name: str
    rows: int
    checksum: str


@dataclass(frozen=True, slots=True)
class CopyReport:
    """Every table copied, counted and checksummed on both engines."""

    tables: tuple[TableCopy, ...]

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _tables() -> list[Table]:
    return [t for t in Base.metadata.sorted_tables if t.name not in _SKIPPED]


def _count(connection: Connection, table: Table) -> int:
    return int(connection.scalar(select(func.count()).select_from(table)) or 0)


def _normal(value: Any) -> str:
    # Values read through the models' types, so both engines spell them the same way.
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value else "NaN"
    return repr(value)


def _checksum(connection: Connection, table: Table) -> tuple[int, str]:
    digest = hashlib.sha256()
    rows = 0
    order = list(table.primary_key.columns) or list(table.columns)
    for row in connection.execute(select(table).order_by(*order)):
        digest.update("\x1f".join(_normal(v) for v in row).encode())
        digest.update(b"\x1e")
        rows += 1
    return rows, digest.hexdigest()


def _raw_rows(source: Connection, table: Table) -> Iterator[tuple[Any, ...]]:
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns) or names
    result = source.exec_driver_sql(f'SELECT {names} FROM "{table.name}" ORDER BY {order}')
    yield from result


def copy_to_server(source: Store, target: Store) -> CopyReport:
    """Copy every row of the SQLite `source` into the empty, migrated PostgreSQL `target`.

    Rows go through PostgreSQL's COPY (SQLite's stored text for times and decimals is what
    PostgreSQL reads), id sequences continue after the copied ids, and the copy is checked
    table by table: the same count and the same checksum of every value read back.

    Raises:
        AppError: (DATABASE) when the target is not empty or the copy does not verify.
    """
    if source.shared or not target.shared:
        raise AppError(
            "Only a desk's SQLite database can be copied, and only into PostgreSQL.",
            hint="packdesk-cli db migrate-to postgresql://user@host:5432/dbname",
            kind=ErrorKind.INVALID_INPUT,
        )
    tables = _tables()
    with target.engine.connect() as check:
        filled = [t.name for t in tables if t.name != "change_counter" and _count(check, t)]
    if filled:
        raise AppError(
            f"The PostgreSQL database {target.display_name} is not empty "
            f"({', '.join(filled[:3])} hold rows).",
            hint="Create an empty database for the move (createdb), then run it again.",
            kind=ErrorKind.DATABASE,
            details={"tables": filled},
        )
    raw = target.engine.raw_connection()
    try:
        pg = raw.driver_connection
        assert pg is not None
        with source.engine.connect() as lite, pg.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            cursor.execute("DELETE FROM change_counter")  # the copy brings its own row
            for table in tables:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
                    for row in _raw_rows(lite, table):
                        copy.write_row(row)
                if "id" in table.c and table.c.id.autoincrement is not False:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table.name}"), false)'
                    )
        pg.commit()
    except Exception:
        raw.connection.rollback()
        raise
    finally:
        raw.close()
    return verify_copy(source, target)


def verify_copy(source: Store, target: Store) -> CopyReport:
    """Count and checksum every table on both sides; raise when any differs."""
    copied: list[TableCopy] = []
    with source.engine.connect() as lite, target.engine.connect() as pg:
        for table in _tables():
            rows, mine = _checksum(lite, table)
            theirs_rows, theirs = _checksum(pg, table)
            if (rows, mine) != (theirs_rows, theirs):
                raise AppError(
                    f"The copy of table {table.name} differs ({rows} rows here, "
                    f"{theirs_rows} on the server).",
                    hint="Nothing was switched: the desk still uses its SQLite file. "
                    "Empty the PostgreSQL database and try again; report this if it repeats.",
                    kind=ErrorKind.DATABASE,
                    details={"table": table.name},
                )
            copied.append(TableCopy(table.name, rows, mine))
    return CopyReport(tuple(copied))
