"""Package types panel: the list of boxes, mailers and USPS packages, and an editor beside it."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import AppError
from app.domain.package_limits import (
    PREDEFINED_SIZES,
    PackageProblem,
    Severity,
    check_package_type,
)
from app.services.package_types import PackageTypeDraft, PackageTypeEntry, build_package_type
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, reselect, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, search_box, tool_row

CUSTOM = ""  # the kind combo's data for a custom L x W x H box


class PackageTypesSource(Protocol):
    """What the panel needs of app.services.package_types.PackageTypeService."""

    def list(self) -> list[PackageTypeEntry]: ...

    def add(self, draft: PackageTypeDraft) -> PackageTypeEntry: ...

    def update(self, name: str, draft: PackageTypeDraft) -> PackageTypeEntry: ...

    def remove(self, name: str) -> None: ...


def _groups_text(entry: PackageTypeEntry) -> str:
    return "\n".join(g.text for g in entry.groups)


def _warnings(entry: PackageTypeEntry) -> str:
    return "\n".join(p.message for p in entry.problems)


def package_text(entry: PackageTypeEntry) -> str:
    """A USPS package by its size and USPS name, not EasyPost's code; a custom box by its size.

    The size comes first, as on the custom boxes' rows: a narrow column elides the name.
    """
    known = PREDEFINED_SIZES.get(entry.package_type.predefined or "")
    if known is None:
        return entry.size_text
    return f"{known.size_text}, {known.description}"


def _package_tooltip(entry: PackageTypeEntry) -> str:
    return "\n".join(filter(None, (package_text(entry), _warnings(entry))))


# The widths keep every column inside the list beside the editor at 1366 px
# (tests/ui/test_tables_fit_laptop.py).
PACKAGE_TYPE_COLUMNS = (
    Column[PackageTypeEntry]("Name", lambda e: e.name, width=150),
    Column[PackageTypeEntry]("Package", package_text, tooltip=_package_tooltip, width=198),
    Column[PackageTypeEntry](
        "Empty (oz)", lambda e: e.package_type.empty_weight_oz, numeric=True, width=76
    ),
    Column[PackageTypeEntry]("Machinable", lambda e: e.package_type.machinable, width=82),
    Column[PackageTypeEntry]("Irregular", lambda e: e.package_type.irregular, width=66),
    Column[PackageTypeEntry](
        "Groups", lambda e: len(e.groups), numeric=True, tooltip=_groups_text, width=58
    ),
    Column[PackageTypeEntry](
        "Notes",
        lambda e: "; ".join(p.message for p in e.problems),
        tooltip=_warnings,
        foreground=lambda e: "#8a5a00" if e.problems else None,
        width=55,  # the stretched last column never shrinks below its starting width
    ),
)


def _inch_box(parent: QWidget) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setDecimals(2)
    box.setRange(0.0, 200.0)
    box.setSingleStep(0.25)
    box.setSuffix(" in")
    return box


class PackageTypesPanel(Panel):
    """List and edit package types; every rule is PackageTypeService's.

    Signals:
        types_loaded(int): the number of package types a refresh showed.
        type_saved(object): the PackageTypeEntry an add or an edit stored.
        type_removed(str): the name of a deleted package type.
    """

    title = "Package types"
    types_loaded = Signal(int)
    type_saved = Signal(object)
    type_removed = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        package_types: PackageTypesSource,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._service = package_types
        self._editing: str | None = None  # the stored name being edited; None for a new one
        self._select_after: str | None = None  # a saved type to select once the list reloads

        self.model = RecordTableModel(PACKAGE_TYPE_COLUMNS, key=lambda e: e.name)
        self.view = record_table(self, self.model, PACKAGE_TYPE_COLUMNS, multi_select=False)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.search = search_box(self, "Search name or package… (Ctrl+F)")
        self.search.textChanged.connect(self.model.set_search)
        self.new_button = action_button(self, "New package type", "Ctrl+N", "Start a new one")
        self.new_button.clicked.connect(self.new_type)
        self._layout.addLayout(tool_row(self.search, self.new_button, stretch_after=0))

        editor = QGroupBox("Package type", self)
        self.name_edit = QLineEdit(editor)
        self.name_edit.setPlaceholderText("what packers call it, e.g. Mailer 10x13")
        self.kind_combo = QComboBox(editor)
        self.kind_combo.addItem("Custom box or mailer (L x W x H)", CUSTOM)
        for package in PREDEFINED_SIZES.values():
            self.kind_combo.addItem(
                f"USPS {package.description} ({package.size_text})", package.code
            )
        self.kind_combo.setToolTip("USPS predefined packages are the names EasyPost knows")
        # The longest USPS name would otherwise set the editor's width and squeeze the list.
        self.kind_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kind_combo.setMinimumContentsLength(28)
        self.length_box, self.width_box, self.height_box = (_inch_box(editor) for _ in range(3))
        self.weight_box = QDoubleSpinBox(editor)
        self.weight_box.setDecimals(2)
        self.weight_box.setRange(0.0, 2000.0)
        self.weight_box.setSuffix(" oz")
        self.weight_box.setToolTip("The empty package's weight (tare), added to every parcel")
        self.machinable_box = QCheckBox("Machinable (6 x 3 x 0.25 in to 22 x 18 x 15 in)", editor)
        self.machinable_box.setChecked(True)
        self.irregular_box = QCheckBox("Irregular parcel (tube, roll, odd shape)", editor)
        self.problems_label = QLabel("", editor)
        self.problems_label.setWordWrap(True)
        self.problems_label.setObjectName("packageProblems")
        self.groups_label = QLabel("", editor)
        self.groups_label.setWordWrap(True)
        self.save_button = QPushButton("Save", editor)
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("Delete", editor)
        self.delete_button.clicked.connect(self.delete_selected)
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Package", self.kind_combo)
        # One row each: three spin boxes side by side would make the editor wider than 420 px.
        form.addRow("&Length", self.length_box)
        form.addRow("W&idth", self.width_box)
        form.addRow("Hei&ght", self.height_box)
        form.addRow("&Empty weight", self.weight_box)
        form.addRow("", self.machinable_box)
        form.addRow("", self.irregular_box)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        editor_layout = QVBoxLayout(editor)
        editor_layout.addLayout(form)
        editor_layout.addWidget(self.problems_label)
        editor_layout.addWidget(self.groups_label)
        editor_layout.addLayout(buttons)
        editor_layout.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.view)
        splitter.addWidget(editor)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        # The list's columns need ~690 px; the editor reads well at 420.
        editor.setMaximumWidth(420)
        splitter.setSizes([780, 420])
        self._layout.addWidget(splitter, 1)

        for box in (self.length_box, self.width_box, self.height_box, self.weight_box):
            box.valueChanged.connect(self._on_draft_changed)
        self.kind_combo.currentIndexChanged.connect(self._on_draft_changed)
        self.machinable_box.toggled.connect(self._on_draft_changed)
        self.irregular_box.toggled.connect(self._on_draft_changed)
        self.name_edit.textChanged.connect(self._on_draft_changed)
        self.new_type()

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        service = self._service
        self._load(lambda: service.list(), self._on_loaded, "Load package types")

    def _on_loaded(self, entries: list[PackageTypeEntry]) -> None:
        selected = {e.name for e in selected_records(self.view, self.model)}
        if self._select_after is not None:
            selected, self._select_after = {self._select_after}, None
        self.model.set_rows(entries)
        reselect(self.view, self.model, selected, lambda e: e.name)
        used = sum(1 for e in entries if e.groups)
        self._announce(f"{len(entries):,} package types · {used:,} used by package groups")
        self.types_loaded.emit(len(entries))

    # -- the editor ---------------------------------------------------------------------------

    @Slot()
    def new_type(self) -> None:
        """Clear the editor for a new package type (the groups panel's "New package type…")."""
        self.view.clearSelection()
        self._editing = None
        self.name_edit.clear()
        self.kind_combo.setCurrentIndex(0)
        for box in (self.length_box, self.width_box, self.height_box):
            box.setValue(0.0)
        self.weight_box.setValue(0.0)
        self.machinable_box.setChecked(True)
        self.irregular_box.setChecked(False)
        self.groups_label.setText("")
        self.delete_button.setEnabled(False)
        self.name_edit.setFocus()
        self._on_draft_changed()

    def _show_entry(self, entry: PackageTypeEntry) -> None:
        pt = entry.package_type
        self._editing = pt.name
        self.name_edit.setText(pt.name)
        index = self.kind_combo.findData(pt.predefined or CUSTOM)
        self.kind_combo.setCurrentIndex(max(index, 0))
        for box, value in (
            (self.length_box, pt.length_in),
            (self.width_box, pt.width_in),
            (self.height_box, pt.height_in),
        ):
            box.setValue(float(value or 0))
        self.weight_box.setValue(float(pt.empty_weight_oz))
        self.machinable_box.setChecked(pt.machinable)
        self.irregular_box.setChecked(pt.irregular)
        self.groups_label.setText(
            f"Used by {len(entry.groups)} package group{'s' if len(entry.groups) != 1 else ''}"
            f" (a change reaches all of them): {', '.join(g.group_id for g in entry.groups)}"
            if entry.groups
            else "No package group uses it."
        )
        self.delete_button.setEnabled(True)
        self._on_draft_changed()

    def draft(self) -> PackageTypeDraft:
        """What the editor holds, as the service takes it."""
        predefined = self.kind_combo.currentData() or None
        dims = tuple(
            Decimal(str(round(b.value(), 2)))
            for b in (self.length_box, self.width_box, self.height_box)
        )
        return PackageTypeDraft(
            self.name_edit.text(),
            predefined=predefined,
            dimensions=None if predefined else (dims[0], dims[1], dims[2]),
            empty_weight_oz=Decimal(str(round(self.weight_box.value(), 2))),
            machinable=self.machinable_box.isChecked(),
            irregular=self.irregular_box.isChecked(),
        )

    @Slot()
    def _on_draft_changed(self) -> None:
        custom = not self.kind_combo.currentData()
        for box in (self.length_box, self.width_box, self.height_box):
            box.setEnabled(custom)
        # The check is pure (no database): it runs as the user types.
        draft = self.draft()
        if not draft.name.strip() or (custom and any(d <= 0 for d in draft.dimensions or ())):
            self.problems_label.setText("Give a name and, for a custom box, L x W x H in inches.")
            self.problems_label.setStyleSheet("color:#555;")
            self.save_button.setEnabled(False)
            return
        try:
            problems = check_package_type(build_package_type(draft))
        except AppError as error:
            self._show_problems([PackageProblem(Severity.ERROR, error.message, error.hint)])
            return
        self._show_problems(problems)

    def _show_problems(self, problems: list[PackageProblem]) -> None:
        errors = [p for p in problems if p.severity is Severity.ERROR]
        lines = [
            f"{'Not allowed' if p.severity is Severity.ERROR else 'Note'}: {p.message}"
            + (f" {p.fix}" if p.fix else "")
            for p in problems
        ]
        self.problems_label.setText("\n".join(lines) or "Within USPS limits.")
        colour = "#a4161a" if errors else ("#8a5a00" if problems else "#174d2a")
        self.problems_label.setStyleSheet(f"color:{colour};")
        self.save_button.setEnabled(not errors)

    @Slot()
    def _on_selection_changed(self) -> None:
        chosen = selected_records(self.view, self.model)
        if chosen:
            self._show_entry(chosen[0])

    # -- saving and deleting ------------------------------------------------------------------

    @Slot()
    def save(self) -> None:
        """Add the drafted type, or change the one being edited (on the database lane)."""
        draft, editing, service = self.draft(), self._editing, self._service

        def work() -> PackageTypeEntry:
            if editing is None:
                return service.add(draft)
            return service.update(editing, draft)

        action = "Add package type" if editing is None else "Save package type"
        self._runner.run(work, self._on_saved, self._on_error(action), lane="db-write")

    def _on_saved(self, entry: PackageTypeEntry) -> None:
        self._editing = entry.name
        groups = len(entry.groups)
        reach = f"; {groups} package group(s) ship in it as changed." if groups else "."
        self.message_bar.show_message(
            f"Saved package type {entry.name}: {package_text(entry)}{reach}", Tone.SUCCESS
        )
        self._changed()
        self.type_saved.emit(entry)
        self._select_after = entry.name
        self.refresh()

    @Slot()
    def delete_selected(self) -> None:
        """Delete the type being edited; the service refuses (naming groups) if it is in use."""
        name, service = self._editing, self._service
        if name is None:
            return

        def work() -> str:
            service.remove(name)
            return name

        self._runner.run(
            work, self._on_removed, self._on_error("Delete package type"), lane="db-write"
        )

    def _on_removed(self, name: str) -> None:
        self.message_bar.show_message(f"Deleted package type {name}.", Tone.SUCCESS)
        self.new_type()
        self._changed()
        self.type_removed.emit(name)
        self.refresh()
