"""SQLite failures as AppErrors that name the cause and the fix, never a row's data.

A read-only file, a full disk or a damaged file used to end in a traceback whose SQL parameters
held customers' names, streets, emails and phones. Here the user gets one line and a fix; the
log gets the exception type, SQLite's own message and the statement, without its parameters
(the engine is also built with hide_parameters=True, so no SQLAlchemy message carries them).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DatabaseError, DBAPIError, IntegrityError, StatementError

from app.domain.errors import AppError, ErrorKind
from app.domain.limits import MAX_SQL_INTEGER

_log = logging.getLogger(__name__)

#: SQLite's message fragment -> (what happened, the fix). The first match wins.
_KNOWN: tuple[tuple[str, str, str], ...] = (
    (
        "readonly",
        "The database {name} is read-only: nothing was saved.",
        "Make the file and its folder writable for your user (or choose another with --db).",
    ),
    (
        "disk is full",
        "The disk holding the database {name} is full: nothing was saved.",
        "Free some disk space, then try again.",
    ),
    (
        "disk i/o error",
        "The database {name} could not be written (disk I/O error): nothing was saved.",
        "Check the disk (and free space), then try again.",
    ),
    (
        "malformed",
        "The database {name} is damaged (SQLite: database disk image is malformed): nothing "
        "more was written.",
        "Stop using it; restore the latest backup (a .bak file beside it) or recover it with "
        "`sqlite3 FILE .recover`, then open that with --db.",
    ),
    (
        "not a database",
        "The database {name} is damaged or not a database: nothing more was written.",
        "Restore the latest backup (a .bak file beside it), or choose another file with --db.",
    ),
    (
        "locked",
        "The database {name} is busy (another Packdesk window or command is writing).",
        "Try again in a moment.",
    ),
    (
        "unable to open",
        "The database {name} cannot be opened (its folder is gone or not accessible).",
        "Check the folder, or choose another file with --db.",
    ),
)


#: PostgreSQL SQLSTATEs of a connection lost or refused: class 08, the server shutting down
#: (administrator or crash) or still starting up. psycopg leaves sqlstate empty when the
#: connection itself failed or closed.
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")

#: `details["connection"]` of an AppError for a lost server connection (see connection_lost).
CONNECTION_LOST = "lost"


def connection_lost(error: BaseException) -> bool:
    """True when `error` (SQLAlchemy's, wrapping psycopg's) means the server connection is gone,
    so the same transaction may succeed on a new connection (a server restart, a dropped link).
    """
    if getattr(error, "connection_invalidated", False):
        return True
    original = getattr(error, "orig", None)
    if original is None or not type(original).__module__.startswith("psycopg"):
        return False
    if not any(cls.__name__ == "OperationalError" for cls in type(original).__mro__):
        return False
    state = getattr(original, "sqlstate", None)
    return state is None or str(state).startswith(_CONNECTION_STATES)


def as_app_error(error: BaseException, path: Path) -> AppError:
    """The AppError for a database failure (see the module docstring); logs what a fix needs."""
    original = getattr(error, "orig", None) or error
    statement = getattr(error, "statement", None) or ""
    reason = str(original).splitlines()[0] if str(original) else type(original).__name__
    # INFO: the file log keeps it; the user already sees the message and the fix on screen.
    _log.info(
        "database %s: %s: %s; statement: %s",
        path.name,
        type(original).__name__,
        reason[:200],
        " ".join(str(statement).split())[:500],
    )
    if isinstance(original, OverflowError):
        return AppError(
            f"A number is too large to store in the database (more than {MAX_SQL_INTEGER}).",
            hint="Check the numbers given (ids, counts) and try again.",
            kind=ErrorKind.INVALID_INPUT,
        )
    if connection_lost(error):
        return AppError(
            "The connection to the database server was lost: nothing was saved.",
            hint="Check that the PostgreSQL server is running and reachable (Packdesk "
            "reconnects by itself), then try again.",
            kind=ErrorKind.DATABASE,
            details={"error": type(original).__name__, "connection": CONNECTION_LOST},
        )
    lowered = reason.lower()
    for fragment, message, hint in _KNOWN:
        if fragment in lowered:
            return AppError(
                message.format(name=path.name),
                hint=hint,
                kind=ErrorKind.DATABASE,
                details={"path": str(path), "error": type(original).__name__},
            )
    return AppError(
        f"The database {path.name} refused the change ({type(original).__name__}: "
        f"{reason[:120]}): nothing was saved.",
        hint="Try again; if it keeps happening, report it with logs/packdesk.log.",
        kind=ErrorKind.DATABASE,
        details={"path": str(path), "error": type(original).__name__},
    )


@contextmanager
def database_errors_as_app_errors(path: Path) -> Iterator[None]:
    """Turn SQLite failures inside the block into AppErrors (see as_app_error).

    IntegrityError stays as it is: repositories turn it into the rule it broke (an order with
    two live labels), and anything else is a bug that must surface with its traceback.
    """
    try:
        yield
    except IntegrityError:
        raise
    except (DatabaseError, OverflowError) as error:
        raise as_app_error(error, path) from None
    except StatementError as error:
        if isinstance(error.orig, OverflowError):
            raise as_app_error(error, path) from None
        raise


def server_unreachable(shown: str, error: DBAPIError) -> AppError:
    """A PostgreSQL server that cannot be reached, named with the driver's first line of why
    ("connection refused", "password authentication failed": host and port, never the
    password) and the fix."""
    reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
    return AppError(
        f"Cannot reach the PostgreSQL database {shown}: {reason}",
        hint="Check that the server is running and the address, user and password are right "
        "(keyring or ~/.pgpass); see docs/MULTI-DESK.md.",
        kind=ErrorKind.DATABASE,
        details={"database": shown, "error": type(error.orig).__name__},
    )
