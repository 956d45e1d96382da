"""Catalog service: SKUs (weights, values, customs data) and package types."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from decimal import Decimal
from fnmatch import fnmatchcase

import pycountry

from app.domain.errors import AppError, ErrorKind
from app.domain.gtin import gtin_problem
from app.domain.hts import hts_problem
from app.domain.items import Item, normalize_hts
from app.domain.packages import PackageType
from app.services.package_types import PackageTypeDraft, PackageTypeService
from app.store import Store


@dataclass(frozen=True, slots=True)
class ItemChanges:
    """What `skus set` changes; None leaves a field as it is."""

    name: str | None = None
    weight_oz: Decimal | None = None
    value_usd: Decimal | None = None
    hts_code: str | None = None
    customs_description: str | None = None
    origin_country: str | None = None
    media_mail_eligible: bool | None = None
    manufacturer_product_id: str | None = None
    barcode: str | None = None


def _invalid(message: str, hint: str, **details: object) -> AppError:
    return AppError(message, hint=hint, kind=ErrorKind.INVALID_INPUT, details=details)


def normalize_origin(value: str) -> str:
    """An ISO-3166 alpha-2 code from a code or an English country name ('' clears it)."""
    text = value.strip()
    if not text:
        return ""
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        raise _invalid(
            f"{value!r} is not a country.",
            "Give the country of origin as a two-letter code such as US, CN or DE.",
            field="origin_country",
        ) from None
    return str(country.alpha_2)


def _hts(value: str) -> str:
    if not value.strip():
        return ""
    try:
        digits = normalize_hts(value)
    except ValueError as error:
        raise _invalid(
            str(error), "Use the 6-10 digit HTS code, e.g. 6109.10.0012.", field="hts_code"
        ) from None
    problem = hts_problem(digits)
    if problem is not None:
        raise _invalid(
            f"{problem}.", "Look the code up at hts.usitc.gov (chapters 01-97).", field="hts_code"
        )
    return digits


def _barcode(value: str) -> str:
    digits = value.replace(" ", "").replace("-", "")
    if not digits:
        return ""
    problem = gtin_problem(digits)
    if problem is not None:
        raise _invalid(
            f"{problem}.", "Copy the EAN/UPC number printed under the barcode.", field="barcode"
        )
    return digits


def _non_negative(value: Decimal, field: str, unit: str) -> Decimal:
    if not value.is_finite() or value < 0:
        raise _invalid(f"{field} must be 0 or more {unit}, not {value}.", "", field=field)
    return value


class CatalogService:
    """Curated item data and package types. Imports add SKUs; only this service edits them."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # -- SKUs ---------------------------------------------------------------------------------

    def list_items(self) -> list[Item]:
        with self._store.transaction() as tx:
            return tx.items.all()

    def items_by_sku(self) -> dict[str, Item]:
        """Every SKU keyed by code (weights and customs lines for a batch)."""
        with self._store.transaction() as tx:
            return tx.items.by_sku()

    def get_item(self, sku: str) -> Item:
        """The stored SKU. Raises AppError (NOT_FOUND, with close matches) when unknown."""
        with self._store.transaction() as tx:
            item = tx.items.get(sku)
            if item is None:
                raise self._unknown_sku(sku, tx.items.known_skus())
            return item

    def update_item(self, sku: str, changes: ItemChanges, *, create: bool = False) -> Item:
        """Apply `changes` to a SKU (creating it when `create`), validated; return it."""
        updates: dict[str, object] = {}
        if changes.name is not None:
            updates["name"] = changes.name.strip()
        if changes.weight_oz is not None:
            updates["weight_oz"] = _non_negative(changes.weight_oz, "weight", "ounces")
        if changes.value_usd is not None:
            updates["value_usd"] = _non_negative(changes.value_usd, "value", "US dollars")
        if changes.hts_code is not None:
            updates["hts_code"] = _hts(changes.hts_code)
        if changes.customs_description is not None:
            updates["customs_description"] = changes.customs_description.strip()
        if changes.origin_country is not None:
            updates["origin_country"] = normalize_origin(changes.origin_country)
        if changes.media_mail_eligible is not None:
            updates["media_mail_eligible"] = changes.media_mail_eligible
        if changes.manufacturer_product_id is not None:
            updates["manufacturer_product_id"] = changes.manufacturer_product_id.strip()[:64]
        if changes.barcode is not None:
            updates["barcode"] = _barcode(changes.barcode)
        sku = sku.strip()
        if not sku:
            raise _invalid("A SKU cannot be empty.", "Give the SKU code, e.g. TSHIRT-M.")
        with self._store.transaction(write=True) as tx:
            item = tx.items.get(sku)
            if item is None:
                if not create:
                    raise self._unknown_sku(sku, tx.items.known_skus())
                item = Item(sku=sku)
            item = replace(item, **updates)  # type: ignore[arg-type]
            tx.items.save(item)
            return item

    def apply_hts(self, pattern: str, hts_code: str, description: str) -> list[Item]:
        """Set HTS code and customs description on every SKU matching the glob `pattern`."""
        code = _hts(hts_code)
        if not code:
            raise _invalid("An HTS code is required.", "Use 6-10 digits, e.g. 6109.10.")
        if not description.strip():
            raise _invalid(
                "A customs description is required.",
                "Say what the item is, e.g. 'Cotton t-shirt'.",
                field="customs_description",
            )
        with self._store.transaction(write=True) as tx:
            matching = [item for item in tx.items.all() if fnmatchcase(item.sku, pattern)]
            if not matching:
                raise AppError(
                    f"No SKU matches {pattern!r}.",
                    hint="Patterns are case-sensitive shell globs, e.g. 'TSHIRT-*'; "
                    "see `packdesk-cli skus list`.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"pattern": pattern},
                )
            changed = [
                replace(item, hts_code=code, customs_description=description.strip())
                for item in matching
            ]
            tx.items.save_many(changed)
            return changed

    @staticmethod
    def _unknown_sku(sku: str, known: set[str]) -> AppError:
        close = difflib.get_close_matches(sku, sorted(known), n=3)
        hint = f"Did you mean {', '.join(close)}? " if close else ""
        return AppError(
            f"Unknown SKU {sku!r}.",
            hint=hint + "Import orders that name it, or add it with `skus set SKU --create`.",
            kind=ErrorKind.NOT_FOUND,
            details={"sku": sku},
        )

    # -- package types ------------------------------------------------------------------------

    def list_package_types(self) -> list[PackageType]:
        with self._store.transaction() as tx:
            return tx.package_types.all()

    def get_package_type(self, name: str) -> PackageType:
        """The package type called `name`; AppError NOT_FOUND (naming the known ones) if none."""
        with self._store.transaction() as tx:
            found = tx.package_types.get(name)
            if found is None:
                known = [pt.name for pt in tx.package_types.all()]
                raise AppError(
                    f"No package type called {name!r}.",
                    hint=f"Known: {', '.join(known)}." if known else "None are defined yet.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"name": name},
                )
            return found

    def add_package_type(
        self,
        name: str,
        *,
        predefined: str | None = None,
        dimensions: tuple[Decimal, Decimal, Decimal] | None = None,
        empty_weight_oz: Decimal = Decimal(0),
        machinable: bool = True,
        irregular: bool = False,
    ) -> PackageType:
        """Add a package type: a USPS predefined package or custom L x W x H inches.

        The rules (USPS limits, unique names) are PackageTypeService's.
        """
        draft = PackageTypeDraft(
            name,
            predefined=predefined,
            dimensions=dimensions,
            empty_weight_oz=empty_weight_oz,
            machinable=machinable,
            irregular=irregular,
        )
        return PackageTypeService(self._store).add(draft).package_type

    def remove_package_type(self, name: str) -> None:
        """Remove a package type no package group uses (PackageTypeService.remove)."""
        PackageTypeService(self._store).remove(name)
