"""The change counter: every transaction that wrote raises it; other desks follow it.

SQLite: a reader polls the one-row table (an indexed read of one row, microseconds).
PostgreSQL: the raise also sends NOTIFY on CHANNEL, so a listener wakes at once.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from app.domain.errors import AppError, ErrorKind
from app.store.models_desks import ChangeCounterRow

_log = logging.getLogger(__name__)

CHANNEL = "packdesk_changes"
_WROTE = "packdesk_wrote"
_CONNECTION = "packdesk_connection"
_WRITES = ("insert", "update", "delete")
#: How often SQLite is polled while waiting (cheap: one row by primary key).
POLL_SECONDS = 0.2


def track_writes(engine: Engine, *factories: sessionmaker[Session]) -> None:
    """Note on each connection whether its transaction wrote anything (and which connection
    each session of `factories` holds, so a transaction that ran nothing opens none)."""

    def _bound(session: Session, _transaction: Any, connection: Any) -> None:
        session.info[_CONNECTION] = connection

    for factory in factories:
        event.listen(factory, "after_begin", _bound)

    def _begin(connection: Any) -> None:
        connection.info[_WROTE] = False

    def _executed(connection: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip()[:6].lower() in _WRITES:
            connection.info[_WROTE] = True

    event.listen(engine, "begin", _begin)
    event.listen(engine, "after_cursor_execute", _executed)


def mark_written(connection: Any) -> None:
    """Say this connection's transaction wrote (for writes that bypass the cursor events)."""
    connection.info[_WROTE] = True


def bump_if_written(session: Session, now: Any) -> None:
    """Raise the counter (and NOTIFY on PostgreSQL) when this transaction wrote."""
    connection = session.info.pop(_CONNECTION, None)
    if connection is None or not connection.info.pop(_WROTE, False):
        return
    session.execute(
        update(ChangeCounterRow)
        .where(ChangeCounterRow.id == 1)
        .values(value=ChangeCounterRow.value + 1, changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"NOTIFY {CHANNEL}")
    connection.info[_WROTE] = False


def _lost(error: Exception) -> AppError:
    return AppError(
        "The connection to the database is lost.",
        hint="Packdesk keeps what is on screen and reconnects by itself; check the network or "
        "the database server.",
        kind=ErrorKind.DATABASE,
        details={"error": type(error).__name__},
    )


class ChangeWatcher:
    """Waits for the counter to move past a value; one per window (thread-safe per call)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._listener: Any = None  # a psycopg connection LISTENing (PostgreSQL only)
        self._lock = threading.Lock()

    def current(self) -> int:
        """The counter now.

        Raises:
            AppError: DATABASE when the database cannot be reached.
        """
        try:
            with self._engine.connect() as connection:
                value = connection.scalar(
                    select(ChangeCounterRow.value).where(ChangeCounterRow.id == 1)
                )
        except DBAPIError as error:
            raise _lost(error) from error
        return int(value or 0)

    def wait(self, since: int, timeout: float) -> int:
        """The counter once it differs from `since`, or after `timeout` seconds whatever it is.

        Raises:
            AppError: DATABASE when the database cannot be reached (call again to reconnect).
        """
        deadline = time.monotonic() + timeout
        if self._engine.dialect.name == "postgresql":
            return self._wait_notified(since, deadline)
        while True:
            value = self.current()
            left = deadline - time.monotonic()
            if value != since or left <= 0:
                return value
            time.sleep(min(POLL_SECONDS, left))

    def _wait_notified(self, since: int, deadline: float) -> int:
        with self._lock:
            try:
                listener = self._listen()
                value = self.current()  # after LISTEN: no change can slip between the two
                left = deadline - time.monotonic()
                if value != since or left <= 0:
                    return value
                for _note in listener.notifies(timeout=left, stop_after=1):
                    break
                return self.current()
            except AppError:
                self._drop_listener()
                raise
            except Exception as error:  # psycopg's own errors: the server went away
                self._drop_listener()
                raise _lost(error) from error

    def _listen(self) -> Any:
        if self._listener is None or self._listener.closed:
            raw = self._engine.raw_connection()
            listener = raw.driver_connection
            raw.detach()  # its own connection for as long as this watcher lives
            assert listener is not None
            listener.autocommit = True
            listener.execute(f"LISTEN {CHANNEL}")
            self._listener = listener
        return self._listener

    def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.close()
            except Exception as error:  # noqa: BLE001 (already gone)
                _log.debug("closing the change listener: %s", type(error).__name__)

    def close(self) -> None:
        with self._lock:
            self._drop_listener()
