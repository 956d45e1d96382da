"""RecordTableModel: display, sorting by value, search and predicate filters, kept selections."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from app.domain.orders import OrderStatus
from app.ui.models.table import Column, RecordTableModel

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


def _texts(model: RecordTableModel[Row], column: int) -> list[str]:
    return [model.index(r, column).data() for r in range(model.rowCount())]


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
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert _texts(model, 0) == ["9", "10", "100"]
    view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert _texts(model, 2) == ["100.25", "12.5", "4"]
    view.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    assert _texts(model, 4) == ["9400111", "", ""]  # empty cells last
    model.set_search("björk")
    assert _texts(model, 1) == ["Björk"]
    model.set_search("")
    model.set_predicate(lambda r: r.status is not OrderStatus.ON_HOLD)
    assert sorted(_texts(model, 1)) == ["Zoë Müller", "adam"]
    assert {r.id for r in model.records()} == {9, 10}
    assert len(model.rows()) == 3


def test_selection_follows_its_record_through_sort_and_filter(qtbot: QtBot) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.set_rows(ROWS)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    selection = view.selectionModel()
    row = model.row_of(100)
    assert row is not None
    selection.select(
        model.index(row, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    model.sort(1, Qt.SortOrder.DescendingOrder)
    model.set_predicate(lambda r: r.id != 9)
    selected = [model.record(i.row()) for i in selection.selectedRows()]
    assert [r.id for r in selected] == [100]
    model.set_predicate(lambda r: r.id != 100)
    assert selection.selectedRows() == []


def test_replace_row_updates_one_record(qapp: QApplication) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.set_rows(ROWS)
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles=(): changed.append(top.row()))
    assert model.replace_row(Row(9, "adam", Decimal("5"), OrderStatus.READY_TO_SHIP))
    assert changed == [1]
    assert model.index(1, 3).data() == "ready to ship"
    assert model.rows()[1].weight == Decimal("5")
    assert not model.replace_row(Row(77, "x", Decimal(0), OrderStatus.IMPORTED))


def test_a_hundred_thousand_rows_sort_and_filter_quickly(qtbot: QtBot) -> None:
    """Not a benchmark: a guard against going back to per-comparison Python callbacks."""
    rows = [Row(n, f"name {n}", Decimal(n % 97), list(OrderStatus)[n % 8]) for n in range(100_000)]
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSortingEnabled(True)
    model.set_rows(rows)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert model.record(0).name == "name 99999"
    model.set_search("name 9999")
    assert model.rowCount() == 11


def test_rows_prepared_on_a_worker_thread_show_as_is(qtbot: QtBot) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.sort(1, Qt.SortOrder.AscendingOrder)
    spec = model.sort_spec
    prepared: list[object] = []
    worker = threading.Thread(target=lambda: prepared.append(model.prepare(ROWS, spec)))
    worker.start()
    worker.join(5)
    model.set_rows(prepared[0])  # type: ignore[arg-type]
    assert _texts(model, 1) == ["adam", "Björk", "Zoë Müller"]
    model.set_search("zoë")
    assert _texts(model, 1) == ["Zoë Müller"]


def test_prepared_rows_are_resorted_if_the_user_sorted_meanwhile(qapp: QApplication) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    prepared = model.prepare(ROWS, model.sort_spec)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    model.set_rows(prepared)
    assert _texts(model, 0) == ["100", "10", "9"]
    model.set_search("9400")  # haystacks stayed aligned with their rows through the re-sort
    assert _texts(model, 0) == ["9"]


def test_natural_key_orders_numbers_as_numbers() -> None:
    from app.domain.order_numbers import natural_key

    codes = ["105", "15", "#1002", "9", "A-7", "#999"]
    assert sorted(codes, key=natural_key) == ["9", "15", "105", "#999", "#1002", "A-7"]


def test_append_rows_inserts_without_a_reset_and_respects_the_filter(qapp: QApplication) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.set_rows(ROWS[:1])
    model.set_search("b")
    resets: list[str] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append("reset"))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.append_rows([ROWS[1], ROWS[2]])  # adam is filtered out by the search, Björk is not
    assert resets == []
    assert inserted == [(0, 0)]
    assert [r.name for r in model.records()] == ["Björk"]
    assert [r.name for r in model.rows()] == ["Zoë Müller", "adam", "Björk"]
    model.set_search("")
    assert model.rowCount() == 3


def test_complete_rows_inserts_the_rest_below_a_first_screen(qtbot: QtBot) -> None:
    rows = [Row(n, f"name {n}", Decimal(n), OrderStatus.READY_TO_SHIP) for n in range(1, 501)]
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    model.set_rows(model.prepare(rows[:20], model.sort_spec))  # the first screen
    view.selectionModel().select(
        model.index(3, 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
    )
    model.set_search("name 4")  # typed before the rest came: it applies to the rest too
    assert [r.id for r in model.records()] == [4]
    resets: list[str] = []
    inserted: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append("reset"))
    model.rowsInserted.connect(lambda _parent, first, last: inserted.append((first, last)))
    model.complete_rows(model.prepare(list(reversed(rows)), model.sort_spec))
    assert resets == []  # no reset: the view keeps its place and its selection
    assert inserted == [(1, 110)]  # 40-49 and 400-499, below the 4 already shown
    assert [r.id for r in model.records()][:3] == [4, 40, 41]
    assert [model.record(i.row()).id for i in view.selectionModel().selectedRows()] == [4]
    model.set_search("")
    assert model.rowCount() == 500
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # sorting works on every record
    assert model.record(0).id == 500


def test_complete_rows_resets_when_the_first_screen_was_not_the_top(qapp: QApplication) -> None:
    model = RecordTableModel(COLUMNS, key=lambda r: r.id)
    model.sort(0, Qt.SortOrder.AscendingOrder)
    model.set_rows(model.prepare([ROWS[0]], model.sort_spec))  # 10, but 9 sorts before it
    resets: list[str] = []
    model.modelReset.connect(lambda: resets.append("reset"))
    model.complete_rows(model.prepare(ROWS, model.sort_spec))
    assert resets == ["reset"]
    assert _texts(model, 0) == ["9", "10", "100"]


def test_a_shared_text_is_searched_once_per_distinct_string(qapp: QApplication) -> None:
    rows = [Row(n, f"name {n}", Decimal(n), OrderStatus.IMPORTED, f"T{n % 3}") for n in range(9)]

    def shared(row: Row) -> str:
        return f"items of group {row.tracking}"

    model = RecordTableModel(COLUMNS[:2], key=lambda r: r.id, shared_text=shared)
    model.set_rows(model.prepare(rows, model.sort_spec))
    model.set_search("GROUP T1")  # only in the shared text, case-blind
    assert [r.id for r in model.records()] == [1, 4, 7]
    model.set_search("name 8")  # in the record's own text
    assert [r.id for r in model.records()] == [8]
    model.append_rows([Row(10, "late", Decimal(0), OrderStatus.IMPORTED, "T1")])
    model.set_search("group t1")
    assert [r.id for r in model.records()] == [1, 4, 7, 10]
    model.set_search("")
    assert model.rowCount() == 10


def test_upsert_rows_replaces_in_place_and_appends_without_a_reset(qapp: QApplication) -> None:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Job:
        id: int
        state: str

    model = RecordTableModel(
        (Column[Job]("Id", lambda j: j.id), Column[Job]("State", lambda j: j.state)),
        key=lambda j: j.id,
    )
    model.set_rows([Job(1, "queued"), Job(2, "queued"), Job(3, "queued")])
    model.set_predicate(lambda j: j.id != 3)  # job 3 is filtered out
    events: list[tuple[str, int, int]] = []
    model.modelReset.connect(lambda: events.append(("reset", -1, -1)))
    model.dataChanged.connect(lambda a, b: events.append(("changed", a.row(), b.row())))
    model.rowsInserted.connect(lambda _p, a, b: events.append(("inserted", a, b)))

    model.upsert_rows([Job(2, "printing"), Job(4, "queued"), Job(3, "printed"), Job(2, "done")])

    assert model.rows() == [Job(1, "queued"), Job(2, "done"), Job(3, "printed"), Job(4, "queued")]
    assert model.records() == [Job(1, "queued"), Job(2, "done"), Job(4, "queued")]
    assert events == [("changed", 1, 1), ("inserted", 2, 2)]
