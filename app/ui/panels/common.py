"""Helpers the table panels share: a configured record table view, selection to records."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from typing import TypeVar

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.domain.usps_services import service_title
from app.ui.models.item_table import ItemTableModel
from app.ui.models.table import Column, RecordTableModel

R = TypeVar("R")


def record_table(
    parent: QWidget,
    model: RecordTableModel[R] | ItemTableModel[R],
    columns: Sequence[Column[R]],
    *,
    multi_select: bool = True,
    stretch_column: int | None = None,
) -> QTableView:
    """A sortable, row-selecting table over `model`, with the columns' starting widths."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi_select
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    for index, column in enumerate(columns):
        if column.width is not None:
            view.setColumnWidth(index, column.width)
    # Qt's default indicator is descending; start with the first column ascending.
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    if stretch_column is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return view


def batch_service_text(service_choice: str) -> str:
    """A batch's service in words: the USPS name of the one chosen, or each group's own."""
    return service_title(service_choice) if service_choice else "each group's own"


def selected_records(view: QTableView, model: RecordTableModel[R]) -> list[R]:
    """The records of the selected rows, in view order."""
    rows = sorted({index.row() for index in view.selectionModel().selectedRows()})
    return [model.record(row) for row in rows]


def reselect(
    view: QTableView,
    model: RecordTableModel[R],
    keys: Collection[Hashable],
    key: Callable[[R], Hashable],
) -> None:
    """Select the rows whose record key is in `keys` (after a reload), in one selection call."""
    if not keys:
        return
    rows = [row for row, record in enumerate(model.records()) if key(record) in keys]
    selection = QItemSelection()
    last_column = model.columnCount() - 1
    start = previous = None
    for row in [*rows, None]:
        if row is not None and previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None and previous is not None:
            selection.select(model.index(start, 0), model.index(previous, last_column))
        start = previous = row
    view.selectionModel().select(
        selection,
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
