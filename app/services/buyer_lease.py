"""One buyer per database: a lease row taken in a write transaction, kept alive by a heartbeat.

The rule lives in the database itself, so a symlink, another spelling of the path or a copy of
the `--db` text cannot get round it (a lock file named after the path could). A second buyer is
refused with who holds the lease and since when; a holder that died (its process gone on this
host, or no heartbeat for LEASE_TTL) is taken over.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from app.domain.buyer_lease import HEARTBEAT_EVERY, LEASE_TTL, may_take_over
from app.domain.errors import AppError, ErrorKind
from app.infra.processes import pid_alive
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.lease_repo import LeaseRecord

log = logging.getLogger(__name__)


class BuyerLease:
    """Take, keep and give back the buyer lease of one database (one holder at a time)."""

    def __init__(
        self,
        store: Store,
        *,
        station: str,
        clock: Clock = utc_now,
        ttl: timedelta = LEASE_TTL,
        heartbeat_every: timedelta = HEARTBEAT_EVERY,
    ) -> None:
        self._store = store
        self._station = station
        self._clock = clock
        self._ttl = ttl
        self._every = heartbeat_every
        self._token: str | None = None
        #: A token this holder failed to give back (database read-only at the time): still its own.
        self._unreleased: str | None = None
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        self.lost = False  # set when another buyer took the lease while this one held it
        #: Called (from the heartbeat thread) when the lease is lost: the buyer stops admitting.
        self.on_lost: Callable[[], None] | None = None

    def acquire(self) -> None:
        """Take the lease, or raise AppError CONFLICT naming its live holder (DATABASE when the
        database cannot be written)."""
        token = secrets.token_hex(8)
        host = socket.gethostname()
        now = self._clock()
        try:
            with self._store.transaction(write=True) as tx:
                held = tx.lease.current()
                if held is not None and held.token != self._unreleased:
                    if not self._stale(held, now, host):
                        raise _refusal(held)
                    log.warning(
                        "taking over the buyer lease of process %s on %s (stale since %s)",
                        held.pid,
                        held.host,
                        held.heartbeat_at,
                    )
                tx.lease.take(LeaseRecord(token, self._station, host, os.getpid(), now, now))
        except AppError:
            raise
        except Exception as error:  # read-only, full, locked: a known error, said as one
            raise AppError(
                "The database cannot be written, so no purchase can start.",
                hint="Free disk space or make the database file writable, then buy again.",
                kind=ErrorKind.DATABASE,
                details={"error": type(error).__name__},
            ) from error
        self._token = token
        self._unreleased = None
        self.lost = False
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, name="buyer-lease", daemon=True)
        self._beat.start()

    def _stale(self, held: LeaseRecord, now: datetime, host: str) -> bool:
        return may_take_over(
            holder_host=held.host,
            heartbeat_at=held.heartbeat_at,
            now=now,
            this_host=host,
            holder_alive=pid_alive(held.pid) if held.host == host else None,
            ttl=self._ttl,
        )

    def release(self) -> None:
        """Give the lease back (only if this holder still has it)."""
        token, self._token = self._token, None
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        if token is None:
            return
        try:
            with self._store.transaction(write=True) as tx:
                tx.lease.release(token)
        except Exception as error:  # noqa: BLE001 (a dead holder is taken over: never stuck)
            log.warning("buyer lease not released (%s): it goes stale", type(error).__name__)
            self._unreleased = token

    def _heartbeat(self) -> None:
        token = self._token
        while token is not None and not self._stop.wait(self._every.total_seconds()):
            try:
                with self._store.transaction(write=True) as tx:
                    still = tx.lease.heartbeat(token, self._clock())
            except Exception as error:  # noqa: BLE001 (a missed beat is retried on the next tick)
                log.warning("buyer lease heartbeat failed: %s", type(error).__name__)
                continue
            if not still:
                log.error("the buyer lease was taken over by another buyer: stopping")
                self.lost = True
                if self.on_lost is not None:
                    self.on_lost()
                return


def _refusal(held: LeaseRecord) -> AppError:
    return AppError(
        f"Another purchase is running on this database: station {held.station}, process "
        f"{held.pid} on {held.host}, since {held.taken_at:%Y-%m-%d %H:%M:%S} UTC.",
        hint="Wait for it to finish (or close the other window), then run the buy again.",
        kind=ErrorKind.CONFLICT,
        details={
            "station": held.station,
            "host": held.host,
            "pid": held.pid,
            "since": held.taken_at.isoformat(),
        },
    )
