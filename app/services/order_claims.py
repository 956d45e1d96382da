"""Several desks buying from one PostgreSQL database: each order is claimed by one desk at a time.

A desk claims the orders it is about to buy (a row per order, primary key = the order), keeps
its claims alive with a heartbeat, and lets go when its run ends. Orders another live desk holds
are reported as taken by that station and left alone; desks never wait on each other's claims
(`ON CONFLICT DO NOTHING`, `FOR UPDATE SKIP LOCKED`). A crashed desk's claims go stale (its
process gone on this host, or no heartbeat for LEASE_TTL); the next desk takes them over and
reconciles their open journal rows with EasyPost before anything is bought again.

On SQLite the one-buyer lease (app.services.buyer_lease) stays the rule.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from app.domain.buyer_lease import HEARTBEAT_EVERY, LEASE_TTL, may_take_over
from app.domain.errors import AppError, ErrorKind
from app.infra.processes import pid_alive
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.claims_repo import ClaimHolder

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TakenOrder:
    """An order of the selection another desk is buying now."""

    order_id: int
    station: str


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    """What one claim call got."""

    claimed: frozenset[int]
    taken: tuple[TakenOrder, ...] = ()
    #: Orders taken over from a desk that stopped (their journal rows must be reconciled first).
    taken_over: frozenset[int] = field(default_factory=frozenset)


class OrderClaims:
    """Claim, keep and give back the orders one desk is buying."""

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
        self._host = socket.gethostname()
        self._token: str | None = None
        #: Tokens whose release failed (the server was out of reach): this live process would
        #: otherwise keep its own orders "taken" from itself; released at the next claim.
        self._leftover: list[str] = []
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None
        #: Called (from the heartbeat thread) when this desk's claims were taken over.
        self.on_lost: Callable[[], None] | None = None
        self.lost = False

    def claim(self, order_ids: Sequence[int]) -> ClaimOutcome:
        """Claim every free (or stale) order of `order_ids`; say which another desk holds.

        Raises:
            AppError: DATABASE when the claims cannot be written.
        """
        if self._token is None:
            self._token = secrets.token_hex(8)
        token = self._token
        now = self._clock()
        taken: list[TakenOrder] = []
        taken_over: set[int] = set()
        try:
            with self._store.transaction() as tx:  # row locks only: no writer lock, no wait
                for old in self._leftover:
                    tx.claims.release(old)
                holders = tx.claims.holders(order_ids)
                stale = {
                    order_id: holder.token
                    for order_id, holder in holders.items()
                    if holder.token != token and self._stale(holder)
                }
                for order_id, holder in sorted(holders.items()):
                    if holder.token != token and order_id not in stale:
                        taken.append(TakenOrder(order_id, holder.station))
                if stale:
                    log.warning("taking over %d claims of a desk that stopped", len(stale))
                    tx.claims.drop(stale, expected_token=stale)
                    taken_over.update(stale)
                # Claims a stopped desk left on orders outside this selection: swept, so no
                # row outlives its desk (whoever claims those orders next reconciles them).
                for desk in tx.claims.other_desks(token):
                    if self._stale(desk):
                        tx.claims.release(desk.token)
                busy = {t.order_id for t in taken}
                held = tx.claims.take(
                    [o for o in order_ids if o not in busy],
                    token=token,
                    station=self._station,
                    host=self._host,
                    pid=os.getpid(),
                    now=now,
                )
        except AppError:
            raise
        except Exception as error:
            raise AppError(
                "The orders cannot be claimed for buying: the database refused the write.",
                hint="Check the connection to the database server, then buy again.",
                kind=ErrorKind.DATABASE,
                details={"error": type(error).__name__},
            ) from error
        self._leftover.clear()
        claimed = frozenset(held) & frozenset(order_ids)
        # Rows locked by another desk at this instant were skipped: they count as taken.
        for order_id in order_ids:
            if order_id not in claimed and order_id not in {t.order_id for t in taken}:
                taken.append(TakenOrder(order_id, "another station"))
        if claimed:
            self._start_heartbeat()
        return ClaimOutcome(claimed, tuple(taken), frozenset(taken_over) & claimed)

    def _stale(self, holder: ClaimHolder) -> bool:
        return may_take_over(
            holder_host=holder.host,
            heartbeat_at=holder.heartbeat_at,
            now=self._clock(),
            this_host=self._host,
            holder_alive=pid_alive(holder.pid) if holder.host == self._host else None,
            ttl=self._ttl,
        )

    def _start_heartbeat(self) -> None:
        if self._beat is not None:
            return
        self._stop.clear()
        self.lost = False
        self._beat = threading.Thread(target=self._heartbeat, name="order-claims", daemon=True)
        self._beat.start()

    def release(self) -> None:
        """Let go of every claim this desk holds."""
        token, self._token = self._token, None
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
            self._beat = None
        if token is None:
            return
        try:
            with self._store.transaction() as tx:
                tx.claims.release(token)
        except Exception as error:  # noqa: BLE001 (stale claims are taken over: never stuck)
            log.warning("order claims not released (%s): they go stale", type(error).__name__)
            self._leftover.append(token)

    def _heartbeat(self) -> None:
        token = self._token
        while token is not None and not self._stop.wait(self._every.total_seconds()):
            try:
                with self._store.transaction() as tx:
                    still = tx.claims.heartbeat(token, self._clock())
            except Exception as error:  # noqa: BLE001 (a missed beat is retried on the next tick)
                log.warning("order claims heartbeat failed: %s", type(error).__name__)
                continue
            if still == 0 and not self._stop.is_set():
                log.error("this desk's order claims were taken over: stopping")
                self.lost = True
                if self.on_lost is not None:
                    self.on_lost()
                return
