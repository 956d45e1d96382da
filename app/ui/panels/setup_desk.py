"""Setup > Defaults and Profile: station name, what new groups are offered, label format,
refund-reminder days; where the database lives (a PostgreSQL URL to try and switch to) and
"Back up database" (the pg_dump line on a PostgreSQL profile)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt, Signal, Slot
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
from app.services.database_location import ServerProbe, SwitchResult, shown_url
from app.services.desk_settings import LABEL_FORMATS
from app.ui.dialogs.confirm import Confirm, confirm_with_box
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


class DatabaseLocations(Protocol):
    """app.services.database_location.DatabaseLocationService."""

    def test(self, url: str, password: str = "") -> ServerProbe: ...

    def switch(self, url: str, password: str = "") -> SwitchResult: ...


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
    database_url: str | None = None  # the server this run uses (no password), None: the file
    pg_dump_command: str | None = None  # how to back the server database up


class DeskPage(QWidget):
    """Signals: loaded(DeskView), saved(Settings), backed_up(BackupResult),
    defaults_applied(int)."""

    loaded = Signal(object)
    saved = Signal(object)
    backed_up = Signal(object)
    defaults_applied = Signal(int)
    database_tested = Signal(object)  # ServerProbe
    database_switched = Signal(object)  # SwitchResult

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
        locations: DatabaseLocations | None = None,
        confirm: Confirm = confirm_with_box,
        restart: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._locations = locations
        self._profile = profile
        self.confirm = confirm
        self._restart = restart  # restarts Packdesk (the switch takes effect at a start)
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
        where = profile.database_url or str(profile.database)  # the server, or this PC's file
        self.database_label = QLabel(where, box)
        self.database_label.setObjectName("databasePath")
        self.database_label.setWordWrap(True)
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        pform.addRow("Profile", QLabel(profile.profile, box))
        pform.addRow("Database", self.database_label)
        pform.addRow("Settings", QLabel(str(profile.settings), box))
        self._add_database_url_rows(box, pform)
        on_server = profile.pg_dump_command is not None
        self.backup_button = action_button(
            box,
            "Back up database",
            None,
            "How to back up the server database (pg_dump)"
            if on_server
            else f"A consistent copy in {profile.backups}",
        )
        self.backup_button.clicked.connect(self.back_up)
        self.backup_label = QLabel(
            "The server database is backed up with pg_dump."
            if on_server
            else f"Backups go to {profile.backups}.",
            box,
        )
        self.backup_label.setWordWrap(True)
        self.backup_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        backup_row = tool_row(self.backup_button, self.backup_label, stretch_after=1)
        backup_row.setStretchFactor(self.backup_label, 10)  # the words, not the gap, get the room
        pform.addRow("", backup_row)
        # The pg_dump line on a server profile: read-only, whole and easy to copy.
        self.backup_command = QLineEdit(profile.pg_dump_command or "", box)
        self.backup_command.setObjectName("pgDumpCommand")
        self.backup_command.setReadOnly(True)
        self.backup_command.setVisible(False)
        pform.addRow("", self.backup_command)

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
            lambda: service.apply_to_new_groups(),
            done,
            self._failed("Apply defaults"),
            lane="settings",
        )

    def _add_database_url_rows(self, box: QGroupBox, form: QFormLayout) -> None:
        """The database URL field: try a PostgreSQL URL on a worker, then switch to it."""
        self.url_edit = QLineEdit(self._profile.database_url or "", box)
        self.url_edit.setObjectName("databaseUrl")
        self.url_edit.setPlaceholderText(
            "postgresql://user@host:5432/dbname (empty: this PC's file)"
        )
        self.password_edit = QLineEdit(box)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("kept in the keyring; empty: keyring or ~/.pgpass")
        self.test_button = action_button(
            box, "Test connection", None, "Connect and look, change nothing"
        )
        self.test_button.clicked.connect(self.test_database)
        self.switch_button = action_button(
            box, "Use this database…", None, "Switch this profile at the next start"
        )
        self.switch_button.clicked.connect(self.switch_database)
        self.url_label = QLabel("", box)
        self.url_label.setWordWrap(True)
        for widget in (self.url_edit, self.password_edit, self.test_button, self.switch_button):
            widget.setEnabled(self._locations is not None)
        form.addRow("Database &URL", self.url_edit)
        form.addRow("Database pass&word", self.password_edit)
        form.addRow("", tool_row(self.test_button, self.switch_button, stretch_after=1))
        form.addRow("", self.url_label)

    def _database_busy(self, busy: bool, text: str = "") -> None:
        for button in (self.test_button, self.switch_button):
            button.setEnabled(not busy and self._locations is not None)
        if text:
            self.url_label.setText(text)

    @Slot()
    def test_database(self) -> None:
        """Try the URL on a worker (up to 5 s); nothing is saved."""
        locations, url, password = self._locations, self.url_edit.text(), self.password_edit.text()
        if locations is None:
            return
        self._database_busy(True, "Connecting…")

        def done(probe: ServerProbe) -> None:
            self._database_busy(False, _probe_text(probe))
            self.message_bar.show_message(f"Connected to {probe.url}.", Tone.SUCCESS)
            self.database_tested.emit(probe)

        def failed(exc: BaseException) -> None:
            self._database_busy(False, "Not connected.")
            self._presenter.present(exc, inline=self.message_bar, action="Test connection")

        self._runner.run(lambda: locations.test(url, password), done, failed, lane="database-url")

    @Slot()
    def switch_database(self) -> None:
        """Ask, then store the URL (tried first; its password to the keyring) and restart."""
        locations, url, password = self._locations, self.url_edit.text(), self.password_edit.text()
        if locations is None:
            return
        target = url.strip() or "this PC's own database file"
        if not self.confirm(
            self,
            "Switch the database",
            f"This profile will use {shown_url(target)} from the next start. Packdesk "
            "restarts now to use it (what is running here finishes first). Switch and restart?",
        ):
            return
        self._database_busy(True, "Connecting…")

        def done(result: SwitchResult) -> None:
            self.password_edit.clear()
            where = result.url or "this PC's own file"
            note = (
                " (--db or PACKDESK_DB still names another database for runs that set it)"
                if result.overridden
                else ""
            )
            self._database_busy(False, f"Switched to {where}{note}.")
            self.message_bar.show_message(
                f"The profile now uses {where}{note}; restarting Packdesk.", Tone.SUCCESS
            )
            self.database_switched.emit(result)
            if self._restart is not None:
                self._restart()

        def failed(exc: BaseException) -> None:
            self._database_busy(False, "Not switched.")
            self._presenter.present(exc, inline=self.message_bar, action="Switch the database")

        self._runner.run(lambda: locations.switch(url, password), done, failed, lane="database-url")

    @Slot()
    def back_up(self) -> None:
        command = self._profile.pg_dump_command
        if command is not None:  # a server database: no file here to copy
            self.backup_label.setText(
                "Back up the server database with this pg_dump line, on the server or any PC "
                "with PostgreSQL's client tools (it reads the password from ~/.pgpass or asks):"
            )
            self.backup_command.setText(command)
            self.backup_command.setVisible(True)
            self.backup_command.selectAll()
            self.message_bar.show_message(
                "This database is on a PostgreSQL server: back it up with pg_dump (the "
                "command is below; docs/MULTI-DESK.md has a schedule and the restore).",
                Tone.INFO,
            )
            return
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

        backups = self._backups  # resolved in the worker, like every deferred service
        self._runner.run(lambda: backups.backup(), done, failed, lane="backup")

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        return self._presenter.handler(self.message_bar, action=action)


def _probe_text(probe: ServerProbe) -> str:
    if probe.revision:
        held = f"a Packdesk database (schema {probe.revision})"
    elif probe.tables:
        held = f"{probe.tables} table(s), none of them Packdesk's"
    else:
        held = "an empty database (Packdesk creates its tables at the first start)"
    return f"Connected: PostgreSQL {probe.server_version}, {held}."


def _select(combo: QComboBox, data: str) -> None:
    combo.setCurrentIndex(max(combo.findData(data), 0))
