"""The wide tables show every column at 1366 x 768 (no sideways scrolling), in USPS words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QGroupBox, QStyle, QTableView, QWidget
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.packages import PackageType
from app.domain.usps_services import SERVICES
from app.services.batches import BatchSummary
from app.services.demo import DEMO_SKUS
from app.services.package_types import PackageTypeEntry, size_text
from app.ui.dialogs.order_dialog import LABEL_COLUMNS as ORDER_LABEL_COLUMNS
from app.ui.main_window import MainWindow
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.buy_panel import BOUGHT_COLUMNS
from app.ui.panels.history_panel import BATCH_COLUMNS as HISTORY_BATCH_COLUMNS
from app.ui.panels.history_panel import HistoryPanel
from app.ui.panels.labels_panel import BATCH_COLUMNS as LABELS_BATCH_COLUMNS
from app.ui.panels.labels_panel import LABEL_COLUMNS, LabelsPanel
from app.ui.panels.package_types_panel import PACKAGE_TYPE_COLUMNS, PackageTypesPanel
from app.ui.panels.skus_panel import SkusPanel
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(db=str(tmp_path / "x.sqlite3"), home=tmp_path)) as context:
        yield context


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext, guard: ThreadGuard) -> Iterator[MainWindow]:
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.resize(1366, 768)  # the laptop the window is made for (the status bar included)
    win.show()
    qtbot.waitExposed(win)
    yield win
    assert win.runner.wait_for_idle(10_000)


#: Room a header title needs beyond its text (app/ui/style.py pads sections): with less, the
#: titles touched the section's edge in the screenshots taken under Xvfb.
HEADER_PADDING = 10

#: What a label or a batch can be bought with (letters and flats are never parcels).
PARCEL_SERVICES = [s.title for s in SERVICES.values() if not s.letters_only]


def _room(view: QTableView, texts: list[str]) -> int:
    """Pixels the longest of `texts` needs in a cell of `view`."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1
    return max(view.fontMetrics().horizontalAdvance(t) for t in texts) + 2 * margin


def _service_room(view: QTableView) -> int:
    """Pixels the longest parcel service's name needs in a cell of `view`."""
    return _room(view, PARCEL_SERVICES)


def _assert_fits(qtbot: QtBot, view: QTableView, name: str) -> None:
    """Every column whole inside the view, even with a vertical scroll bar (a full table)."""
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    qtbot.waitUntil(view.isVisible)
    qtbot.waitUntil(lambda: view.verticalScrollBar().isVisible())
    header = view.horizontalHeader()
    model = view.model()
    titles = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(header.count())]
    widths = [header.sectionSize(i) for i in range(header.count())]
    assert header.length() <= view.viewport().width(), (
        f"{name}: columns need {header.length()} px, the view shows {view.viewport().width()}: "
        f"{dict(zip(titles, widths, strict=True))}"
    )
    assert view.horizontalScrollBar().maximum() == 0, name
    metrics = header.fontMetrics()
    for title, width in zip(titles, widths, strict=True):
        room = metrics.horizontalAdvance(str(title)) + HEADER_PADDING
        assert width >= room, f"{name}: {title} has {width} px of {room}"
        if title == "Service":  # "Priority Mail Express International", never "Priority Ma…"
            assert width >= _service_room(view), f"{name}: {width} px for a service"


def _assert_not_squeezed(widget: QWidget) -> None:
    assert widget.width() >= widget.minimumSizeHint().width(), type(widget).__name__


def test_labels_history_and_package_types_tables_fit_1366_px(
    qtbot: QtBot, window: MainWindow
) -> None:
    labels = window.panels["labels"]
    assert isinstance(labels, LabelsPanel)
    window.show_panel("labels")
    labels.tabs.setCurrentIndex(0)
    _assert_fits(qtbot, labels.batch_view, "Labels & batches > batches")
    # Bought at / Shipped at (several desks) pushed SCAN form and Refund off the window.
    _assert_fits(qtbot, labels.label_view, "Labels & batches > labels")

    history = window.panels["history"]
    assert isinstance(history, HistoryPanel)
    window.show_panel("history")
    _assert_fits(qtbot, history.audit_view, "History > audit log")
    history.tabs.setCurrentWidget(history.batch_view)
    _assert_fits(qtbot, history.batch_view, "History > batches")

    types = window.panels["package-types"]
    assert isinstance(types, PackageTypesPanel)
    window.show_panel("package-types")
    _assert_fits(qtbot, types.view, "Package types")
    editor = types.findChild(QGroupBox)
    assert editor is not None
    _assert_not_squeezed(editor)

    skus = window.panels["skus"]
    assert isinstance(skus, SkusPanel)
    window.show_panel("skus")
    _assert_fits(qtbot, skus.view, "SKUs & customs")
    # LANTERNS-OF-THE-DEEP-CORE-GAME read "LANTERNS-OF-THE-DEEP-CORE-…" beside a roomy Name.
    assert skus.view.columnWidth(0) >= _room(skus.view, list(DEMO_SKUS))


@pytest.mark.parametrize(
    "columns", [ORDER_LABEL_COLUMNS, LABEL_COLUMNS, BOUGHT_COLUMNS], ids=["order", "labels", "buy"]
)
def test_every_parcel_service_name_is_whole(
    qtbot: QtBot, columns: tuple[Column[object], ...]
) -> None:
    view = QTableView()
    qtbot.addWidget(view)
    service = next(c for c in columns if c.title == "Service")
    assert service.width is not None and service.width >= _service_room(view)


def _batch(service_choice: str) -> BatchSummary:
    return BatchSummary(
        reference="B-20261126-001",
        created_at=datetime(2026, 11, 26, 15, 0, tzinfo=UTC),
        status="done",
        station="Desk 1",
        service_choice=service_choice,
        bought=3,
        printed=3,
        shipped=0,
        refunded=0,
        refund_pending=0,
        spent_usd=Decimal("17.40"),
        scan_form_state="none",
        on_scan_form=0,
        manifestable=3,
    )


def _cell(model: RecordTableModel[Any], title: str) -> str:
    columns = range(model.columnCount())
    column = next(c for c in columns if model.headerData(c, Qt.Orientation.Horizontal) == title)
    return str(model.data(model.index(0, column, QModelIndex())))


@pytest.mark.parametrize("columns", [HISTORY_BATCH_COLUMNS, LABELS_BATCH_COLUMNS])
def test_a_batch_shows_its_service_in_words(
    qtbot: QtBot, columns: tuple[Column[BatchSummary], ...]
) -> None:
    # History > Batches showed an empty Service for a batch of each group's own services.
    for choice, shown in (("", "each group's own"), ("GroundAdvantage", "USPS Ground Advantage")):
        model = RecordTableModel(columns, key=lambda b: b.reference)
        model.set_rows([_batch(choice)])
        assert _cell(model, "Service") == shown


def test_a_usps_package_is_shown_by_its_usps_name_not_easyposts_code(qtbot: QtBot) -> None:
    medium = PackageType("Medium box", predefined="MediumFlatRateBox")
    mailer = PackageType("Mailer", length_in=Decimal(12), width_in=Decimal(9), height_in=Decimal(1))
    model = RecordTableModel(PACKAGE_TYPE_COLUMNS, key=lambda e: e.name)
    model.set_rows([PackageTypeEntry(medium, size_text(medium))])
    shown = _cell(model, "Package")
    assert "MediumFlatRateBox" not in shown
    assert shown == "11.25 x 8.75 x 6 in, Priority Mail Medium Flat Rate Box"
    model.set_rows([PackageTypeEntry(mailer, size_text(mailer))])
    assert _cell(model, "Package") == "12 x 9 x 1 in"
