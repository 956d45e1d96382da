"""The sender's tax identifiers of this profile (one row per identifier)."""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.tax_ids import FIELDS, SenderTaxIds
from app.store.models import SenderTaxIdRow


class TaxIdRepository:
    """Read and change the sender's IOSS, EU VAT, UK VAT, EORI and Kickstarter IOSS."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self) -> SenderTaxIds:
        rows = self._session.scalars(select(SenderTaxIdRow))
        return SenderTaxIds(**{row.name: row.value for row in rows if row.name in FIELDS})

    def save(self, ids: SenderTaxIds) -> None:
        for name, value in dataclasses.asdict(ids).items():
            row = self._session.get(SenderTaxIdRow, name)
            if not value:
                if row is not None:
                    self._session.delete(row)
            elif row is None:
                self._session.add(SenderTaxIdRow(name=name, value=value))
            else:
                row.value = value
