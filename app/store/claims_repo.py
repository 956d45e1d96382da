"""Per-order buy claims of several desks: take what is free (or stale), keep alive, let go."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.store.dialects import upsert_insert
from app.store.models_desks import OrderClaimRow

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ClaimHolder:
    """Who holds one order's claim."""

    order_id: int
    token: str
    station: str
    host: str
    pid: int
    heartbeat_at: datetime


class ClaimRepository:
    """Order claims inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def holders(self, order_ids: Collection[int]) -> dict[int, ClaimHolder]:
        """The current claims on `order_ids`, locked for this transaction (others skip them).

        On PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`: a claim another desk is
        changing right now is simply not seen here, so desks never wait on each other; the
        primary key still refuses a second claim on one order.
        """
        found: dict[int, ClaimHolder] = {}
        ids = list(order_ids)
        for start in range(0, len(ids), _CHUNK):
            query = select(OrderClaimRow).where(
                OrderClaimRow.order_id.in_(ids[start : start + _CHUNK])
            )
            if self._session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for row in self._session.scalars(query):
                found[row.order_id] = ClaimHolder(
                    row.order_id, row.token, row.station, row.host, row.pid, row.heartbeat_at
                )
        return found

    def take(
        self,
        order_ids: Sequence[int],
        *,
        token: str,
        station: str,
        host: str,
        pid: int,
        now: datetime,
    ) -> list[int]:
        """Claim every order of `order_ids` that has no claim; the ids now held by `token`.

        An order whose claim exists (even one locked by another desk at this instant) is left
        alone: `ON CONFLICT DO NOTHING`, never a wait.
        """
        connection = self._session.connection()
        for start in range(0, len(order_ids), _CHUNK):
            chunk = order_ids[start : start + _CHUNK]
            statement = upsert_insert(connection, OrderClaimRow.__table__).values(  # type: ignore[arg-type]
                [
                    {
                        "order_id": order_id,
                        "token": token,
                        "station": station,
                        "host": host,
                        "pid": pid,
                        "claimed_at": now,
                        "heartbeat_at": now,
                    }
                    for order_id in chunk
                ]
            )
            self._session.execute(statement.on_conflict_do_nothing(index_elements=["order_id"]))
        return self.held(token)

    def held(self, token: str) -> list[int]:
        """The order ids `token` holds."""
        return list(
            self._session.scalars(
                select(OrderClaimRow.order_id)
                .where(OrderClaimRow.token == token)
                .order_by(OrderClaimRow.order_id)
            )
        )

    def drop(self, order_ids: Collection[int], *, expected_token: dict[int, str]) -> None:
        """Remove the claims on `order_ids`, each only if still held by its expected token."""
        for order_id in order_ids:
            self._session.execute(
                delete(OrderClaimRow)
                .where(
                    OrderClaimRow.order_id == order_id,
                    OrderClaimRow.token == expected_token[order_id],
                )
                .execution_options(synchronize_session=False)
            )

    def other_desks(self, token: str) -> list[ClaimHolder]:
        """One entry per other desk holding claims (its newest heartbeat; order_id is any one)."""
        rows = self._session.execute(
            select(
                func.min(OrderClaimRow.order_id),
                OrderClaimRow.token,
                func.min(OrderClaimRow.station),
                func.min(OrderClaimRow.host),
                func.min(OrderClaimRow.pid),
                func.max(OrderClaimRow.heartbeat_at),
            )
            .where(OrderClaimRow.token != token)
            .group_by(OrderClaimRow.token)
        )
        return [ClaimHolder(*row) for row in rows]

    def heartbeat(self, token: str, now: datetime) -> int:
        """Say the holder `token` is alive; how many claims it still holds."""
        result = self._session.execute(
            update(OrderClaimRow)
            .where(OrderClaimRow.token == token)
            .values(heartbeat_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def release(self, token: str) -> None:
        """Let go of every claim `token` holds."""
        self._session.execute(
            delete(OrderClaimRow)
            .where(OrderClaimRow.token == token)
            .execution_options(synchronize_session=False)
        )
