"""The sender's tax identifiers: show and change them (CLI `tax-ids`, GUI alike)."""

from __future__ import annotations

import dataclasses

from app.domain.errors import AppError, ErrorKind
from app.domain.tax_ids import FIELDS, SenderTaxIds, label, normalize_tax_id
from app.store import Store


class TaxIdsService:
    """IOSS, EU VAT, UK VAT, EORI and a Kickstarter campaign's IOSS, kept in the profile."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def get(self) -> SenderTaxIds:
        with self._store.transaction() as tx:
            return tx.tax_ids.get()

    def set(self, **changes: str | None) -> SenderTaxIds:
        """Change the named identifiers ('' clears one; None leaves it as it is).

        Raises:
            AppError: INVALID_INPUT naming the identifier and its expected form.
        """
        clean: dict[str, str] = {}
        for field, value in changes.items():
            if value is None:
                continue
            if field not in FIELDS:
                raise AppError(
                    f"Unknown tax identifier {field!r}.",
                    hint=f"Known: {', '.join(FIELDS)}.",
                    kind=ErrorKind.INVALID_INPUT,
                )
            try:
                clean[field] = normalize_tax_id(field, value)
            except ValueError as error:
                raise AppError(
                    f"The {label(field)} is not valid: {error}.",
                    hint="Copy it from your registration letter; spaces and dots are fine.",
                    kind=ErrorKind.INVALID_INPUT,
                    details={"field": field},
                ) from error
        with self._store.transaction(write=True) as tx:
            updated = dataclasses.replace(tx.tax_ids.get(), **clean)
            tx.tax_ids.save(updated)
        return updated
