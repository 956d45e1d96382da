"""Setup > Defaults and Profile: station name, what new groups are offered, label format,
refund-reminder days; where the database lives and "Back up database"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.packages import PackageType
from app.domain.usps_services import SERVICES
from app.infra.settings import DeskDefaults, Settings
from app.services.database_backup import BackupResult
from app.services.desk_settings import LABEL_FORMATS
from app.ui.errors import ErrorPresenter
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone
from app.ui.widgets.toolbar import action_button, tool_row


class DeskSettings(Protocol):
    """app.services.desk_settings.DeskSettingsService."""

    def load(self) -> Settings: ...

    def save(self, desk: DeskDefaults, label_format: str) -> Settings: ...


class PackageTypes(Protocol):
    def list_package_types(self) -> list[PackageType]: ...


class GroupDefaults(Protocol):
    def apply_to_new_groups(self) -> int: ...


class Backups(Protocol):
    def backup(self, target: Path | None = None) -> BackupResult: ...


@dataclass(frozen=True, slots=True)
class DeskView:
    """What the page shows, read in one go on a worker."""

    settings: Settings
    package_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """Where this profile's files are (shown; nothing here needs I/O)."""

    profile: str
    database: Path
    settings: Path
    backups: Path


class DeskPage(QWidget):
    """Signals: loaded(DeskView), saved(Settings), backed_up(BackupResult),
    defaults_applied(int)."""

    loaded = Signal(object)
    saved = Signal(object)
    backed_up = Signal(object)
    defaults_applied = Signal(int)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        settings: DeskSettings,
        package_types: PackageTypes,
        backups: Backups,
        profile: ProfileInfo,
        group_defaults: GroupDefaults | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._presenter = presenter
        self._settings = settings
        self._package_types = package_types
        self._backups = backups
        self._group_defaults = group_defaults
        self.message_bar = MessageBar(self)

        self.station_edit = QLineEdit(self)
        self.station_edit.setPlaceholderText("the host name when empty, e.g. Desk 1")
        self.package_combo = QComboBox(self)
        self.domestic_combo = QComboBox(self)
        self.international_combo = QComboBox(self)
        for service in SERVICES.values():
            combo = self.international_combo if service.international else self.domestic_combo
            combo.addItem(service.title, service.code)
        self.format_combo = QComboBox(self)
        for fmt in LABEL_FORMATS:
            self.format_combo.addItem(fmt, fmt)
        self.reminder_spin = QSpinBox(self)
        self.reminder_spin.setRange(1, 30)  # USPS refunds labels up to 30 days old
        self.reminder_spin.setSuffix(" days")
        self.save_button = action_button(self, "Save defaults")
        self.save_button.clicked.connect(self.save)
        self.apply_button = action_button(
            self, "Apply to groups with no choice yet", None, "Groups already chosen stay"
        )
        self.apply_button.setEnabled(group_defaults is not None)
        self.apply_button.clicked.connect(self.apply_to_new_groups)
        defaults = QGroupBox("Defaults", self)
        form = QFormLayout(defaults)
        form.addRow("&Station name (in the audit log)", self.station_edit)
        form.addRow("&Package type for new groups", self.package_combo)
        form.addRow("&Domestic service for new groups", self.domestic_combo)
        form.addRow("&International service for new groups", self.international_combo)
        form.addRow("&Label format", self.format_combo)
        form.addRow("&Refund reminder after", self.reminder_spin)
        form.addRow("", tool_row(self.save_button, self.apply_button))

        box = QGroupBox("Profile", self)
        pform = QFormLayout(box)
        self.database_label = QLabel(str(profile.database), box)
        self.database_label.setObjectName("databasePath")
        self.database_label.setWordWrap(True)
        pform.addRow("Profile", QLabel(profile.profile, box))
        pform.addRow("Database", self.database_label)
        pform.addRow("Settings", QLabel(str(profile.settings), box))
        self.backup_button = action_button(
            box, "Back up database", None, f"A consistent copy in {profile.backups}"
        )
        self.backup_button.clicked.connect(self.back_up)
        self.backup_label = QLabel(f"Backups go to {profile.backups}.", box)
        self.backup_label.setWordWrap(True)
        pform.addRow("", tool_row(self.backup_button, self.backup_label, stretch_after=1))

        layout = QVBoxLayout(self)
        layout.addWidget(self.message_bar)
        layout.addWidget(defaults)
        layout.addWidget(box)
        layout.addStretch(1)

    def reload(self) -> None:
        settings, types = self._settings, self._package_types

        def fetch() -> DeskView:
            names = tuple(t.name for t in types.list_package_types())
            return DeskView(settings.load(), names)

        self._runner.run(fetch, self._show, self._failed("Load defaults"))

    def _show(self, view: DeskView) -> None:
        desk = view.settings.desk
        self.station_edit.setText(desk.station)
        self.package_combo.clear()
        self.package_combo.addItem("(none: choose per group)", "")
        for name in view.package_types:
            self.package_combo.addItem(name, name)
        _select(self.package_combo, desk.package_type)
        _select(self.domestic_combo, desk.domestic_service)
        _select(self.international_combo, desk.international_service)
        _select(self.format_combo, view.settings.easypost.label_format.upper())
        self.reminder_spin.setValue(desk.refund_reminder_days)
        self.loaded.emit(view)

    def desk_defaults(self) -> DeskDefaults:
        return DeskDefaults(
            station=self.station_edit.text().strip(),
            package_type=str(self.package_combo.currentData() or ""),
            domestic_service=str(self.domestic_combo.currentData()),
            international_service=str(self.international_combo.currentData()),
            refund_reminder_days=self.reminder_spin.value(),
        )

    @Slot()
    def save(self) -> None:
        desk, fmt, store = (
            self.desk_defaults(),
            str(self.format_combo.currentData()),
            self._settings,
        )

        def work() -> Settings:
            return store.save(desk, fmt)

        def done(saved: Settings) -> None:
            self.message_bar.show_message("Defaults saved.", Tone.SUCCESS)
            self.saved.emit(saved)

        self._runner.run(work, done, self._failed("Save defaults"), lane="settings")

    @Slot()
    def apply_to_new_groups(self) -> None:
        """Give the saved defaults to the package groups nobody has chosen for yet."""
        service = self._group_defaults
        if service is None:
            return

        def done(count: int) -> None:
            self.message_bar.show_message(
                f"{count} package group(s) got the defaults."
                if count
                else "Every group has "
                "a choice already; new groups can be given the defaults after an import.",
                Tone.SUCCESS if count else Tone.INFO,
            )
            self.defaults_applied.emit(count)

        self._runner.run(
            service.apply_to_new_groups, done, self._failed("Apply defaults"), lane="settings"
        )

    @Slot()
    def back_up(self) -> None:
        self.backup_button.setEnabled(False)
        self.backup_label.setText("Backing up…")

        def done(result: BackupResult) -> None:
            self.backup_button.setEnabled(True)
            size = f"{result.size_bytes / 1_048_576:.1f} MB"
            self.backup_label.setText(f"Backed up to {result.path} ({size}).")
            self.message_bar.show_message("Database backed up.", Tone.SUCCESS)
            self.backed_up.emit(result)

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.backup_label.setText("The backup failed.")
            self._presenter.present(exc, inline=self.message_bar, action="Back up database")

        self._runner.run(self._backups.backup, done, failed, lane="backup")

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        return self._presenter.handler(self.message_bar, action=action)


def _select(combo: QComboBox, data: str) -> None:
    combo.setCurrentIndex(max(combo.findData(data), 0))
