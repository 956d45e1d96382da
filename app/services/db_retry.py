"""Journal writes that outlive a short database outage: a server restart costs a wait, not a run.

Only a lost server connection is retried (app.store.db_errors marks it), and only around a unit
of work that may safely run twice (each caller says why): the failed transaction was rolled
back, or, when the connection dropped while COMMIT was on its way, the work finds its own
result and leaves it as it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from app.domain.errors import AppError
from app.store.db_errors import CONNECTION_LOST

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How long a step waits for the server to come back before it gives up (a restart takes
#: seconds; a longer outage ends the step as any database error does, nothing is lost).
RECONNECT_PATIENCE_S = 30.0
FIRST_WAIT_S = 0.1
LONGEST_WAIT_S = 1.0


def is_connection_lost(error: AppError) -> bool:
    """True for the AppError of a lost database server connection."""
    return error.details.get("connection") == CONNECTION_LOST


def retry_lost_connection(
    work: Callable[[], T],
    *,
    patience: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`work()`, run again while the database server connection is lost, up to `patience` s
    (default RECONNECT_PATIENCE_S).

    Raises:
        AppError: the last error once `patience` is spent, or any other error at once.
    """
    deadline = clock() + (RECONNECT_PATIENCE_S if patience is None else patience)
    wait = FIRST_WAIT_S
    while True:
        try:
            return work()
        except AppError as error:
            if not is_connection_lost(error) or clock() + wait > deadline:
                raise
            log.warning("database connection lost: trying again in %.1f s", wait)
        sleep(wait)
        wait = min(wait * 2, LONGEST_WAIT_S)
