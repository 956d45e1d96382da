"""Follow the other desks: a change anywhere reaches this window within a second, and a lost
database connection is said (and recovered from) without anyone asking.

The store raises a change counter in every transaction that writes; this service waits on it
(PostgreSQL LISTEN/NOTIFY, a cheap poll on SQLite) on its own thread and calls back. The GUI
connects the callbacks to a refresh and to the status bar (through its TaskRunner's signals).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import AppError
from app.store import Store

log = logging.getLogger(__name__)

#: The longest one wait lasts before the loop looks at `stop` again.
WAIT_SECONDS = 1.0
#: Between attempts to reach a database that went away.
RETRY_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class LiveState:
    """Where following stands: the last counter seen, and whether the database answers."""

    value: int
    connected: bool
    message: str = ""


class LiveUpdates:
    """Calls `on_change(value)` when any desk changes the database; `on_connection(state)` when
    the connection is lost or back. Both are called from this service's thread."""

    def __init__(
        self,
        store: Store,
        *,
        on_change: Callable[[int], None],
        on_connection: Callable[[LiveState], None] | None = None,
        wait_seconds: float = WAIT_SECONDS,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self._watcher = store.watcher()
        self._on_change = on_change
        self._on_connection = on_connection
        self._wait = wait_seconds
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = LiveState(-1, True)

    @property
    def connected(self) -> bool:
        """False while the database cannot be reached (buying and scanning should wait)."""
        return self.state.connected

    def start(self) -> None:
        """Begin following on a daemon thread (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="live-updates", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self._wait + 5)
            self._thread = None
        self._watcher.close()

    def step(self) -> LiveState:
        """One wait for a change (at most `wait_seconds`); calls back as the loop does."""
        previous = self.state
        try:
            since = previous.value if previous.value >= 0 else self._watcher.current()
            value = self._watcher.wait(since, self._wait)
        except AppError as error:
            self.state = LiveState(previous.value, False, error.message)
            if previous.connected:
                log.warning("database connection lost: %s", error.message)
                self._tell(self.state)
            return self.state
        self.state = LiveState(value, True)
        if not previous.connected:
            log.info("database connection back")
            self._tell(self.state)
        if (previous.value >= 0 and value != previous.value) or since != value:
            self._on_change(value)
        return self.state

    def _tell(self, state: LiveState) -> None:
        if self._on_connection is not None:
            self._on_connection(state)

    def _run(self) -> None:
        while not self._stop.is_set():
            state = self.step()
            if not state.connected:
                self._stop.wait(self._retry)
