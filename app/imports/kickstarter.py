"""Kickstarter backer reports, every generation (2013 to the 2025 add-on columns).

One row per backer. Generations differ by name only, so columns are found by header:
`Backer Number` (2014+) or `Backer Id` (2013) is the order id; the survey block (`Survey Response`,
`Shipping Name`, `Shipping Address 1/2`, `Shipping City/State/Postal Code`, `Shipping Country Name`
/`Shipping Country Code` or, in 2013, a country name in `Shipping Country`, `Shipping Phone
Number`, `Shipping Delivery Notes`) is the address.

Items: unknown columns before the survey block (2023: between `Notes` and `Survey Response`) are
per-item quantity columns if any of their cells holds a whole number (custom survey questions
never do), and `[Addon: <id>] <name>` columns anywhere are add-ons; both map names to SKUs with
`app.imports.sku`. A file without item columns falls back to one line per reward: its `Reward
Title`, else `REWARD-<Reward ID>`, else the pledge level (`REWARD-<amount>-<currency>`, 2013).

Only `collected` pledges ship; other statuses (errored, dropped, canceled) and backers with
nothing to ship are listed as skipped. A collected backer without a survey answer has no address
yet and is rejected with that reason.
"""

from __future__ import annotations

from dataclasses import replace

from app.domain.errors import AppError
from app.domain.orders import Address, SourcePlatform
from app.imports.collect import AddressColumns, Collector, RawAddress, build_address, check_width
from app.imports.model import ParsedOrders, RowError
from app.imports.normalize import parse_money, parse_quantity
from app.imports.sku import addon_name, sku_from_name
from app.imports.table import Table

PRESET = "kickstarter"

#: Header names (casefolded) Kickstarter itself writes; anything else is an item or a question.
KNOWN_COLUMNS = frozenset(
    {
        "backer number",
        "backer id",
        "backer uid",
        "backer name",
        "email",
        "shipping",
        "shipping country",
        "shipping amount",
        "reward title",
        "reward minimum",
        "backing minimum",
        "reward id",
        "bonus support",
        "pledge amount",
        "pledged at",
        "rewards sent?",
        "reward sent?",
        "fulfillment status",
        "pledged status",
        "notes",
        "billing state/province",
        "billing country",
        "late pledge",
        "survey response",
        "shipping name",
        "shipping address 1",
        "shipping address 2",
        "shipping city",
        "shipping state",
        "shipping postal code",
        "shipping country name",
        "shipping country code",
        "shipping phone number",
        "shipping delivery notes",
    }
)
_SURVEY_START = ("survey response", "shipping name", "shipping address 1")
_ADDRESS_PARTS = ("shipping address 1", "shipping city", "shipping postal code")


def matches(keys: frozenset[str]) -> bool:
    """True when a header looks like a Kickstarter backer report."""
    return ("backer number" in keys or "backer id" in keys) and "pledged status" in keys


def read_kickstarter(table: Table) -> ParsedOrders:
    """Read a Kickstarter backer report table into orders, rejected and skipped rows."""
    return _KickstarterReader(table).read()


class _KickstarterReader:
    """One pass over a backer report. Column positions are resolved once, up front.

    Rows are padded by one empty cell, and a column the file lacks points at that cell, so the
    per-row code reads every column the same way (no None checks on 100,000 rows).
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.index = table.index()
        self.width = len(table.header)
        col_id = self.index.get("backer number", self.index.get("backer id"))
        if col_id is None:
            raise AppError(
                f"{table.path.name} is not a Kickstarter backer report: "
                "it has no 'Backer Number' (or 'Backer Id') column",
                hint="Download the backer report from the Kickstarter project dashboard, or "
                "choose the preset that matches this file.",
                details={"file": str(table.path), "header": list(table.header)},
            )
        self.col_id = col_id
        col = self._column
        self.col_status, self.col_survey = col("pledged status"), col("survey response")
        self.col_name, self.col_backer = col("shipping name"), col("backer name")
        self.col_street1, self.col_street2 = col("shipping address 1"), col("shipping address 2")
        self.col_city, self.col_state = col("shipping city"), col("shipping state")
        self.col_postal = col("shipping postal code")
        self.col_country = col("shipping country code", "shipping country name", "shipping country")
        self.col_country_alt = col("shipping country name", "shipping country")
        self.col_phone, self.col_email = col("shipping phone number"), col("email")
        self.col_notes, self.col_delivery = col("notes"), col("shipping delivery notes")
        self.col_reward, self.col_pledge = col("reward title"), col("pledge amount")
        self.col_reward_id = col("reward id")
        self.col_minimum = col("reward minimum", "backing minimum")
        self.has_status = "pledged status" in self.index
        self.has_survey = "survey response" in self.index
        self.has_address = any(part in self.index for part in _ADDRESS_PARTS)
        header = (*table.header, "")
        self.address_columns = AddressColumns(
            name=header[self.col_name],
            street1=header[self.col_street1],
            street2=header[self.col_street2],
            city=header[self.col_city],
            state=header[self.col_state],
            postal_code=header[self.col_postal],
            country=header[self.col_country],
        )
        # When the code cell is empty the country comes from the name column: name that one.
        self.alt_columns = replace(self.address_columns, country=header[self.col_country_alt])
        self.item_columns = self._item_columns()
        self.out = Collector(table, PRESET, SourcePlatform.KICKSTARTER)
        self.seen: dict[str, int] = {}

    def _column(self, *names: str) -> int:
        """The first of `names` the header has, else the padding cell (always empty)."""
        for name in names:
            position = self.index.get(name)
            if position is not None:
                return position
        return self.width

    def _item_columns(self) -> list[tuple[int, str, str]]:
        """(column index, SKU, display name) for each item and add-on quantity column."""
        survey_positions = [self.index[n] for n in _SURVEY_START if n in self.index]
        survey_start = min(survey_positions) if survey_positions else len(self.table.header)
        columns: list[tuple[int, str, str]] = []
        for position, (header, key) in enumerate(
            zip(self.table.header, self.table.keys, strict=True)
        ):
            if not header or key in KNOWN_COLUMNS:
                continue
            name = addon_name(header)
            if name is None:
                if position > survey_start or not self._holds_quantities(position):
                    continue
                name = header
            columns.append((position, sku_from_name(name), name))
        return columns

    def _holds_quantities(self, position: int) -> bool:
        """True when some cell of the column is a whole number (a custom question's never is)."""
        for _row, cells in self.table.rows:
            value = cells[position].strip() if position < len(cells) else ""
            if value:
                try:
                    parse_quantity(value)
                except ValueError:
                    continue
                return True
        return False

    def read(self) -> ParsedOrders:
        for _position, sku, name in self.item_columns:
            self.out.note_item(sku, name)
        padded_width = self.width + 1
        for row, raw_cells in self.table.rows:
            cells = raw_cells + [""] * (padded_width - len(raw_cells))
            self._read_row(row, raw_cells, cells)
        return self.out.result()

    def _read_row(self, row: int, raw_cells: list[str], cells: list[str]) -> None:
        header = self.table.header
        errors: list[RowError] = []
        check_width(row, raw_cells, self.width, errors)
        external_id = cells[self.col_id].strip()
        if not external_id:
            errors.append(RowError(row, header[self.col_id], "backer number is missing"))
        elif external_id in self.seen:
            first = self.seen[external_id]
            message = f"backer {external_id} also appears on row {first}"
            errors.append(RowError(row, header[self.col_id], message))
        else:
            self.seen[external_id] = row
        if self.has_status and not errors:
            status = cells[self.col_status].strip().casefold()
            if status != "collected":
                reason = f"pledge status is {status or 'empty'!r}: only collected pledges ship"
                gone = external_id if status else ""  # a blank status says nothing
                self.out.skip(row, header[self.col_status], reason, cancelled_order=gone)
                return
        lines = self._lines(row, cells, errors)
        if not lines and not errors:
            self.out.skip(row, "", "nothing to ship: no reward items on this pledge")
            return
        recipient = self._recipient(row, cells, errors)
        if errors or recipient is None:
            self.out.reject(row, raw_cells, errors)
            return
        notes = cells[self.col_notes].strip()
        delivery = cells[self.col_delivery].strip()
        if delivery:
            notes = f"{notes} / {delivery}" if notes else delivery
        extra: dict[str, str] = {}
        if cells[self.col_pledge]:
            extra["pledge_amount"] = cells[self.col_pledge].strip()
        if cells[self.col_reward]:
            extra["reward"] = cells[self.col_reward].strip()
        self.out.add_order(row, external_id, recipient, lines, notes=notes, extra=extra)

    def _lines(self, row: int, cells: list[str], errors: list[RowError]) -> dict[str, int]:
        """SKU -> quantity from the item and add-on columns (or the reward, without them)."""
        lines: dict[str, int] = {}
        for position, sku, _display in self.item_columns:
            value = cells[position]
            if not value or value == "0":
                continue
            try:
                quantity = parse_quantity(value)
            except ValueError as exc:
                errors.append(RowError(row, self.table.header[position], str(exc)))
                continue
            if quantity:
                lines[sku] = lines.get(sku, 0) + quantity
        if not self.item_columns:
            reward = self._reward_line(cells)
            if reward is not None:
                self.out.note_item(reward[0], reward[1])
                lines[reward[0]] = 1
        return lines

    def _recipient(self, row: int, cells: list[str], errors: list[RowError]) -> Address | None:
        """The survey's shipping address, validated; None (with errors) when there is none."""
        if not self.has_address:
            errors.append(RowError(row, "", _NO_ADDRESS_COLUMNS))
            return None
        if self.has_survey and not cells[self.col_survey].strip():
            errors.append(RowError(row, self.table.header[self.col_survey], _SURVEY_NOT_ANSWERED))
            return None
        country = cells[self.col_country].strip()
        columns = self.address_columns
        if not country:
            country, columns = cells[self.col_country_alt].strip(), self.alt_columns
        raw = RawAddress(
            name=cells[self.col_name].strip() or cells[self.col_backer].strip(),
            street1=cells[self.col_street1],
            street2=cells[self.col_street2],
            city=cells[self.col_city].strip(),
            state=cells[self.col_state].strip(),
            postal_code=cells[self.col_postal].strip(),
            country=country,
            phone=cells[self.col_phone].strip(),
            email=cells[self.col_email].strip(),
        )
        return build_address(raw, row, columns, errors, self.out.warnings)

    def _reward_line(self, cells: list[str]) -> tuple[str, str] | None:
        """(SKU, name) of the reward itself, for reports without item columns."""
        if self.col_reward < self.width:
            title = cells[self.col_reward].strip()
            if title and title.casefold() != "no reward":
                return sku_from_name(title), title
            if not title and self.col_reward_id == self.width:
                return None
        if self.col_reward_id < self.width:
            reward_id = cells[self.col_reward_id].strip()
            return (f"REWARD-{reward_id}", f"Reward {reward_id}") if reward_id else None
        for position in (self.col_minimum, self.col_pledge):
            if position == self.width:
                continue
            money = parse_money(cells[position])
            if money is not None and money[0] > 0:
                amount = money[0].normalize()
                label = f"{amount:f}-{money[1]}" if money[1] else f"{amount:f}"
                return f"REWARD-{label}", f"Reward {cells[position].strip()}"
            return None
        return None


_NO_ADDRESS_COLUMNS = (
    "the file has no shipping address columns; export the backer report after the survey "
    "has been answered"
)
_SURVEY_NOT_ANSWERED = "the backer has not answered the survey: there is no shipping address yet"
