"""SKUs: read, add the ones an import names, and save curated changes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain.items import Item
from app.store.models import ItemRow


def _to_item(row: ItemRow) -> Item:
    return Item(
        sku=row.sku,
        name=row.name,
        weight_oz=row.weight_oz,
        value_usd=row.value_usd,
        hts_code=row.hts_code,
        customs_description=row.customs_description,
        origin_country=row.origin_country,
        media_mail_eligible=row.media_mail_eligible,
        manufacturer_product_id=row.manufacturer_product_id,
        barcode=row.barcode,
    )


def _values(item: Item) -> dict[str, object]:
    return {
        "sku": item.sku,
        "name": item.name,
        "weight_oz": item.weight_oz,
        "value_usd": item.value_usd,
        "hts_code": item.hts_code,
        "customs_description": item.customs_description,
        "origin_country": item.origin_country,
        "media_mail_eligible": item.media_mail_eligible,
        "manufacturer_product_id": item.manufacturer_product_id,
        "barcode": item.barcode,
    }


class ItemRepository:
    """The SKU catalogue inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self) -> list[Item]:
        """Every SKU, by code."""
        rows = self._session.scalars(select(ItemRow).order_by(ItemRow.sku))
        return [_to_item(row) for row in rows]

    def get(self, sku: str) -> Item | None:
        row = self._session.scalar(select(ItemRow).where(ItemRow.sku == sku))
        return None if row is None else _to_item(row)

    def by_sku(self) -> dict[str, Item]:
        """Every SKU keyed by code (catalogues are small: hundreds, not millions)."""
        return {item.sku: item for item in self.all()}

    def known_skus(self) -> set[str]:
        return set(self._session.scalars(select(ItemRow.sku)))

    def insert_many(self, items: Sequence[Item]) -> None:
        """Add SKUs that are not stored yet (one executemany)."""
        if items:
            self._session.execute(insert(ItemRow), [_values(item) for item in items])

    def save(self, item: Item) -> None:
        """Insert `item`, or overwrite the stored SKU of the same code with it."""
        row = self._session.scalar(select(ItemRow).where(ItemRow.sku == item.sku))
        if row is None:
            self._session.add(ItemRow(**_values(item)))
        else:
            for key, value in _values(item).items():
                setattr(row, key, value)
        self._session.flush()

    def save_many(self, items: Iterable[Item]) -> None:
        for item in items:
            self.save(item)
