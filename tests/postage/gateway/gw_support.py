"""Shared test data and helpers for the gateway tests (sandbox on loopback)."""

from __future__ import annotations

from decimal import Decimal

from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from app.domain.orders import Address
from app.postage.gateway import EasyPostGateway, GatewayConfig
from app.postage.models import ParcelSpec
from app.postage.ratelimit import RetryPolicy
from app.postage.sandbox.server import SandboxServer

#: A recognisable key, so tests can prove it never leaks.
API_KEY = "EZTKgatewaytestSECRET0123456789abcdef"
#: Fast retries: tests check behaviour, not patience.
FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05, jitter=0.5)

DESK = Address(
    "Packdesk Demo", "417 Montgomery St", "San Francisco", "94104", "US", state="CA",
    phone="4153334445",
)  # fmt: skip
HOME = Address("Ann Example", "179 N Harbor Dr", "Redondo Beach", "90277", "US", state="CA")
ABROAD = Address("Bea Beispiel", "Hauptstr. 5", "Berlin", "10115", "DE")
PARCEL = ParcelSpec(weight_oz=Decimal("12"), length_in=Decimal(9), width_in=Decimal(6),
                    height_in=Decimal(2))  # fmt: skip


def make_gateway(api_base: str, key: str = API_KEY, **config: object) -> EasyPostGateway:
    settings: dict[str, object] = {"api_base": api_base, "retry": FAST_RETRY, **config}
    return EasyPostGateway(key, GatewayConfig(**settings))  # type: ignore[arg-type]


def purchases(sandbox: SandboxServer, shipment_id: str | None = None) -> list[dict[str, object]]:
    return [
        entry
        for entry in sandbox.ledger()
        if entry.get("event") == "purchase"
        and (shipment_id is None or entry.get("shipment_id") == shipment_id)
    ]


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise KeyringLocked("locked")
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked:
            raise KeyringLocked("locked")
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.store:
            raise PasswordDeleteError("none")
        del self.store[(service, username)]
