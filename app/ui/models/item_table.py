"""ItemTableModel: a table whose cells are Qt items, made once per record, for lists that grow
while a long run works (the Bought list of a 1,000-label buy).

A RecordTableModel answers every cell's every role in Python when the view paints, and each
answer takes the GIL. During a buy a dozen purchase and print threads share that GIL, so one
repaint of the Bought table waited for it hundreds of times: the GUI thread's longest stalls
(bench/bench_gui.py: 32-56 ms with the table painting, 25-29 ms without). Here the texts,
alignment, colour and tooltip are computed once, when a row is appended, into QStandardItems,
and painting reads them in C++ without calling Python.

Sorting (a header click) rebuilds the rows in Python by the columns' sort keys, as
RecordTableModel sorts; rows appended later stay last until the next sort.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel

from app.ui.models.table import (
    ALIGN_LEFT,
    ALIGN_RIGHT,
    Column,
    SortSpec,
    display_text,
    sorted_positions,
)

R = TypeVar("R")


class ItemTableModel(QStandardItemModel, Generic[R]):
    """Records shown through `Column`s, painted without Python (see the module's note)."""

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(0, len(columns), parent)
        self._columns = tuple(columns)
        self._records: list[R] = []
        self._sort: SortSpec = (-1, Qt.SortOrder.AscendingOrder)
        self.setHorizontalHeaderLabels([column.title for column in self._columns])
        for section in range(len(self._columns)):
            # Left even over numbers: Qt draws the sort indicator at the right edge.
            self.setHeaderData(
                section, Qt.Orientation.Horizontal, ALIGN_LEFT, Qt.ItemDataRole.TextAlignmentRole
            )

    def set_rows(self, records: Sequence[R]) -> None:
        """Show `records` (in the current sort) instead of what is shown."""
        self.setRowCount(0)
        self._records = []
        self.append_rows(self._sorted(list(records)))

    def append_rows(self, records: Sequence[R]) -> None:
        """Add records after the others; their cells are made now, once."""
        for record in records:
            self.appendRow(self._items(record))
            self._records.append(record)

    def rows(self) -> list[R]:
        """The records, in view order."""
        return list(self._records)

    def record(self, row: int) -> R:
        return self._records[row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        if self._records:
            self.set_rows(self._records)

    def _sorted(self, records: list[R]) -> list[R]:
        column_index, order = self._sort
        if not 0 <= column_index < len(self._columns):
            return records
        return [records[i] for i in sorted_positions(records, self._columns[column_index], order)]

    def _items(self, record: R) -> list[QStandardItem]:
        items = []
        for column in self._columns:
            item = QStandardItem(display_text(column.value(record)))
            item.setEditable(False)
            item.setTextAlignment(ALIGN_RIGHT if column.numeric else ALIGN_LEFT)
            if column.foreground is not None and (colour := column.foreground(record)):
                item.setForeground(QColor(colour))
            if column.tooltip is not None and (tip := column.tooltip(record)):
                item.setToolTip(tip)
            items.append(item)
        return items
