"""Try a PostgreSQL URL before a profile switches to it: does it answer, and what does it hold."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from app.store.db_errors import server_unreachable
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
        raise server_unreachable(shown, error) from None
    finally:
        engine.dispose()
    return ServerProbe(shown, revision, len(names), version)
