"""An overall deadline and a cancel for a network phase (estimate, tracking, refunds, ...).

A phase runs `with deadline.scope():`; the gateway reads `active_deadline()` before each call
and caps each request's socket timeouts at the time left, so a server that accepts and never
answers costs the deadline, not minutes of per-request timeouts and retries. Worker threads
see the scope when they are started through `in_scope` (context variables do not cross a
ThreadPoolExecutor by themselves).
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from app.domain.errors import AppError, ErrorKind

_P = ParamSpec("_P")
_T = TypeVar("_T")

_ACTIVE: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "packdesk_deadline", default=None
)


class Deadline:
    """`seconds` from now (monotonic), and an optional cancel event that ends it at once."""

    def __init__(
        self,
        seconds: float,
        *,
        cancel: threading.Event | None = None,
        what: str = "EasyPost",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not seconds > 0:
            raise AppError(
                f"A deadline of {seconds:g} seconds is out of range.",
                hint="Give a number of seconds above 0, e.g. --deadline 60.",
                kind=ErrorKind.INVALID_INPUT,
            )
        self.seconds = seconds
        self.cancel = cancel or threading.Event()
        self.what = what
        self._clock = clock
        self._ends = clock() + seconds

    def remaining(self) -> float:
        """Seconds left (0 once passed or cancelled)."""
        if self.cancel.is_set():
            return 0.0
        return max(0.0, self._ends - self._clock())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    def check(self, operation: str = "") -> None:
        """Raise AppError NETWORK when the deadline passed or the phase was cancelled."""
        if self.cancel.is_set():
            raise AppError(
                f"Stopped: {self.what} was cancelled" + (f" ({operation})." if operation else "."),
                hint="Nothing more is asked; run it again when ready.",
                kind=ErrorKind.NETWORK,
                details={"cancelled": True, "operation": operation},
            )
        if self._ends - self._clock() <= 0:
            raise AppError(
                f"No answer from {self.what} within {self.seconds:g} s"
                + (f" ({operation})." if operation else "."),
                hint="Check the network connection and https://status.easypost.com; "
                "allow more time with --deadline SECONDS.",
                kind=ErrorKind.NETWORK,
                details={"deadline_s": self.seconds, "operation": operation},
            )

    @contextmanager
    def scope(self) -> Iterator[Deadline]:
        """Make this the active deadline of the calling context (and of `in_scope` workers)."""
        token = _ACTIVE.set(self)
        try:
            yield self
        finally:
            _ACTIVE.reset(token)


def active_deadline() -> Deadline | None:
    """The deadline of the phase running in this context, if any."""
    return _ACTIVE.get()


@contextmanager
def maybe(deadline: Deadline | None) -> Iterator[Deadline | None]:
    """`deadline.scope()`, or nothing when there is no deadline."""
    if deadline is None:
        yield None
    else:
        with deadline.scope():
            yield deadline


def in_scope(fn: Callable[_P, _T]) -> Callable[_P, _T]:
    """`fn` bound to the caller's context: a worker thread running it sees the active deadline.

    Each call runs in its own copy of the context, so one wrapper may run on many threads.
    """
    context = contextvars.copy_context()

    def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        return context.copy().run(fn, *args, **kwargs)

    return run
