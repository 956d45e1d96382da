"""The PostgreSQL engine (psycopg 3): UTC sessions, bounded lock waits, a writer lock at BEGIN."""

from __future__ import annotations

from typing import Any

import sqlalchemy.dialects.sqlite  # noqa: F401  (registers sqlite_where on every Index)
from sqlalchemy import Engine, Index, MetaData, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.schema import CreateIndex

#: The URL schemes a profile may name (the plain one is what people type and libpq knows).
POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")

#: How long a writer waits for another desk's write lock (SQLite's busy timeout, the same).
LOCK_TIMEOUT_MS = 5000

#: The advisory lock every write transaction takes at BEGIN (see `_on_begin`).
WRITER_LOCK_KEY = 0x5041434B  # "PACK"

#: Execution option shared with the SQLite engine: "IMMEDIATE" asks for the writer lock.
BEGIN_MODE_OPTION = "sqlite_begin_mode"


def is_postgres_url(target: str) -> bool:
    """True when `target` names a PostgreSQL database rather than a SQLite file."""
    return target.strip().lower().startswith(POSTGRES_SCHEMES)


def postgres_url(target: str, *, password: str | None = None) -> URL:
    """The SQLAlchemy URL for `target` on psycopg 3, with `password` when given."""
    url = make_url(target.strip().replace("postgres://", "postgresql://", 1))
    url = url.set(drivername="postgresql+psycopg")
    if password is not None:
        url = url.set(password=password)
    return url


def redacted(target: str) -> str:
    """`target` as it may be shown or stored: never with a password."""
    if not is_postgres_url(target):
        return target
    url = make_url(target.strip().replace("postgres://", "postgresql://", 1))
    bare = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return bare.render_as_string(hide_password=False)


def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Datetimes are stored as UTC wall time on both engines (SQLite keeps naive UTC text).
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
    dbapi_connection.commit()


def _on_begin(connection: Any) -> None:
    # SQLite's BEGIN IMMEDIATE makes a write transaction the only writer from its first read,
    # which the repositories rely on (read, decide, write). A transaction-scoped advisory lock
    # gives PostgreSQL the same rule; readers never wait, and per-order work that must not
    # serialise uses row locks (FOR UPDATE SKIP LOCKED) in transactions without this lock.
    mode = connection.get_execution_options().get(BEGIN_MODE_OPTION)
    if mode == "IMMEDIATE":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")
    elif mode == "SHARED":  # one claimed order's write: beside others like it, never a decider
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({WRITER_LOCK_KEY})")


def make_postgres_engine(target: str, *, password: str | None = None) -> Engine:
    """An engine for the PostgreSQL database `target` (pre-pinged: a restarted server is fine)."""
    engine = create_engine(
        postgres_url(target, password=password),
        pool_pre_ping=True,
        # A buying desk runs its create and buy pools (8 + 8 by default), the claim feed and the
        # heartbeat at once: 20 connections at most, so they do not queue for the default 15.
        pool_size=5,
        max_overflow=15,
        # Parameters hold customers' names and addresses: never in an exception or a log.
        hide_parameters=True,
        connect_args={"connect_timeout": 5, "application_name": "packdesk"},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def make_url_password(target: str) -> str | None:
    """The password written into `target`, if any (used for one run, never kept)."""
    return make_url(target.strip().replace("postgres://", "postgresql://", 1)).password


@compiles(CreateIndex, "postgresql")
def _partial_index_on_postgresql(element: CreateIndex, compiler: Any, **kw: Any) -> str:
    """A partial index written for SQLite only (`sqlite_where`) is partial on PostgreSQL too.

    Revisions and models name the condition once for SQLite; without this, PostgreSQL would
    build a full unique index and refuse rows the rule allows (e.g. a superseded label).
    """
    index = element.element
    mirror_partial_index(index)
    return str(compiler.visit_create_index(element, **kw))


def mirror_partial_index(index: Index) -> None:
    """Give `index` SQLite's WHERE on PostgreSQL when it names none of its own."""
    options = index.dialect_options
    if options["postgresql"]["where"] is None and options["sqlite"]["where"] is not None:
        index.dialect_options["postgresql"]["where"] = options["sqlite"]["where"]


def mirror_partial_indexes(metadata: MetaData) -> None:
    """`mirror_partial_index` for every index of `metadata` (the models, for comparisons)."""
    for table in metadata.tables.values():
        for index in table.indexes:
            mirror_partial_index(index)
