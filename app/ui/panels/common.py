"""Helpers the table panels share: a configured record table view, selection to records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.ui.models.table import Column, RecordFilterProxy

R = TypeVar("R")


def record_table(
    parent: QWidget,
    proxy: RecordFilterProxy[R],
    columns: Sequence[Column[R]],
    *,
    multi_select: bool = True,
    stretch_column: int | None = None,
) -> QTableView:
    """A sortable, row-selecting table over `proxy`, with the columns' starting widths."""
    view = QTableView(parent)
    view.setModel(proxy)
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


def selected_records(view: QTableView, proxy: RecordFilterProxy[R]) -> list[R]:
    """The records of the selected rows, in view order."""
    rows = sorted({index.row() for index in view.selectionModel().selectedRows()})
    return [proxy.record(row) for row in rows]
