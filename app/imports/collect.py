"""What every preset shares: address validation and the collector that builds ParsedOrders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.items import Item
from app.domain.limits import MAX_ADDRESS_FIELD_CHARS, MAX_ITEM_VALUE_USD
from app.domain.orders import Address, Order, OrderLine, SourcePlatform
from app.domain.us_zip import states_for_zip
from app.imports.model import ParsedOrders, RowError
from app.imports.normalize import (
    NO_POSTAL_CODE_COUNTRIES,
    country_code,
    normalize_postal_code,
    province_code,
    us_state_code,
)
from app.imports.table import Table


@dataclass(frozen=True, slots=True)
class AddressColumns:
    """The file column each address field came from, for naming it in a RowError."""

    name: str = "name"
    company: str = "company"
    street1: str = "street1"
    street2: str = "street2"
    city: str = "city"
    state: str = "state"
    postal_code: str = "postal_code"
    country: str = "country"


@dataclass(slots=True)
class RawAddress:
    """Address cells as read (already trimmed), before validation."""

    name: str
    street1: str
    street2: str
    city: str
    state: str
    postal_code: str
    country: str
    company: str = ""
    phone: str = ""
    email: str = ""


def _clean(text: str) -> str:
    # Fast path: most cells are already clean; split/join only when there is something to fix.
    if "  " in text or "\n" in text or "\r" in text or "\t" in text or text != text.strip():
        return " ".join(text.split())
    return text


def _too_long(raw: RawAddress, row: int, columns: AddressColumns, errors: list[RowError]) -> bool:
    """Report every address field longer than a label could ever print (and never echo it)."""
    limit = MAX_ADDRESS_FIELD_CHARS
    if not (
        len(raw.name) > limit
        or len(raw.street1) > limit
        or len(raw.city) > limit
        or len(raw.street2) > limit
        or len(raw.company) > limit
        or len(raw.state) > limit
        or len(raw.postal_code) > limit
    ):
        return False  # the common case, a few comparisons per row
    found = False
    for field in ("name", "company", "street1", "street2", "city", "state", "postal_code"):
        text: str = getattr(raw, field)
        if len(text) > MAX_ADDRESS_FIELD_CHARS:
            found = True
            errors.append(
                RowError(
                    row,
                    getattr(columns, field),
                    f"{field.replace('_', ' ')} is {len(text):,} characters long; an address "
                    f"field holds at most {MAX_ADDRESS_FIELD_CHARS}",
                )
            )
    return found


def build_address(
    raw: RawAddress,
    row: int,
    columns: AddressColumns,
    errors: list[RowError],
    warnings: list[RowError],
) -> Address | None:
    """Normalise and validate one recipient address; append what is wrong to `errors`.

    Returns None when the address has an error. Required: name, street1, city, country, a
    postal code (unless the country has none), and for US addresses a state that exists and
    matches the ZIP.
    """
    before = len(errors)
    if _too_long(raw, row, columns, errors):
        return None
    street1, street2 = raw.street1, raw.street2
    if "\r" in street1:
        street1 = street1.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in street1.strip() and not street2.strip():
        # A multi-line quoted address cell: first line is street1, the rest street2.
        street1, _, street2 = street1.partition("\n")
    street1, street2 = _clean(street1), _clean(street2)
    if not street1 and street2:
        street1, street2 = street2, ""
    name, city = _clean(raw.name), _clean(raw.city)
    if not name:
        errors.append(RowError(row, columns.name, "recipient name is missing"))
    if not street1:
        errors.append(RowError(row, columns.street1, "street address is missing"))
    if not city:
        errors.append(RowError(row, columns.city, "city is missing"))
    country_text = raw.country.strip()
    country = country_code(country_text) if country_text else None
    if not country_text:
        errors.append(RowError(row, columns.country, "country is missing"))
    elif country is None:
        errors.append(
            RowError(row, columns.country, f"unknown country {country_text!r} (use a name or code)")
        )
    postal = ""
    state = _clean(raw.state)
    if country is not None:
        result = normalize_postal_code(raw.postal_code, country)
        postal = result.value
        if result.error:
            errors.append(RowError(row, columns.postal_code, result.error))
        elif result.note:
            warnings.append(RowError(row, columns.postal_code, result.note))
        elif not postal and country not in NO_POSTAL_CODE_COUNTRIES:
            errors.append(RowError(row, columns.postal_code, "postal code is missing"))
        if country == "US":
            # An invalid ZIP is already reported: checking the state against it would only add
            # a second, bogus "state does not match ZIP" error.
            state = _us_state(state, "" if result.error else postal, row, columns, errors)
        elif state:
            state = province_code(state, country)
    if len(errors) > before or country is None:
        return None
    return Address(
        name=name,
        street1=street1,
        street2=street2,
        city=city,
        state=state,
        postal_code=postal,
        country=country,
        company=_clean(raw.company),
        phone=raw.phone.strip(),
        email=raw.email.strip(),
    )


def _us_state(
    state_text: str, postal: str, row: int, columns: AddressColumns, errors: list[RowError]
) -> str:
    if not state_text:
        errors.append(RowError(row, columns.state, "state is missing (required for US addresses)"))
        return ""
    state = us_state_code(state_text)
    if state is None:
        errors.append(RowError(row, columns.state, f"unknown US state {state_text!r}"))
        return state_text
    if postal:
        expected = states_for_zip(postal)
        if expected and state not in expected:
            errors.append(
                RowError(
                    row,
                    columns.state,
                    f"state {state} does not match ZIP {postal} "
                    f"(that ZIP is in {'/'.join(sorted(expected))})",
                )
            )
    return state


class Collector:
    """Accumulates one file's orders, rejected rows, skipped rows, warnings and items."""

    def __init__(self, table: Table, preset: str, source: SourcePlatform) -> None:
        self.table = table
        self.preset = preset
        self.source = source
        self.orders: list[Order] = []
        self.order_rows: dict[str, int] = {}
        self.order_row_counts: dict[str, int] = {}
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = list(table.warnings)
        self.skipped: list[RowError] = []
        self.cancelled_at_source: dict[str, RowError] = {}
        self.rejected_rows: dict[int, tuple[str, ...]] = {}
        self._items: dict[str, Item] = {}

    def note_item(
        self,
        sku: str,
        name: str,
        value_usd: Decimal | None = None,
        weight_oz: Decimal | None = None,
        row: int = 0,
    ) -> None:
        """Remember a SKU's display name (unit value, weight) the first time the file names it.

        A value past MAX_ITEM_VALUE_USD (or not a finite, non-negative number) is left unknown,
        with a warning naming `row`: customs forms must not declare $1e35.
        """
        if sku in self._items:
            return
        if value_usd is not None and not (
            value_usd.is_finite() and 0 <= value_usd <= MAX_ITEM_VALUE_USD
        ):
            self.warnings.append(
                RowError(
                    row,
                    "",
                    f"the unit value of {sku} is not a price from 0 to "
                    f"{MAX_ITEM_VALUE_USD:,} USD; it was left unset (set it with `skus set`)",
                )
            )
            value_usd = None
        self._items[sku] = Item(
            sku=sku,
            name=name or sku,
            value_usd=value_usd or Decimal(0),
            weight_oz=weight_oz or Decimal(0),
        )

    def reject(self, row: int, cells: list[str], errors: list[RowError]) -> None:
        """Record a rejected row with its problems and its original cells."""
        self.errors.extend(errors)
        self.rejected_rows[row] = tuple(cells)

    def skip(self, row: int, column: str, reason: str, *, cancelled_order: str = "") -> None:
        """Record a row that is deliberately not imported (also told as a warning).

        `cancelled_order` is the external id when the source cancelled, refunded or dropped it.
        """
        entry = RowError(row, column, reason)
        self.skipped.append(entry)
        self.warnings.append(entry)
        if cancelled_order:
            self.cancelled_at_source.setdefault(cancelled_order, entry)

    def add_order(
        self,
        row: int,
        external_id: str,
        recipient: Address,
        lines: dict[str, int],
        notes: str = "",
        extra: dict[str, str] | None = None,
        rows: int = 1,
    ) -> None:
        """Add a validated order (its lines as SKU -> quantity, zero quantities dropped)."""
        order = Order(
            source=self.source,
            external_id=external_id,
            recipient=recipient,
            lines=tuple(OrderLine(sku, qty) for sku, qty in lines.items() if qty > 0),
            notes=notes,
            extra=extra or {},
        )
        self.orders.append(order)
        self.order_rows[external_id] = row
        if rows > 1:
            self.order_row_counts[external_id] = rows

    def result(self) -> ParsedOrders:
        """The finished ParsedOrders; items are limited to SKUs some imported order holds."""
        used: set[str] = set()
        for order in self.orders:
            for line in order.lines:
                used.add(line.sku)
        items = tuple(self._items.get(sku) or Item(sku=sku, name=sku) for sku in sorted(used))
        return ParsedOrders(
            path=self.table.path,
            preset=self.preset,
            orders=tuple(self.orders),
            items=items,
            errors=tuple(self.errors),
            warnings=tuple(self.warnings),
            rows_read=len(self.table.rows),
            order_rows=self.order_rows,
            skipped=tuple(self.skipped),
            cancelled_at_source=dict(self.cancelled_at_source),
            header=self.table.header,
            rejected_rows=self.rejected_rows,
            order_row_counts=self.order_row_counts,
        )


def check_width(row: int, cells: list[str], width: int, errors: list[RowError]) -> None:
    """Report a row with more non-empty cells than the header has columns (a stray quote/comma)."""
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        errors.append(
            RowError(
                row,
                "",
                f"row has {len(cells)} cells but the header has {width} columns "
                "(a misplaced quote or comma?)",
            )
        )
