"""RecordTableModel: one QAbstractTableModel for every list of frozen dataclasses.

A table is a list of `Column`s, each a title and a function of the record. The model shows the
records it was given and nothing else; refreshing means handing it a new list (from a service,
through the TaskRunner). A `RecordFilterProxy` sorts by each column's sort key and filters by
search text and an optional predicate.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from app.ui.signals import emit

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex

#: The role under which a cell gives its sort key (numbers sort as numbers).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The role under which a cell gives its whole record.
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2

_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


def display_text(value: object) -> str:
    """How a plain value reads in a cell: no 'None', enums by their words, decimals trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value).replace("_", " ")
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
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

    def sort_key(self, record: R) -> Any:
        if self.sort is not None:
            return self.sort(record)
        raw = self.value(record)
        if raw is None:
            return (1, "")  # empty cells sort last
        if self.numeric and isinstance(raw, int | float | Decimal):
            return (0, raw)
        return (0, display_text(raw).casefold())


class RecordTableModel(QAbstractTableModel, Generic[R]):
    """Rows are records (frozen dataclasses); columns come from `Column` specs."""

    def __init__(
        self,
        columns: Sequence[Column[R]],
        *,
        key: Callable[[R], Hashable] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[R] = []
        self._key = key

    @property
    def columns(self) -> tuple[Column[R], ...]:
        return self._columns

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def replace_row(self, record: R) -> bool:
        """Swap in an updated record with the same key; True if one was found."""
        if self._key is None:
            raise ValueError("replace_row needs a key function")
        wanted = self._key(record)
        for row, existing in enumerate(self._rows):
            if self._key(existing) == wanted:
                self._rows[row] = record
                last = self.index(row, len(self._columns) - 1)
                emit(self.dataChanged, self.index(row, 0), last)
                return True
        return False

    def rows(self) -> list[R]:
        return list(self._rows)

    def record(self, row: int) -> R:
        return self._rows[row]

    def row_of(self, key: Hashable) -> int | None:
        if self._key is None:
            return None
        for row, record in enumerate(self._rows):
            if self._key(record) == key:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(column.value(record))
        if role == SORT_ROLE:
            return column.sort_key(record)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if column.numeric else _LEFT
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
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return _RIGHT if column.numeric else _LEFT
        return None


class RecordFilterProxy(QSortFilterProxyModel, Generic[R]):
    """Sorts by column sort keys; keeps rows that match the search text and the predicate."""

    def __init__(self, source: RecordTableModel[R], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self._needle = ""
        self._predicate: Callable[[R], bool] | None = None

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_needle", text.strip().casefold()))

    def set_predicate(self, predicate: Callable[[R], bool] | None) -> None:
        self._refilter(lambda: setattr(self, "_predicate", predicate))

    def _refilter(self, change: Callable[[], None]) -> None:
        # Qt 6.10 deprecates invalidateRowsFilter() for the begin/end pair; support both.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            change()
            self.invalidateRowsFilter()

    def record(self, proxy_row: int) -> R:
        source_index = self.mapToSource(self.index(proxy_row, 0))
        return self._source.record(source_index.row())

    def records(self) -> list[R]:
        return [self.record(row) for row in range(self.rowCount())]

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        record = self._source.record(source_row)
        if self._predicate is not None and not self._predicate(record):
            return False
        if not self._needle:
            return True
        return any(
            self._needle in display_text(column.value(record)).casefold()
            for column in self._source.columns
        )

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        left_key = left.data(SORT_ROLE)
        right_key = right.data(SORT_ROLE)
        try:
            return bool(left_key < right_key)
        except TypeError:  # mixed types in one column: compare as text
            return str(left_key) < str(right_key)
