"""RecordTableModel: one QAbstractTableModel for every list of frozen dataclasses.

A table is a list of `Column`s, each a title and a function of the record. The model shows the
records it was given and nothing else; refreshing means handing it a new list (from a service,
through the TaskRunner).

Sorting and filtering happen in the model, in plain Python over whole lists (one key per row and
a list sort, one substring test per row), not in a QSortFilterProxyModel: a proxy calls back into
Python once per comparison, which takes seconds on the GUI thread for 100,000 orders. Loads sort
and build the search texts on the worker (`prepare`), so the GUI thread only swaps lists.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex

#: The role under which a cell gives its whole record.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

#: How cells align: numbers right, everything else (and every header) left.
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def display_text(value: object) -> str:
    """How a plain value reads in a cell: no 'None', enums by their words, decimals trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


# No slots: `Column[Order](...)` sets __orig_class__, which a slotted frozen dataclass refuses.
@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its title, the cell value, and optional sort key, tooltip and colour.

    `numeric` right-aligns the cell (and sorts by the raw value unless `sort` is given).
    """

    title: str
    value: Callable[[R], object]
    sort: Callable[[R], Any] | None = None
    tooltip: Callable[[R], str] | None = None
    foreground: Callable[[R], str | None] | None = None
    numeric: bool = False
    width: int | None = None  # a starting width in pixels; None lets the view size it

    def sort_key(self, record: R) -> tuple[int, Any]:
        """(0, key) for a value, (1, "") for an empty cell, so empty cells sort last."""
        if self.sort is not None:
            return (0, self.sort(record))
        raw = self.value(record)
        if raw is None or raw == "":
            return (1, "")
        if self.numeric and isinstance(raw, int | float | Decimal):
            return (0, raw)
        return (0, display_text(raw).casefold())


SortSpec = tuple[int, Qt.SortOrder]


def sorted_positions(records: Sequence[R], column: Column[R], order: Qt.SortOrder) -> list[int]:
    """The positions of `records` in `column`'s sort order (stable; empty cells last)."""
    keys = [column.sort_key(r) for r in records]
    reverse = order == Qt.SortOrder.DescendingOrder
    positions = list(range(len(records)))
    try:
        positions.sort(key=keys.__getitem__, reverse=reverse)
    except TypeError:  # mixed kinds of values in one column: compare as text
        text_keys = [str(k) for k in keys]
        positions.sort(key=text_keys.__getitem__, reverse=reverse)
    return positions


@dataclass(frozen=True, slots=True)
class PreparedRows(Generic[R]):
    """Records already sorted by `sort`, with their search texts: built on a worker thread by
    `RecordTableModel.prepare`, so the GUI thread only swaps lists."""

    rows: list[R]
    haystacks: list[str]
    sort: SortSpec


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Rows are records (frozen dataclasses); columns come from `Column` specs.

    `rows()` are all records given, in the current sort order; the view shows the ones passing
    the search text and the predicate (`record(row)` and `records()` are in view terms).
    """

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        key: Callable[[R], Hashable] | None = None,
        search_text: Callable[[R], str] | None = None,
        shared_text: Callable[[R], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._key = key
        self._search_text = search_text or self._joined_text
        # A second search text that many records share (the Orders list's items: one string
        # per package group): searched once per distinct string, and kept out of every record's
        # haystack (at 100,000 orders: ~10 MB and a third of the haystacks' casefolding).
        self._shared_text = shared_text
        self._all: list[R] = []  # always in the current sort order
        self._haystacks: list[str] | None = None  # aligned with _all; built when first needed
        self._visible: list[R] = []
        self._needle = ""
        self._predicate: Callable[[R], bool] | None = None
        self._sort: SortSpec = (-1, Qt.SortOrder.AscendingOrder)

    @property
    def columns(self) -> tuple[Column[R], ...]:
        return self._columns

    @property
    def sort_spec(self) -> SortSpec:
        """The current sort (column, order); read it on the GUI thread before `prepare`."""
        return self._sort

    # -- contents -----------------------------------------------------------------------------

    def prepare(self, rows: Sequence[R], sort: SortSpec) -> PreparedRows[R]:
        """Sort `rows` and build their search texts. Thread-safe: it only reads the column
        specs, so loads call it on the worker and hand the result to `set_rows`."""
        records = list(rows)
        texts = [self._search_text(r).casefold() for r in records]
        records, haystacks = self._sorted(records, texts, sort)
        return PreparedRows(records, texts if haystacks is None else haystacks, sort)

    def set_rows(self, rows: Sequence[R] | PreparedRows[R]) -> None:
        """Show new records (a plain list, or prepared ones from a worker)."""
        self.beginResetModel()
        if isinstance(rows, PreparedRows):
            if rows.sort == self._sort:
                self._all, self._haystacks = rows.rows, rows.haystacks
            else:  # the user re-sorted while the worker prepared
                self._all, self._haystacks = self._sorted(rows.rows, rows.haystacks, self._sort)
        else:
            self._all, _ = self._sorted(list(rows), None, self._sort)
            self._haystacks = None
        self._visible = self._filtered()
        self.endResetModel()

    def complete_rows(self, rows: PreparedRows[R]) -> None:
        """Show every record after a first screen: when `rows` begin with the records shown
        now (same sort, same records), the rest is inserted after them, so the view keeps its
        scroll position and selection; otherwise this is `set_rows`."""
        shown = self._all
        if rows.sort != self._sort or rows.rows[: len(shown)] != shown:
            self.set_rows(rows)
            return
        start = len(shown)
        self._all, self._haystacks = rows.rows, rows.haystacks
        added = self._filter(rows.rows[start:], rows.haystacks[start:])
        if added:
            first = len(self._visible)
            self.beginInsertRows(QModelIndex(), first, first + len(added) - 1)
            self._visible.extend(added)
            self.endInsertRows()

    def append_rows(self, records: Sequence[R]) -> None:
        """Add records after the others without rebuilding the table (a label bought during a
        run): the cost is the new rows', not the table's. They stay last until the next sort."""
        if not records:
            return
        added = list(records)
        self._all.extend(added)
        if self._haystacks is not None:
            self._haystacks.extend(self._search_text(r).casefold() for r in added)
        shown = [r for r in added if self._passes(r)]
        if shown:
            first = len(self._visible)
            self.beginInsertRows(QModelIndex(), first, first + len(shown) - 1)
            self._visible.extend(shown)
            self.endInsertRows()

    def _passes(self, record: R) -> bool:
        if self._needle and not self._found_in(record):
            return False
        return self._predicate is None or self._predicate(record)

    def _found_in(self, record: R) -> bool:
        needle = self._needle
        if needle in self._search_text(record).casefold():
            return True
        return self._shared_text is not None and needle in self._shared_text(record).casefold()

    def replace_row(self, record: R) -> bool:
        """Swap in an updated record with the same key; True if one was found.

        The row stays where it is until the next sort or load.
        """
        if self._key is None:
            raise ValueError("replace_row needs a key function")
        wanted = self._key(record)
        found = False
        for position, existing in enumerate(self._all):
            if self._key(existing) == wanted:
                self._all[position] = record
                if self._haystacks is not None:
                    self._haystacks[position] = self._search_text(record).casefold()
                found = True
                break
        for row, existing in enumerate(self._visible):
            if self._key(existing) == wanted:
                self._visible[row] = record
                last = self.index(row, len(self._columns) - 1)
                self.dataChanged.emit(self.index(row, 0), last)
                break
        return found

    def upsert_rows(self, records: Sequence[R]) -> None:
        """Swap in the records whose key the model holds and append the others (the last of
        several with one key wins): one pass over the table for a whole burst (a print queue's
        events during a 1,000-label buy), where `replace_row` scans it once per record.

        Replaced rows stay where they are until the next sort or load; new ones go last.
        """
        key = self._key
        if key is None:
            raise ValueError("upsert_rows needs a key function")
        latest = {key(record): record for record in records}
        if not latest:
            return
        positions = {key(record): position for position, record in enumerate(self._all)}
        added: list[R] = []
        replaced: set[Hashable] = set()
        for wanted, record in latest.items():
            position = positions.get(wanted)
            if position is None:
                added.append(record)
                continue
            self._all[position] = record
            if self._haystacks is not None:
                self._haystacks[position] = self._search_text(record).casefold()
            replaced.add(wanted)
        if replaced:
            rows = [row for row, shown in enumerate(self._visible) if key(shown) in replaced]
            for row in rows:
                self._visible[row] = latest[key(self._visible[row])]
            if rows:
                last = self.index(rows[-1], len(self._columns) - 1)
                self.dataChanged.emit(self.index(rows[0], 0), last)
        self.append_rows(added)

    def rows(self) -> list[R]:
        """Every record given, whatever the filter."""
        return list(self._all)

    def row_total(self) -> int:
        """How many records the model holds, whatever the filter (no copy, unlike `rows`)."""
        return len(self._all)

    def records(self) -> list[R]:
        """The records shown, in view order."""
        return list(self._visible)

    def record(self, row: int) -> R:
        """The record shown in `row`."""
        return self._visible[row]

    def row_of(self, key: Hashable) -> int | None:
        """The view row of the record with `key` (None when it is not shown)."""
        if self._key is None:
            return None
        for row, record in enumerate(self._visible):
            if self._key(record) == key:
                return row
        return None

    # -- filtering and sorting ----------------------------------------------------------------

    def set_search(self, text: str) -> None:
        self._needle = text.strip().casefold()
        self._relayout()

    def set_predicate(self, predicate: Callable[[R], bool] | None) -> None:
        self._predicate = predicate
        self._relayout()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self._all, self._haystacks = self._sorted(self._all, self._haystacks, self._sort)
        self._relayout()

    def _joined_text(self, record: R) -> str:
        return "\t".join(display_text(column.value(record)) for column in self._columns)

    def _sorted(
        self, records: list[R], haystacks: list[str] | None, sort: SortSpec
    ) -> tuple[list[R], list[str] | None]:
        """`records` (and their aligned haystacks) in `sort` order; unsorted for column -1."""
        column_index, order = sort
        if not 0 <= column_index < len(self._columns) or not records:
            return records, haystacks
        positions = sorted_positions(records, self._columns[column_index], order)
        ordered = [records[i] for i in positions]
        return ordered, (None if haystacks is None else [haystacks[i] for i in positions])

    def _filtered(self) -> list[R]:
        if self._needle and self._haystacks is None:
            self._haystacks = [self._search_text(r).casefold() for r in self._all]
        return self._filter(self._all, self._haystacks)

    def _filter(self, records: list[R], haystacks: list[str] | None) -> list[R]:
        """The `records` passing the search and the predicate (a new list)."""
        rows: list[R] = records
        if self._needle:
            assert haystacks is not None
            needle, shared = self._needle, self._shared_text
            matched = (
                set()
                if shared is None
                else {text for text in set(map(shared, records)) if needle in text.casefold()}
            )
            if matched:
                assert shared is not None
                rows = [
                    r
                    for r, hay, text in zip(records, haystacks, map(shared, records), strict=True)
                    if needle in hay or text in matched
                ]
            else:
                rows = [r for r, hay in zip(records, haystacks, strict=True) if needle in hay]
        if self._predicate is not None:
            rows = [r for r in rows if self._predicate(r)]
        return rows if rows is not records else list(rows)

    def _relayout(self) -> None:
        """Re-filter (the rows are kept sorted), keeping selections on their records."""
        self.layoutAboutToBeChanged.emit()
        old = self._visible
        self._visible = self._filtered()
        persistent = self.persistentIndexList()
        # Only the few records persistent indexes point at are looked for (not a map of all).
        wanted = {id(old[i.row()]) for i in persistent if i.row() < len(old)}
        new_row = {id(r): row for row, r in enumerate(self._visible) if id(r) in wanted}
        moved = []
        for index in persistent:
            row = new_row.get(id(old[index.row()])) if index.row() < len(old) else None
            moved.append(QModelIndex() if row is None else self.index(row, index.column()))
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # -- Qt model interface -------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._visible):
            return None
        record = self._visible[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(column.value(record))
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_RIGHT if column.numeric else ALIGN_LEFT
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(record) or None
        if role == Qt.ItemDataRole.ForegroundRole and column.foreground is not None:
            colour = column.foreground(record)
            return QColor(colour) if colour else None
        return None

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            column = self._columns[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return column.title
            # Headers stay left-aligned even over numbers: a right-aligned title collides with
            # the sort indicator that Qt draws at the right edge of the section.
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return ALIGN_LEFT
        return None
