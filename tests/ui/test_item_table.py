"""ItemTableModel: the Bought list's cells are made once per record, so painting the table runs
no Python (a RecordTableModel answers every cell's every role in Python, and during a buy each
answer waits for the GIL the purchase threads share)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from decimal import Decimal
from types import FrameType

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.order_numbers import natural_key
from app.ui.models.item_table import ItemTableModel
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.common import record_table

pytestmark = pytest.mark.gui


@dataclass(frozen=True)
class Bought:
    number: str
    cost: Decimal
    late: bool


COLUMNS = (
    Column[Bought]("Order", lambda b: b.number, sort=lambda b: natural_key(b.number)),
    Column[Bought](
        "Cost",
        lambda b: f"${b.cost}",
        sort=lambda b: b.cost,
        numeric=True,
        foreground=lambda b: "#9b2c2c" if b.late else None,
        tooltip=lambda b: "late" if b.late else "",
    ),
)


def _bought(count: int) -> list[Bought]:
    return [Bought(str(n), Decimal(n) / 100, n % 7 == 0) for n in range(count, 0, -1)]


def _python_calls_while_painting(widget: QWidget) -> int:
    calls = 0

    def count(frame: FrameType, event: str, _arg: object) -> None:
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        widget.grab()  # paints every visible cell now
    finally:
        sys.setprofile(None)
    return calls


def test_cells_show_the_columns_and_painting_runs_no_python(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    model = ItemTableModel[Bought](COLUMNS, parent=parent)
    view = record_table(parent, model, COLUMNS)
    view.resize(400, 600)
    model.append_rows(_bought(12))
    model.append_rows(_bought(40)[:28])  # 40..13, appended after the first

    assert model.rowCount() == 40
    first = model.index(0, 1)
    assert model.data(first) == "$0.12"
    assert model.data(first, Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    seventh = model.index(12 - 7, 1)  # order 7 is late
    assert model.data(seventh, Qt.ItemDataRole.ToolTipRole) == "late"
    assert model.data(seventh, Qt.ItemDataRole.ForegroundRole).color().name() == "#9b2c2c"

    assert _python_calls_while_painting(view) == 0
    records = RecordTableModel(COLUMNS)
    records.set_rows(_bought(40))
    python_view = record_table(parent, records, COLUMNS)
    python_view.resize(400, 600)
    assert _python_calls_while_painting(python_view) > 100  # what the Bought table did


def test_sorting_by_a_header_uses_the_columns_sort_keys(qapp: QApplication) -> None:
    model = ItemTableModel[Bought](COLUMNS)
    model.set_rows(_bought(12))
    model.sort(0, Qt.SortOrder.AscendingOrder)  # by number: "9" before "10"
    assert [b.number for b in model.rows()] == [str(n) for n in range(1, 13)]
    assert [model.data(model.index(row, 0)) for row in range(3)] == ["1", "2", "3"]
    model.append_rows([Bought("0", Decimal(0), False)])  # last until the next sort
    assert model.rows()[-1].number == "0"
    model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [b.number for b in model.rows()][:2] == ["12", "11"]
    model.set_rows([])
    assert model.rowCount() == 0 and model.rows() == []
