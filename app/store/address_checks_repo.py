"""Cached address verifications, keyed by a hash of the address (re-runs do not re-verify)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.store.models_fulfilment import AddressVerificationRow


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
        self._session.merge(
            AddressVerificationRow(
                address_hash=check.address_hash,
                verified=check.verified,
                message=check.message,
                verified_at=check.verified_at,
                easypost_id=check.easypost_id,
            )
        )
