"""Cached address verifications, keyed by a hash of the address (re-runs do not re-verify)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from app.store.dialects import upsert_insert
from app.store.models_fulfilment import AddressVerificationRow

_table = cast(Table, AddressVerificationRow.__table__)


@dataclass(frozen=True, slots=True)
class AddressCheck:
    """The outcome of verifying one address."""

    address_hash: str
    verified: bool
    message: str
    verified_at: datetime
    easypost_id: str | None = None


class AddressCheckRepository:
    """Address verifications inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, address_hash: str) -> AddressCheck | None:
        row = self._session.get(AddressVerificationRow, address_hash)
        if row is None:
            return None
        return AddressCheck(
            address_hash=row.address_hash,
            verified=row.verified,
            message=row.message,
            verified_at=row.verified_at,
            easypost_id=row.easypost_id,
        )

    def put(self, check: AddressCheck) -> None:
        """Store `check` (replacing an older one) in one statement: an upsert, so two desks
        caching one address at once never collide and need no writer lock."""
        values = {
            "address_hash": check.address_hash,
            "verified": check.verified,
            "message": check.message,
            "verified_at": check.verified_at,
            "easypost_id": check.easypost_id,
        }
        statement = upsert_insert(self._session.connection(), _table).values(values)
        changes = {name: value for name, value in values.items() if name != "address_hash"}
        self._session.execute(
            statement.on_conflict_do_update(index_elements=["address_hash"], set_=changes)
        )
