"""SKUs panel: weights, values and customs data per SKU; edit one, or apply an HTS by pattern."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QCheckBox, QWidget

from app.domain.hts import hts_problem
from app.domain.items import Item
from app.services.catalog import ItemChanges
from app.ui.dialogs.sku_dialogs import ApplyHtsDialog, HtsBatch, SkuEditDialog
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, search_box, tool_row


class CatalogSource(Protocol):
    """What the panel needs of app.services.catalog.CatalogService."""

    def list_items(self) -> list[Item]: ...

    def get_item(self, sku: str) -> Item: ...

    def update_item(self, sku: str, changes: ItemChanges, *, create: bool = False) -> Item: ...

    def apply_hts(self, pattern: str, hts_code: str, description: str) -> list[Item]: ...


def _customs_state(item: Item) -> str:
    return "complete" if item.customs_complete else "missing"


SKU_COLUMNS = (
    # A 30-character SKU (the demo's LANTERNS-OF-THE-DEEP-CORE-GAME) whole; longer ones elide.
    Column[Item]("SKU", lambda i: i.sku, tooltip=lambda i: i.sku, width=236),
    Column[Item]("Name", lambda i: i.name, tooltip=lambda i: i.name, width=210),
    Column[Item](
        "Weight (oz)",
        lambda i: i.weight_oz,
        numeric=True,
        foreground=lambda i: "#a4161a" if i.weight_oz <= 0 else None,
        tooltip=lambda i: (
            "No weight yet: estimates and postage will be wrong" if i.weight_oz <= 0 else ""
        ),
        width=88,
    ),
    Column[Item]("Value (USD)", lambda i: f"{i.value_usd:.2f}", numeric=True, width=88),
    Column[Item](
        "HTS code",
        lambda i: i.hts_code,
        # A code that came in with an import or an old database is flagged, not hidden.
        foreground=lambda i: "#a4161a" if i.hts_code and hts_problem(i.hts_code) else None,
        tooltip=lambda i: (hts_problem(i.hts_code) or "") if i.hts_code else "",
        width=100,
    ),
    Column[Item](
        "Customs description",
        lambda i: i.customs_description,
        tooltip=lambda i: i.customs_description,
        width=200,
    ),
    Column[Item]("Origin", lambda i: i.origin_country, width=60),
    Column[Item]("Media Mail", lambda i: i.media_mail_eligible, width=85),
    Column[Item](
        "Customs",
        _customs_state,
        foreground=lambda i: None if i.customs_complete else "#a4161a",
        width=80,
    ),
)


def _changes(item: Item) -> ItemChanges:
    return ItemChanges(
        weight_oz=item.weight_oz,
        value_usd=item.value_usd,
        hts_code=item.hts_code,
        customs_description=item.customs_description,
        origin_country=item.origin_country,
        media_mail_eligible=item.media_mail_eligible,
    )


class SkusPanel(Panel):
    """The SKU catalogue.

    Signals:
        items_loaded(int): the number of SKUs loaded by a refresh.
        items_saved(object): the list of Items a save or batch apply wrote.
    """

    title = "SKUs & customs"
    items_loaded = Signal(int)
    items_saved = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        catalog: CatalogSource,
        ask_edit: Callable[[Item, QWidget], Item | None] | None = None,
        ask_batch: Callable[[list[str], QWidget], HtsBatch | None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._catalog = catalog
        self._ask_edit = ask_edit or SkuEditDialog.ask
        self._ask_batch = ask_batch or ApplyHtsDialog.ask
        self.model = RecordTableModel(SKU_COLUMNS, key=lambda i: i.sku)
        self.view = record_table(self, self.model, SKU_COLUMNS, stretch_column=5)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        # activated: double-click or Enter (connecting doubleClicked too would open two dialogs)
        self.view.activated.connect(self._on_view_activated)

        self.search = search_box(self, "Search SKU, name, HTS… (Ctrl+F)")
        self.search.textChanged.connect(self.model.set_search)
        self.incomplete_only = QCheckBox("Only incomplete customs or weight", self)
        self.incomplete_only.toggled.connect(self._on_incomplete_only_toggled)
        self.edit_button = action_button(self, "Edit…", "Ctrl+E", "Edit the selected SKU")
        self.edit_button.clicked.connect(self.edit_selected)
        self.batch_button = action_button(
            self, "Apply HTS by pattern…", "Ctrl+Shift+H", "One HTS code for all variants"
        )
        self.batch_button.clicked.connect(self.apply_hts_by_pattern)
        self.refresh_button = action_button(self, "Refresh", None, "Reload SKUs (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        self._layout.addLayout(
            tool_row(
                self.search,
                self.incomplete_only,
                self.edit_button,
                self.batch_button,
                self.refresh_button,
                stretch_after=1,
            )
        )
        self._layout.addWidget(self.view, 1)

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        catalog = self._catalog  # resolved in the worker, as every deferred service is
        self._load(lambda: catalog.list_items(), self._on_items_loaded, "Load SKUs")

    def _on_items_loaded(self, items: list[Item]) -> None:
        self.model.set_rows(items)
        missing_customs = sum(1 for i in items if not i.customs_complete)
        missing_weight = sum(1 for i in items if i.weight_oz <= 0)
        self._announce(
            f"{len(items):,} SKUs · {missing_weight:,} without weight · "
            f"{missing_customs:,} with incomplete customs data"
        )
        self.items_loaded.emit(len(items))

    def activated(self) -> None:
        self.reload_if_stale()
        self.view.setFocus()

    @Slot(bool)
    def _on_incomplete_only_toggled(self, checked: bool) -> None:
        self.model.set_predicate(
            (lambda i: not i.customs_complete or i.weight_oz <= 0) if checked else None
        )

    # -- editing ------------------------------------------------------------------------------

    @Slot()
    def _on_view_activated(self) -> None:
        self.edit_selected()

    @Slot()
    def edit_selected(self) -> None:
        chosen = selected_records(self.view, self.model)
        if not chosen:
            self.message_bar.show_message("Select a SKU first.", Tone.WARNING)
            return
        self.edit_item(chosen[0])

    def edit_sku(self, sku: str) -> None:
        """Edit a SKU by code (for other panels): load it off the GUI thread, then ask."""
        self._runner.run(
            lambda: self._catalog.get_item(sku), self.edit_item, self._on_error("Edit SKU")
        )

    def edit_item(self, item: Item) -> None:
        edited = self._ask_edit(item, self)
        if edited is None or edited == item:
            return
        catalog, changes = self._catalog, _changes(edited)
        self._runner.run(
            lambda: [catalog.update_item(edited.sku, changes)],
            self._on_items_saved,
            self._on_error(f"Save SKU {item.sku}"),
            lane="db-write",
        )

    @Slot()
    def apply_hts_by_pattern(self) -> None:
        batch = self._ask_batch([i.sku for i in self.model.rows()], self)
        if batch is None:
            return
        catalog = self._catalog
        self._runner.run(
            lambda: catalog.apply_hts(batch.pattern, batch.hts_code, batch.description),
            self._on_items_saved,
            self._on_error("Apply HTS code"),
            lane="db-write",
        )

    def _on_items_saved(self, items: list[Item]) -> None:
        for item in items:
            if not self.model.replace_row(item):
                self.refresh()
                break
        names = ", ".join(i.sku for i in items[:5]) + (" …" if len(items) > 5 else "")
        self.message_bar.show_message(
            f"Saved {len(items)} SKU{'s' if len(items) != 1 else ''}: {names}.", Tone.SUCCESS
        )
        self.items_saved.emit(items)
        self._changed()
