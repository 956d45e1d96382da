"""Ship-from service: the sender addresses labels are bought from."""

from __future__ import annotations

import re

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.domain.ship_from import ShipFromAddress
from app.store import Store

_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ShipFromService:
    """Named sender addresses; the default one goes on labels unless a batch says otherwise."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def list_addresses(self) -> list[ShipFromAddress]:
        with self._store.transaction() as tx:
            return tx.ship_from.all()

    def default(self) -> ShipFromAddress | None:
        """The default sender, or None before one is set up."""
        with self._store.transaction() as tx:
            return tx.ship_from.default()

    def add(self, label: str, address: Address, *, make_default: bool = False) -> ShipFromAddress:
        """Add a sender address; the first one becomes the default."""
        label = label.strip()
        missing = [
            field
            for field, value in (
                ("label", label),
                ("name", address.name),
                ("street1", address.street1),
                ("city", address.city),
                ("postal_code", address.postal_code),
            )
            if not value.strip()
        ]
        if missing:
            raise AppError(
                f"A ship-from address needs {', '.join(missing)}.",
                hint="Give the sender's name, street, city and postal code.",
                details={"missing": missing},
            )
        if not _COUNTRY.match(address.country):
            raise AppError(
                f"{address.country!r} is not a two-letter country code.",
                hint="Use ISO-3166 alpha-2, e.g. US.",
                details={"country": address.country},
            )
        with self._store.transaction(write=True) as tx:
            if tx.ship_from.get(label) is not None:
                raise AppError(
                    f"A ship-from address called {label!r} exists already.",
                    hint="Choose another label.",
                    kind=ErrorKind.CONFLICT,
                    details={"label": label},
                )
            first = tx.ship_from.default() is None
            return tx.ship_from.add(
                ShipFromAddress(label, address, is_default=make_default or first)
            )

    def set_default(self, label: str) -> None:
        with self._store.transaction(write=True) as tx:
            if not tx.ship_from.set_default(label):
                raise AppError(
                    f"No ship-from address called {label!r}.",
                    hint="See `packdesk-cli ship-from list`.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"label": label},
                )
