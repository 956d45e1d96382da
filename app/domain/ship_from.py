"""Ship-from (return) addresses: the sender on every label, one of them the default."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.orders import Address


@dataclass(frozen=True, slots=True)
class ShipFromAddress:
    """A named sender address ("Warehouse", "Studio")."""

    label: str
    address: Address
    is_default: bool = False
    id: int | None = None
