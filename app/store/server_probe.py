"""Try a PostgreSQL URL before a profile switches to it: does it answer, and what does it hold."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from app.domain.errors import AppError, ErrorKind
from app.store.postgres import make_postgres_engine, redacted


@dataclass(frozen=True, slots=True)
class ServerProbe:
    """What the server database holds: Packdesk's schema revision (None: no Packdesk tables),
    how many tables, and the server's version."""

    url: str  # without password
    revision: str | None
    tables: int
    server_version: str


def probe_server(url: str, *, password: str | None = None) -> ServerProbe:
    """Connect to `url` (5 s timeout) and read, never write.

    Raises:
        AppError: DATABASE when the server cannot be reached or refuses the login.
    """
    shown = redacted(url)
    engine = make_postgres_engine(url, password=password)
    try:
        with engine.connect() as connection:
            version = str(connection.execute(text("SHOW server_version")).scalar() or "")
            names = inspect(connection).get_table_names()
            revision = None
            if "alembic_version" in names:
                found = connection.execute(text("SELECT version_num FROM alembic_version"))
                revision = str(found.scalar() or "") or None
    except DBAPIError as error:
        # The driver's text names host, port and the reason (never the password); keep its
        # first line so "password authentication failed" or "connection refused" is seen.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise AppError(
            f"Cannot reach the PostgreSQL database {shown}: {reason}",
            hint="Check that the server is running and the address, user and password are "
            "right (keyring or ~/.pgpass); see docs/MULTI-DESK.md.",
            kind=ErrorKind.DATABASE,
            details={"database": shown, "error": type(error.orig).__name__},
        ) from None
    finally:
        engine.dispose()
    return ServerProbe(shown, revision, len(names), version)
