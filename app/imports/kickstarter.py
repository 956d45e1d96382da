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
from app.domain.orders import SourcePlatform
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
    def __init__(self, table: Table) -> None:
        self.table = table
        self.index = table.index()
        self.col_id = self._first("backer number", "backer id")
        if self.col_id is None:
            raise AppError(
                f"{table.path.name} is not a Kickstarter backer report: "
                "it has no 'Backer Number' (or 'Backer Id') column",
                hint="Download the backer report from the Kickstarter project dashboard, or "
                "choose the preset that matches this file.",
                details={"file": str(table.path), "header": list(table.header)},
            )

    def _first(self, *names: str) -> int | None:
        for name in names:
            position = self.index.get(name)
            if position is not None:
                return position
        return None

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
        for _row, cells in self.table.rows:
            if position < len(cells):
                value = cells[position].strip()
                if value:
                    try:
                        parse_quantity(value)
                    except ValueError:
                        continue
                    return True
        return False

    def read(self) -> ParsedOrders:
        table = self.table
        header = table.header
        width = len(header)
        out = Collector(table, PRESET, SourcePlatform.KICKSTARTER)
        col_id = self.col_id
        assert col_id is not None
        col_status = self._first("pledged status")
        col_survey = self._first("survey response")
        has_address = any(part in self.index for part in _ADDRESS_PARTS)
        get = self._first
        col_name, col_backer = get("shipping name"), get("backer name")
        col_street1, col_street2 = get("shipping address 1"), get("shipping address 2")
        col_city, col_state = get("shipping city"), get("shipping state")
        col_postal = get("shipping postal code")
        col_country = get("shipping country code", "shipping country name", "shipping country")
        col_country_alt = get("shipping country name", "shipping country")
        col_phone, col_email = get("shipping phone number"), get("email")
        col_notes, col_delivery = get("notes"), get("shipping delivery notes")
        col_reward, col_pledge = get("reward title"), get("pledge amount")
        col_reward_id = get("reward id")
        col_minimum = get("reward minimum", "backing minimum")
        address_columns = AddressColumns(
            name=_name(header, col_name),
            street1=_name(header, col_street1),
            street2=_name(header, col_street2),
            city=_name(header, col_city),
            state=_name(header, col_state),
            postal_code=_name(header, col_postal),
            country=_name(header, col_country),
        )
        # When the code cell is empty the country comes from the name column: name that one.
        alt_columns = replace(address_columns, country=_name(header, col_country_alt))
        item_columns = self._item_columns()
        for _position, sku, name in item_columns:
            out.note_item(sku, name)
        id_name = header[col_id]
        seen: dict[str, int] = {}

        def cell(cells: list[str], position: int | None) -> str:
            return cells[position].strip() if position is not None else ""

        for row, raw_cells in table.rows:
            cells = raw_cells
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            errors: list[RowError] = []
            check_width(row, cells, width, errors)
            external_id = cells[col_id].strip()
            if not external_id:
                errors.append(RowError(row, id_name, "backer number is missing"))
            elif external_id in seen:
                errors.append(
                    RowError(
                        row,
                        id_name,
                        f"backer {external_id} also appears on row {seen[external_id]}",
                    )
                )
            else:
                seen[external_id] = row
            if col_status is not None and not errors:
                status = cells[col_status].strip().casefold()
                if status != "collected":
                    out.skip(
                        row,
                        header[col_status],
                        f"pledge status is {status or 'empty'!r}: only collected pledges ship",
                    )
                    continue
            lines: dict[str, int] = {}
            for position, sku, _display in item_columns:
                value = cells[position]
                if not value or value == "0":
                    continue
                try:
                    quantity = parse_quantity(value)
                except ValueError as exc:
                    errors.append(RowError(row, header[position], str(exc)))
                    continue
                if quantity:
                    lines[sku] = lines.get(sku, 0) + quantity
            if not item_columns:
                reward = self._reward_line(
                    cells, col_reward, col_reward_id, col_minimum, col_pledge
                )
                if reward is not None:
                    out.note_item(reward[0], reward[1])
                    lines[reward[0]] = 1
            if not lines and not errors:
                out.skip(row, "", "nothing to ship: no reward items on this pledge")
                continue
            recipient = None
            if not has_address:
                errors.append(
                    RowError(
                        row,
                        "",
                        "the file has no shipping address columns; export the "
                        "backer report after the survey has been answered",
                    )
                )
            elif col_survey is not None and not cells[col_survey].strip():
                errors.append(
                    RowError(
                        row,
                        header[col_survey],
                        "the backer has not answered the survey: there is no shipping address yet",
                    )
                )
            else:
                country = cell(cells, col_country)
                columns = address_columns
                if not country and col_country_alt is not None:
                    country, columns = cell(cells, col_country_alt), alt_columns
                raw = RawAddress(
                    name=cell(cells, col_name) or cell(cells, col_backer),
                    street1=cells[col_street1] if col_street1 is not None else "",
                    street2=cells[col_street2] if col_street2 is not None else "",
                    city=cell(cells, col_city),
                    state=cell(cells, col_state),
                    postal_code=cell(cells, col_postal),
                    country=country,
                    phone=cell(cells, col_phone),
                    email=cell(cells, col_email),
                )
                recipient = build_address(raw, row, columns, errors, out.warnings)
            if errors or recipient is None:
                out.reject(row, raw_cells, errors)
                continue
            notes = cell(cells, col_notes)
            delivery = cell(cells, col_delivery)
            if delivery:
                notes = f"{notes} / {delivery}" if notes else delivery
            extra: dict[str, str] = {}
            if col_pledge is not None and cells[col_pledge]:
                extra["pledge_amount"] = cells[col_pledge].strip()
            if col_reward is not None and cells[col_reward]:
                extra["reward"] = cells[col_reward].strip()
            out.add_order(row, external_id, recipient, lines, notes=notes, extra=extra)
        return out.result()

    @staticmethod
    def _reward_line(
        cells: list[str],
        col_reward: int | None,
        col_reward_id: int | None,
        col_minimum: int | None,
        col_pledge: int | None,
    ) -> tuple[str, str] | None:
        """(SKU, name) of the reward itself, for reports without item columns."""
        if col_reward is not None:
            title = cells[col_reward].strip()
            if title and title.casefold() != "no reward":
                return sku_from_name(title), title
            if not title and col_reward_id is None:
                return None
        if col_reward_id is not None:
            reward_id = cells[col_reward_id].strip()
            return (f"REWARD-{reward_id}", f"Reward {reward_id}") if reward_id else None
        for position in (col_minimum, col_pledge):
            if position is None:
                continue
            money = parse_money(cells[position])
            if money is not None and money[0] > 0:
                amount = money[0].normalize()
                label = f"{amount:f}-{money[1]}" if money[1] else f"{amount:f}"
                return f"REWARD-{label}", f"Reward {cells[position].strip()}"
            return None
        return None


def _name(header: tuple[str, ...], position: int | None) -> str:
    return header[position] if position is not None else ""
