"""Package groups panel: groups of identical ready orders, their package type and services
(domestic and international), and the international orders blocked by missing customs data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QComboBox, QLabel, QSplitter, QVBoxLayout, QWidget

from app.domain.delivery_target import DELIVERY_TARGET_CHOICES, parse_target
from app.domain.groups import PackageGroup
from app.domain.packages import PackageType
from app.domain.usps_services import SERVICES, service_title
from app.services.grouping import CustomsToFix
from app.ui.errors import ErrorPresenter
from app.ui.models.table import Column, RecordTableModel
from app.ui.panels.base import Panel
from app.ui.panels.common import record_table, reselect, selected_records
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone
from app.ui.widgets.toolbar import action_button, search_box, tool_row

_FIELD_WORDS = {
    "hts_code": "HTS code",
    "customs_description": "description",
    "origin_country": "origin",
}


class GroupsSource(Protocol):
    """What the panel needs of app.services.grouping.GroupingService."""

    def groups(self) -> list[PackageGroup]: ...

    def assign(
        self,
        group_id: str,
        *,
        package_type: str | None,
        service: str | None,
        international_service: str | None = None,
    ) -> PackageGroup | None: ...

    def customs_by_sku(self) -> CustomsToFix: ...


#: The package-type combo's data for its last entry, "New package type…".
NEW_PACKAGE_TYPE = "\x00new"


class PackageTypesSource(Protocol):
    def list_package_types(self) -> list[PackageType]: ...


@dataclass(frozen=True, slots=True)
class SkuToFix:
    """One SKU that blocks international orders, what it lacks, and the orders it blocks."""

    sku: str
    missing: tuple[str, ...]
    order_count: int
    first_refs: tuple[str, ...]  # the first few blocked order numbers
    countries: str

    @property
    def order_refs(self) -> str:
        more = self.order_count - len(self.first_refs)
        return ", ".join(self.first_refs) + (f" and {more} more" if more > 0 else "")


def skus_to_fix(check: CustomsToFix) -> list[SkuToFix]:
    """The customs check by SKU: a packer fixes a SKU once, not each order."""
    return [
        SkuToFix(
            fix.sku,
            _in_form_order(set(fix.missing)),
            fix.orders,
            fix.first_refs,
            ", ".join(fix.countries),
        )
        for fix in check.skus
    ]


def _in_form_order(fields: set[str]) -> tuple[str, ...]:
    known = tuple(f for f in _FIELD_WORDS if f in fields)
    return known + tuple(sorted(fields - set(_FIELD_WORDS)))


@dataclass(frozen=True, slots=True)
class GroupsSnapshot:
    groups: list[PackageGroup]
    blocked: int  # international orders blocked by missing customs data
    package_types: list[PackageType]
    to_fix: list[SkuToFix]


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _weight_text(group: PackageGroup) -> str:
    if not group.skus_without_weight:
        return f"{group.estimated_weight_oz:.1f}"
    if group.estimated_weight_oz <= 0:
        return "unknown"
    return f"≥ {group.estimated_weight_oz:.1f}"  # some SKUs have no weight yet


def _weight_tip(group: PackageGroup) -> str:
    if group.skus_without_weight:
        return (
            "Too low: no weight for "
            + ", ".join(group.skus_without_weight)
            + " (set it under SKUs)"
        )
    return "Items plus the package type's empty weight"


def _international_tip(group: PackageGroup) -> str:
    if group.international and not group.international_service:
        return (
            f"{group.international:,} international orders wait for an Intl service "
            "(or buy them with 'Cheapest for each order')"
        )
    return "For the group's international orders"


GROUP_COLUMNS = (
    Column[PackageGroup]("Group", lambda g: g.group_id, width=120),
    Column[PackageGroup]("Items", lambda g: g.description, tooltip=lambda g: g.description),
    Column[PackageGroup]("Orders", lambda g: g.orders, numeric=True, width=70),
    Column[PackageGroup]("Domestic", lambda g: g.domestic, numeric=True, width=72),
    Column[PackageGroup]("Intl.", lambda g: g.international, numeric=True, width=60),
    Column[PackageGroup](
        "Est. weight (oz)",
        _weight_text,
        sort=lambda g: g.estimated_weight_oz,
        tooltip=_weight_tip,
        foreground=lambda g: "#9a5b00" if g.skus_without_weight else None,
        numeric=True,
        width=105,
    ),
    Column[PackageGroup]("Package type", lambda g: g.package_type or "—", width=150),
    Column[PackageGroup](
        "Service",
        lambda g: service_title(g.service) if g.service else "—",
        tooltip=lambda _g: "For the group's domestic orders",
        width=160,
    ),
    Column[PackageGroup](
        "Intl service",
        lambda g: service_title(g.international_service) if g.international_service else "—",
        tooltip=_international_tip,
        foreground=lambda g: "#9a5b00" if g.international and not g.international_service else None,
        width=232,  # "First-Class Package International" whole at 1366 px
    ),
)

CUSTOMS_COLUMNS = (
    Column[SkuToFix]("SKU to fix", lambda r: r.sku, width=170),
    Column[SkuToFix](
        "Missing", lambda r: ", ".join(_FIELD_WORDS.get(m, m) for m in r.missing), width=230
    ),
    Column[SkuToFix]("Blocked orders", lambda r: r.order_count, numeric=True, width=110),
    Column[SkuToFix]("Countries", lambda r: r.countries, tooltip=lambda r: r.countries, width=150),
    Column[SkuToFix]("Orders", lambda r: r.order_refs, tooltip=lambda r: r.order_refs),
)


class GroupsPanel(Panel):
    """Package groups and the customs check.

    Signals:
        groups_loaded(int): the number of groups loaded by a refresh.
        group_assigned(object): the group as returned by the service after an assignment.
    """

    title = "Package groups"
    groups_loaded = Signal(int)
    group_assigned = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        groups: GroupsSource,
        package_types: PackageTypesSource,
        edit_sku: Callable[[str], None] | None = None,
        new_package_type: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._groups = groups
        self._package_types = package_types
        self._edit_sku = edit_sku
        self._new_package_type = new_package_type
        self._package_type_hint_shown = False

        self.model = RecordTableModel(GROUP_COLUMNS, key=lambda g: g.group_id)
        self.view = record_table(self, self.model, GROUP_COLUMNS, stretch_column=1)
        self.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)

        self.search = search_box(self, "Search SKU or group… (Ctrl+F)")
        self.search.textChanged.connect(self.model.set_search)
        self.package_combo = QComboBox(self)
        self.package_combo.setMinimumWidth(170)
        # A group mixes domestic and international orders: one service for each kind.
        self.service_combo = QComboBox(self)
        self.service_combo.setMinimumWidth(200)
        self.service_combo.setToolTip("The service for the selected groups' domestic orders")
        self.service_combo.addItem("(no service)", "")
        self.intl_service_combo = QComboBox(self)
        self.intl_service_combo.setMinimumWidth(220)
        self.intl_service_combo.setToolTip(
            "The service for the selected groups' international orders"
        )
        self.intl_service_combo.addItem("(no intl service)", "")
        for service in SERVICES.values():
            combo = self.intl_service_combo if service.international else self.service_combo
            combo.addItem(service.title, service.code)
        for target in DELIVERY_TARGET_CHOICES:  # cheapest that SmartRate says arrives in time
            parsed = parse_target(target)
            self.service_combo.addItem(
                f"Cheapest within {parsed.days} days ({parsed.percentile} %)", parsed.spec
            )
        self.package_combo.activated.connect(self._on_package_combo_activated)
        self.service_combo.activated.connect(self._on_service_combo_activated)
        self.intl_service_combo.activated.connect(self._on_intl_service_combo_activated)
        package_label = QLabel("&Package type", self)
        package_label.setBuddy(self.package_combo)
        service_label = QLabel("Domestic ser&vice", self)
        service_label.setBuddy(self.service_combo)
        intl_service_label = QLabel("&Intl service", self)
        intl_service_label.setBuddy(self.intl_service_combo)
        self.selection_label = QLabel("", self)
        self.refresh_button = action_button(self, "Refresh", None, "Recompute groups (F5)")
        self.refresh_button.clicked.connect(self.refresh)
        # Two rows: with three assignment combos one row made the window wider than a laptop.
        self._layout.addLayout(
            tool_row(self.search, self.selection_label, self.refresh_button, stretch_after=1)
        )
        self._layout.addLayout(
            tool_row(
                package_label,
                self.package_combo,
                service_label,
                self.service_combo,
                intl_service_label,
                self.intl_service_combo,
            )
        )

        self.customs_model = RecordTableModel(CUSTOMS_COLUMNS, key=lambda r: r.sku)
        self.customs_view = record_table(
            self, self.customs_model, CUSTOMS_COLUMNS, multi_select=False
        )
        self.customs_view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        self.customs_view.activated.connect(self._on_customs_view_activated)
        self.customs_heading = QLabel("Blocked by customs data", self)
        self.customs_heading.setObjectName("sectionHeading")
        self.fix_button = action_button(
            self, "Fix SKU…", "Ctrl+E", "Edit the selected SKU's customs data"
        )
        self.fix_button.clicked.connect(self._fix_selected_sku)
        self.fix_button.setEnabled(edit_sku is not None)
        customs_box = QWidget(self)
        customs_layout = QVBoxLayout(customs_box)
        customs_layout.setContentsMargins(0, 4, 0, 0)
        customs_layout.addLayout(tool_row(self.customs_heading, self.fix_button, stretch_after=0))
        customs_layout.addWidget(self.customs_view, 1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(customs_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        self._layout.addWidget(splitter, 1)
        self._set_package_types([])
        self._update_controls()

    # -- loading ------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        groups, package_types = self._groups, self._package_types

        def work() -> GroupsSnapshot:
            check = groups.customs_by_sku()
            return GroupsSnapshot(
                groups.groups(),
                check.blocked_orders,
                package_types.list_package_types(),
                skus_to_fix(check),
            )

        self._load(work, self._on_snapshot_loaded, "Load package groups")

    def _on_snapshot_loaded(self, snapshot: GroupsSnapshot) -> None:
        selected = {g.group_id for g in selected_records(self.view, self.model)}
        self._set_package_types(snapshot.package_types)
        if self._package_type_hint_shown and snapshot.package_types:
            self.message_bar.clear()
            self._package_type_hint_shown = False
        if not snapshot.package_types and snapshot.groups:
            self._package_type_hint_shown = True
            self.message_bar.show_message(
                "No package types yet, so groups cannot get one.",
                Tone.INFO,
                "Pick \u201cNew package type\u2026\u201d in the Package type list below "
                "(or open the Package types panel).",
            )
        self.model.set_rows(snapshot.groups)
        rows = snapshot.to_fix
        self.customs_model.set_rows(rows)
        self.customs_heading.setText(
            f"Blocked by customs data: {snapshot.blocked:,} international orders wait "
            f"for {len(rows)} SKU{'s' if len(rows) != 1 else ''}"
            if rows
            else "Customs data: complete for every international order"
        )
        reselect(self.view, self.model, selected, lambda g: g.group_id)
        orders = sum(g.orders for g in snapshot.groups)
        self._announce(
            f"{len(snapshot.groups):,} package groups · {orders:,} ready orders · "
            f"{snapshot.blocked:,} blocked by customs"
        )
        self._update_controls()
        self.groups_loaded.emit(len(snapshot.groups))

    def activated(self) -> None:
        self.reload_if_stale()
        self.view.setFocus()

    def _set_package_types(self, package_types: list[PackageType]) -> None:
        self.package_combo.clear()
        self.package_combo.addItem("(no package type)", "")
        for package_type in package_types:
            self.package_combo.addItem(package_type.name, package_type.name)
        if self._new_package_type is not None:
            self.package_combo.insertSeparator(self.package_combo.count())
            self.package_combo.addItem("New package type…", NEW_PACKAGE_TYPE)

    # -- assigning ----------------------------------------------------------------------------

    def selected_groups(self) -> list[PackageGroup]:
        return selected_records(self.view, self.model)

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_controls()

    def _update_controls(self) -> None:
        chosen = self.selected_groups()
        self.package_combo.setEnabled(bool(chosen))
        self.service_combo.setEnabled(bool(chosen))
        self.intl_service_combo.setEnabled(bool(chosen))
        orders = sum(g.orders for g in chosen)
        self.selection_label.setText(
            f"{_count(len(chosen), 'group')}, {_count(orders, 'order')} selected"
            if chosen
            else "Select groups"
        )
        # Show the selection's common setting; a mixed selection shows nothing chosen.
        for combo, values in (
            (self.package_combo, {g.package_type or "" for g in chosen}),
            (self.service_combo, {g.service or "" for g in chosen}),
            (self.intl_service_combo, {g.international_service or "" for g in chosen}),
        ):
            index = combo.findData(values.pop()) if len(values) == 1 else -1
            combo.setCurrentIndex(index)

    @Slot(int)
    def _on_package_combo_activated(self, _index: int) -> None:
        if self.package_combo.currentData() == NEW_PACKAGE_TYPE:
            self._update_controls()  # back to the selection's own package type
            if self._new_package_type is not None:
                self._new_package_type()
            return
        self.assign_selected(package_type=self.package_combo.currentData(), service=None)

    @Slot(int)
    def _on_service_combo_activated(self, _index: int) -> None:
        self.assign_selected(package_type=None, service=self.service_combo.currentData())

    @Slot(int)
    def _on_intl_service_combo_activated(self, _index: int) -> None:
        self.assign_selected(
            package_type=None,
            service=None,
            international_service=self.intl_service_combo.currentData(),
        )

    def assign_selected(
        self,
        *,
        package_type: str | None,
        service: str | None,
        international_service: str | None = None,
    ) -> None:
        """Persist a package type and/or services ('' clears, None keeps) for selected groups."""
        chosen = [g.group_id for g in self.selected_groups()]
        if not chosen:
            return
        groups = self._groups

        def work() -> list[PackageGroup | None]:
            return [
                groups.assign(
                    group_id,
                    package_type=package_type,
                    service=service,
                    international_service=international_service,
                )
                for group_id in chosen
            ]

        self._runner.run(
            work,
            self._on_assigned,
            self._on_error("Assign package type and services"),
            lane="db-write",
        )

    def _on_assigned(self, updated: list[PackageGroup | None]) -> None:
        changed = [g for g in updated if g is not None]
        for group in changed:
            self.model.replace_row(group)
            self.group_assigned.emit(group)
        self._update_controls()
        if changed:
            first = changed[0]
            what = " and ".join(
                part
                for part in (
                    first.package_type and f"package type {first.package_type}",
                    first.service and f"{service_title(first.service)} (domestic)",
                    first.international_service
                    and f"{service_title(first.international_service)} (international)",
                )
                if part
            )
            self.message_bar.show_message(
                f"Saved for {len(changed)} group{'s' if len(changed) > 1 else ''}: "
                f"{what or 'no package type or services'}.",
                Tone.SUCCESS,
            )

    # -- customs ------------------------------------------------------------------------------

    @Slot()
    def _on_customs_view_activated(self) -> None:
        self._fix_selected_sku()

    @Slot()
    def _fix_selected_sku(self) -> None:
        rows = selected_records(self.customs_view, self.customs_model)
        if rows and self._edit_sku is not None:
            self._edit_sku(rows[0].sku)
