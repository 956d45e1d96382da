"""Ship-from service: the sender addresses labels are bought from."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.domain.ship_from import ShipFromAddress
from app.postage.models import VerifiedAddress
from app.services.audit import AuditAction, AuditLog
from app.store import Store, StoreTransaction

_COUNTRY = re.compile(r"^[A-Z]{2}$")
#: The address fields EasyPost may correct, in the order a form shows them.
ADDRESS_FIELDS = (
    "name",
    "company",
    "street1",
    "street2",
    "city",
    "state",
    "postal_code",
    "country",
)

Verify = Callable[[Address], VerifiedAddress]


@dataclass(frozen=True, slots=True)
class AddressCheck:
    """What EasyPost made of a typed address: its suggestion beside what was typed."""

    typed: Address
    suggested: Address | None  # None when EasyPost could not verify it at all
    verified: bool
    differences: tuple[tuple[str, str, str], ...] = ()  # (field, typed, suggested)
    problems: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        """True when the address verified and EasyPost changed nothing that matters."""
        return self.verified and not self.differences


def _comparable(value: str) -> str:
    return " ".join(value.upper().replace(".", "").replace(",", "").split())


def compare_addresses(typed: Address, suggested: Address) -> tuple[tuple[str, str, str], ...]:
    """The fields whose suggestion differs from what was typed (case and dots ignored)."""
    out = []
    for name in ADDRESS_FIELDS:
        before, after = getattr(typed, name), getattr(suggested, name)
        if after and _comparable(before) != _comparable(after):
            # ZIP+4 added to a 5-digit ZIP is not a correction anyone needs to approve.
            if name == "postal_code" and after.startswith(before) and len(before) == 5:
                continue
            out.append((name, before, after))
    return tuple(out)


class ShipFromService:
    """Named sender addresses; the default one goes on labels unless a batch says otherwise."""

    def __init__(
        self, store: Store, *, verify: Verify | None = None, audit: AuditLog | None = None
    ) -> None:
        self._store = store
        self._verify = verify
        self._audit = audit

    def list_addresses(self) -> list[ShipFromAddress]:
        with self._store.transaction() as tx:
            return tx.ship_from.all()

    def default(self) -> ShipFromAddress | None:
        """The default sender, or None before one is set up."""
        with self._store.transaction() as tx:
            return tx.ship_from.default()

    def add(
        self,
        label: str,
        address: Address,
        *,
        make_default: bool = False,
        as_entered: AddressCheck | None = None,
    ) -> ShipFromAddress:
        """Add a sender address; the first one becomes the default.

        `as_entered`: the check the user overrode ("Use as entered"); the warning is recorded
        in the audit log with the fields EasyPost disagreed on.
        """
        label = label.strip()
        _check_address(label, address)
        with self._store.transaction(write=True) as tx:
            if tx.ship_from.get(label) is not None:
                raise AppError(
                    f"A ship-from address called {label!r} exists already.",
                    hint="Choose another label.",
                    kind=ErrorKind.CONFLICT,
                    details={"label": label},
                )
            first = tx.ship_from.default() is None
            added = tx.ship_from.add(
                ShipFromAddress(label, address, is_default=make_default or first)
            )
            self._record_as_entered(tx, label, as_entered)
            return added

    def update(
        self,
        label: str,
        address: Address,
        *,
        new_label: str | None = None,
        as_entered: AddressCheck | None = None,
    ) -> ShipFromAddress:
        """Change a sender address (and its label); the default stays the default."""
        renamed = (new_label if new_label is not None else label).strip()
        _check_address(renamed, address)
        with self._store.transaction(write=True) as tx:
            if renamed != label and tx.ship_from.get(renamed) is not None:
                raise AppError(
                    f"A ship-from address called {renamed!r} exists already.",
                    hint="Choose another label.",
                    kind=ErrorKind.CONFLICT,
                    details={"label": renamed},
                )
            changed = tx.ship_from.update(label, ShipFromAddress(renamed, address))
            if changed is None:
                raise AppError(
                    f"No ship-from address called {label!r}.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"label": label},
                )
            self._record_as_entered(tx, renamed, as_entered)
            return changed

    def verify(self, address: Address) -> AddressCheck:
        """Ask EasyPost about `address` (network: call it on a worker)."""
        if self._verify is None:
            raise AppError(
                "Address verification is not available here.",
                kind=ErrorKind.INTERNAL,
            )
        result = self._verify(address)
        problems = tuple(f"{e.field}: {e.message}" if e.field else e.message for e in result.errors)
        if not result.verified:
            return AddressCheck(address, None, False, (), problems or ("Address not found",))
        # Keep what EasyPost does not return (phone, email), and the typed name's spelling
        # when only its case changed.
        suggested = dataclasses.replace(
            result.address,
            phone=address.phone,
            email=address.email,
            name=address.name
            if _comparable(address.name) == _comparable(result.address.name)
            else result.address.name,
            company=address.company
            if _comparable(address.company) == _comparable(result.address.company)
            else result.address.company,
        )
        return AddressCheck(address, suggested, True, compare_addresses(address, suggested))

    def _record_as_entered(
        self, tx: StoreTransaction, label: str, check: AddressCheck | None
    ) -> None:
        if check is None or check.agrees or self._audit is None:
            return
        self._audit.record_in(
            tx,
            AuditAction.SHIP_FROM_AS_ENTERED,
            details={
                "label": label,
                "verified": check.verified,
                "fields_disagreeing": [field for field, _, _ in check.differences],
                "problems": list(check.problems),
            },
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


def _check_address(label: str, address: Address) -> None:
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
