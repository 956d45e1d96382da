"""RecordTableModel and its proxy: display, sorting by value, search and predicate filters."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from app.domain.orders import OrderStatus
from app.ui.models.table import Column, RecordFilterProxy, RecordTableModel

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class Row:
    id: int
    name: str
    weight: Decimal
    status: OrderStatus
    tracking: str | None = None


COLUMNS = (
    Column[Row]("ID", lambda r: r.id, numeric=True),
    Column[Row]("Name", lambda r: r.name),
    Column[Row]("Weight (oz)", lambda r: r.weight, numeric=True),
    Column[Row]("Status", lambda r: r.status),
    Column[Row]("Tracking", lambda r: r.tracking),
)

ROWS = [
    Row(10, "Zoë Müller", Decimal("12.50"), OrderStatus.READY_TO_SHIP),
    Row(9, "adam", Decimal("4"), OrderStatus.IMPORTED, "9400111"),
    Row(100, "Björk", Decimal("100.25"), OrderStatus.ON_HOLD),
]


def _texts(proxy: RecordFilterProxy[Row], column: int) -> list[str]:
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_cells_read_naturally(qapp: QApplication) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.set_rows(ROWS)
    assert model.rowCount() == 3 and model.columnCount() == 5
    assert model.index(0, 2).data() == "12.5"
    assert model.index(0, 3).data() == "ready to ship"
    assert model.index(0, 4).data() == ""  # None is an empty cell, never "None"
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Weight (oz)"
    align = model.index(0, 0).data(Qt.ItemDataRole.TextAlignmentRole)
    assert align & Qt.AlignmentFlag.AlignRight


def test_numbers_sort_as_numbers_and_search_filters(qtbot: QtBot) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.set_rows(ROWS)
    proxy = RecordFilterProxy(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert _texts(proxy, 0) == ["9", "10", "100"]
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    assert _texts(proxy, 2) == ["100.25", "12.5", "4"]
    proxy.set_search("björk")
    assert _texts(proxy, 1) == ["Björk"]
    proxy.set_search("")
    proxy.set_predicate(lambda r: r.status is not OrderStatus.ON_HOLD)
    assert sorted(_texts(proxy, 1)) == ["Zoë Müller", "adam"]
    assert {r.id for r in proxy.records()} == {9, 10}


def test_replace_row_updates_one_record(qapp: QApplication) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.set_rows(ROWS)
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles=(): changed.append(top.row()))
    assert model.replace_row(Row(9, "adam", Decimal("5"), OrderStatus.READY_TO_SHIP))
    assert changed == [1]
    assert model.index(1, 3).data() == "ready to ship"
    assert not model.replace_row(Row(77, "x", Decimal(0), OrderStatus.IMPORTED))
