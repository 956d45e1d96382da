"""USPS pickups: request one for a time window, see its rates, confirm (buy) it, cancel it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LabelStatus
from app.postage.models import PickupInfo, PickupRate
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, local_date, localize, to_local, to_stored, utc_now
from app.services.lazy import Lazy
from app.store import Store
from app.store.pickups_repo import StoredPickup
from app.store.store import StoreTransaction

if TYPE_CHECKING:  # the gateway (easypost, requests) loads with the service, not the window
    from app.postage.gateway import EasyPostGateway

DEFAULT_WINDOW = (time(9, 0), time(17, 0))


@dataclass(frozen=True, slots=True)
class PickupResult:
    """A pickup as the desk knows it, with the rates EasyPost offered when it was requested."""

    pickup: StoredPickup
    rates: tuple[PickupRate, ...] = ()
    messages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PickupRequest:
    """What `pickup schedule` asks for."""

    day: date
    packages: int
    start: time = DEFAULT_WINDOW[0]
    end: time = DEFAULT_WINDOW[1]
    location: str = ""
    instructions: str = ""
    batch: str | None = None

    def instructions_text(self) -> str:
        """USPS reads one free-text field: where the parcels wait, then anything else."""
        parts = []
        if self.location:
            parts.append(f"Packages at: {self.location}.")
        if self.instructions.strip():
            note = self.instructions.strip()
            parts.append(note if note[-1] in ".!?" else note + ".")
        parts.append(f"{self.packages} package{'s' if self.packages != 1 else ''}.")
        return " ".join(parts)


class PickupService:
    """Requests, confirms and cancels USPS pickups from the default ship-from address."""

    def __init__(
        self,
        store: Store,
        gateway: EasyPostGateway | Callable[[], EasyPostGateway],
        audit: AuditLog,
        *,
        clock: Clock = utc_now,
        zone: tzinfo | None = None,
    ) -> None:
        """`gateway`: the gateway or a function building it (listing pickups needs no key).
        `zone`: the desk's time zone, in which windows and days are meant (None: the system's).
        """
        self._store = store
        self._gateway = Lazy(gateway)  # built by the calls that reach EasyPost, not by lists
        self._audit = audit
        self._clock = clock
        self._zone = zone

    def schedule(self, request: PickupRequest) -> PickupResult:
        """Ask EasyPost for a pickup in the window; returns its rates (confirm to buy one).

        Raises:
            AppError: INVALID_INPUT for a bad window or count; NOT_FOUND without a ship-from
                address or a label to attach the pickup to.
        """
        if request.packages < 1:
            raise _invalid(f"--packages must be at least 1, not {request.packages}.")
        # The window is the desk's local time; EasyPost gets it with its offset, the database
        # keeps UTC like every stored time.
        start = localize(datetime.combine(request.day, request.start), self._zone)
        end = localize(datetime.combine(request.day, request.end), self._zone)
        if end <= start:
            raise _invalid(f"The window {request.start:%H:%M}-{request.end:%H:%M} is empty.")
        if request.day < local_date(self._clock(), self._zone):
            raise _invalid(f"{request.day.isoformat()} is in the past.")
        with self._store.transaction() as tx:
            ship_from = tx.ship_from.default()
            shipment_id, batch_id = self._anchor(tx, request.batch)
        if ship_from is None:
            raise AppError(
                "No default ship-from address is set: USPS needs to know where to pick up.",
                hint="Add one with `packdesk-cli ship-from add ... --default`.",
                kind=ErrorKind.NOT_FOUND,
            )
        info = self._gateway.get().create_pickup(
            ship_from.address,
            min_datetime=start,
            max_datetime=end,
            instructions=request.instructions_text(),
            reference=f"pickup-{request.day.isoformat()}",
            shipment_id=shipment_id,
            batch_id=batch_id,
        )
        with self._store.transaction(write=True) as tx:
            pickup_id = tx.pickups.add(
                easypost_id=info.id,
                status=info.status,
                min_datetime=to_stored(start),
                max_datetime=to_stored(end),
                instructions=request.instructions_text(),
                package_count=request.packages,
                created_at=self._clock(),
            )
            self._audit.record_in(
                tx,
                AuditAction.PICKUP_REQUESTED,
                details={"pickup": info.id, "day": request.day, "packages": request.packages},
            )
            stored = tx.pickups.get(pickup_id)
        assert stored is not None
        return PickupResult(stored, info.rates, tuple(m.message for m in info.messages))

    @staticmethod
    def _anchor(tx: StoreTransaction, batch: str | None) -> tuple[str | None, str | None]:
        """EasyPost attaches a pickup to a batch or a shipment: the batch's, or today's newest."""
        if batch is not None:
            batch_id = tx.shipping.batch_id_by_reference(batch)
            if batch_id is None:
                raise AppError(
                    f"No batch {batch} is recorded.",
                    hint="See `packdesk-cli batches`.",
                    kind=ErrorKind.NOT_FOUND,
                )
            easypost_batch = tx.shipping.batch_easypost_id(batch_id)
            if easypost_batch:
                return None, easypost_batch
            labels = [f for f in tx.shipping.labels_for_batch(batch_id) if f.status == "live"]
        else:
            labels = tx.shipping.labels_with_status([LabelStatus.LIVE])
        if not labels:
            raise AppError(
                "There is no live label to schedule a pickup for.",
                hint="USPS picks up parcels with postage: buy labels first.",
                kind=ErrorKind.NOT_FOUND,
            )
        return labels[-1].shipment_id, None

    def confirm(self, pickup_id: int, *, service: str | None = None) -> PickupResult:
        """Buy the pickup's rate (`service`, else the cheapest)."""
        stored = self._get(pickup_id)
        if stored.status == "scheduled":
            return PickupResult(stored)
        if stored.status == "canceled" or not stored.easypost_id:
            raise AppError(
                f"Pickup {pickup_id} is {stored.status}: it cannot be confirmed.",
                hint="Schedule a new pickup.",
                kind=ErrorKind.CONFLICT,
            )
        current = self._gateway.get().retrieve_pickup(stored.easypost_id)
        rate = _choose_rate(current, service)
        info = self._gateway.get().buy_pickup(
            stored.easypost_id, carrier=rate.carrier, service=rate.service
        )
        with self._store.transaction(write=True) as tx:
            tx.pickups.update(
                pickup_id,
                status=info.status,
                confirmation=info.confirmation or "",
                amount_usd=rate.amount,
            )
            self._audit.record_in(
                tx,
                AuditAction.PICKUP_CONFIRMED,
                details={
                    "pickup": stored.easypost_id,
                    "confirmation": info.confirmation,
                    "amount_usd": str(rate.amount),
                },
            )
        return PickupResult(self._get(pickup_id), info.rates)

    def cancel(self, pickup_id: int) -> PickupResult:
        stored = self._get(pickup_id)
        if stored.status == "canceled":
            return PickupResult(stored)
        if not stored.easypost_id:  # pragma: no cover - every stored pickup has an id
            raise AppError(
                f"Pickup {pickup_id} was never sent to EasyPost.", kind=ErrorKind.CONFLICT
            )
        info = self._gateway.get().cancel_pickup(stored.easypost_id)
        with self._store.transaction(write=True) as tx:
            tx.pickups.update(pickup_id, status=info.status, cancelled_at=self._clock())
            self._audit.record_in(
                tx, AuditAction.PICKUP_CANCELLED, details={"pickup": stored.easypost_id}
            )
        return PickupResult(self._get(pickup_id))

    def list(self) -> list[StoredPickup]:
        with self._store.transaction() as tx:
            return tx.pickups.all()

    def rates(self, pickup_id: int) -> PickupResult:
        """The pickup as EasyPost shows it now (its rates, messages)."""
        stored = self._get(pickup_id)
        if not stored.easypost_id:  # pragma: no cover
            return PickupResult(stored)
        info = self._gateway.get().retrieve_pickup(stored.easypost_id)
        return PickupResult(stored, info.rates, tuple(m.message for m in info.messages))

    def _get(self, pickup_id: int) -> StoredPickup:
        with self._store.transaction() as tx:
            stored = tx.pickups.get(pickup_id)
        if stored is None:
            raise AppError(
                f"No pickup {pickup_id} is recorded.",
                hint="See `packdesk-cli pickup list`.",
                kind=ErrorKind.NOT_FOUND,
            )
        return stored


def _choose_rate(info: PickupInfo, service: str | None) -> PickupRate:
    rates = [r for r in info.rates if service is None or r.service.lower() == service.lower()]
    if not rates:
        offered = ", ".join(r.service for r in info.rates) or "none"
        notes = "; ".join(m.message for m in info.messages)
        raise AppError(
            f"No pickup rate{f' for {service}' if service else ''} is offered (offered: {offered})."
            + (f" EasyPost says: {notes}" if notes else ""),
            hint="USPS picks up on the next business day; schedule another day.",
            kind=ErrorKind.RATE,
            details={"pickup": info.id},
        )
    return min(rates, key=lambda r: r.amount)


def local_time(stored: datetime, zone: tzinfo | None = None) -> datetime:
    """A stored (naive UTC) time in the desk's local time zone, for display."""
    return to_local(stored, zone)


def _invalid(message: str) -> AppError:
    return AppError(
        message,
        hint="pickup schedule --date YYYY-MM-DD --from HH:MM --to HH:MM",
        kind=ErrorKind.INVALID_INPUT,
    )
