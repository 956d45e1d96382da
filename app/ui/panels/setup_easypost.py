"""Setup > EasyPost: the mode, the test and production keys (password fields), Test connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.infra.secrets import KeyStatus
from app.infra.settings import EasyPostMode
from app.services.easypost_setup import ConnectionCheck, EasyPostOverview
from app.ui.errors import ErrorPresenter
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone
from app.ui.widgets.toolbar import action_button, tool_row

MODE_TEXT = {
    EasyPostMode.SANDBOX: "Sandbox: offline, nothing is bought (practice and demo)",
    EasyPostMode.TEST: "Test: EasyPost's test mode, free labels that are not real postage",
    EasyPostMode.PRODUCTION: "Production: REAL postage, charged to the EasyPost account",
}
_SOURCE_TEXT = {
    "env": "from $EASYPOST_API_KEY",
    "keyring": "saved in the system keyring",
    "none": "not set",
    "unavailable": "no keyring on this desk",
}


class EasyPostSetup(Protocol):
    """app.services.easypost_setup.EasyPostSetupService."""

    def overview(self) -> EasyPostOverview: ...

    def set_mode(self, mode: EasyPostMode) -> EasyPostOverview: ...

    def set_key(self, mode: EasyPostMode, key: str) -> KeyStatus: ...

    def test_connection(
        self, mode: EasyPostMode | None = None, typed_key: str = ""
    ) -> ConnectionCheck: ...


class EasyPostPage(QWidget):
    """Mode, keys and the connection test; every service call runs on the TaskRunner.

    Signals:
        overview_loaded(object): the EasyPostOverview shown.
        mode_saved(object): the EasyPostOverview after the mode was saved.
        key_saved(object): the KeyStatus of the key just saved.
        connection_checked(object): the ConnectionCheck of a Test connection.
    """

    overview_loaded = Signal(object)
    mode_saved = Signal(object)
    key_saved = Signal(object)
    connection_checked = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        easypost: EasyPostSetup,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._presenter = presenter
        self._easypost = easypost
        self.message_bar = MessageBar(self)
        self.keyring_bar = MessageBar(self)  # the no-keyring explanation, when it applies

        self.mode_combo = QComboBox(self)
        for mode in (EasyPostMode.SANDBOX, EasyPostMode.TEST, EasyPostMode.PRODUCTION):
            self.mode_combo.addItem(MODE_TEXT[mode], mode)
        self.save_mode_button = action_button(self, "Save mode", None, "Used from the next start")
        self.save_mode_button.clicked.connect(self.save_mode)
        self.mode_note = QLabel("", self)

        self.key_edits: dict[EasyPostMode, QLineEdit] = {}
        self.key_labels: dict[EasyPostMode, QLabel] = {}
        self.save_key_buttons: dict[EasyPostMode, object] = {}
        form = QFormLayout()
        form.addRow("&Mode", self.mode_combo)
        form.addRow("", tool_row(self.save_mode_button, self.mode_note, stretch_after=1))
        for mode, prefix in ((EasyPostMode.TEST, "EZTK"), (EasyPostMode.PRODUCTION, "EZAK")):
            edit = QLineEdit(self)
            edit.setEchoMode(QLineEdit.EchoMode.Password)  # never shown, never logged
            edit.setPlaceholderText(f"{prefix}… (paste the {mode} key; it is not shown)")
            edit.setObjectName(f"{mode.value}KeyEdit")
            edit.setMinimumWidth(420)
            status = QLabel("…", self)
            save = action_button(self, f"Save {mode} key", None, "Store it in the system keyring")
            save.clicked.connect(lambda _c=False, m=mode: self.save_key(m))
            self.key_edits[mode], self.key_labels[mode] = edit, status
            self.save_key_buttons[mode] = save
            form.addRow(f"{mode.value.capitalize()} key", tool_row(edit, save, stretch_after=None))
            form.addRow("", status)

        self.test_button = action_button(
            self, "Test connection", None, "Call EasyPost with the selected mode's key"
        )
        self.test_button.clicked.connect(self.test_connection)
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("connectionResult")
        self.result_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.message_bar)
        layout.addWidget(self.keyring_bar)
        layout.addLayout(form)
        layout.addLayout(tool_row(self.test_button))
        layout.addWidget(self.result_label)
        layout.addStretch(1)

    # -- loading ------------------------------------------------------------------------------

    def reload(self) -> None:
        easypost = self._easypost
        # The service is resolved in the worker, not here: building it imports the gateway.
        self._runner.run(
            lambda: easypost.overview(), self._show, self._failed("Load EasyPost settings")
        )

    def _show(self, overview: EasyPostOverview) -> None:
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(overview.saved_mode), 0))
        if overview.saved_mode is overview.running_mode:
            self.mode_note.setText(f"This window talks to {overview.running_mode}.")
        else:
            self.mode_note.setText(
                f"This window talks to {overview.running_mode}; {overview.saved_mode} is used "
                "from the next start."
            )
        for status in overview.keys:
            self._show_key(status)
        if overview.keyring.available:
            self.keyring_bar.clear()
        else:
            self.keyring_bar.show_message(
                overview.keyring.message, Tone.WARNING, overview.keyring.hint
            )
        self.overview_loaded.emit(overview)

    def _show_key(self, status: KeyStatus) -> None:
        label = self.key_labels.get(EasyPostMode(status.mode))
        if label is None:
            return
        text = _SOURCE_TEXT.get(status.source, status.source)
        if status.masked:
            text = f"{status.masked}, {text}"
        if status.problem and status.source != "unavailable":  # that one is said above
            text += f" — {status.problem}"
        label.setText(text)

    # -- actions ------------------------------------------------------------------------------

    def selected_mode(self) -> EasyPostMode:
        return EasyPostMode(self.mode_combo.currentData())

    @Slot()
    def save_mode(self) -> None:
        mode, easypost = self.selected_mode(), self._easypost

        def done(overview: EasyPostOverview) -> None:
            self._show(overview)
            tone = Tone.WARNING if mode is EasyPostMode.PRODUCTION else Tone.SUCCESS
            extra = " Labels bought in production cost real money." if tone is Tone.WARNING else ""
            self.message_bar.show_message(f"Mode saved: {mode}.{extra}", tone)
            self.mode_saved.emit(overview)

        self._runner.run(
            lambda: easypost.set_mode(mode), done, self._failed("Save mode"), lane="settings"
        )

    def save_key(self, mode: EasyPostMode) -> None:
        edit = self.key_edits[mode]
        key, easypost = edit.text().strip(), self._easypost
        if not key:
            self.message_bar.show_message(f"Paste the {mode} key first.", Tone.WARNING)
            return

        def done(status: KeyStatus) -> None:
            edit.clear()  # out of the widget as soon as it is stored
            self._show_key(status)
            self.message_bar.show_message(f"The {mode} key is saved.", Tone.SUCCESS)
            self.key_saved.emit(status)

        self._runner.run(
            lambda: easypost.set_key(mode, key), done, self._failed(f"Save the {mode} key")
        )

    @Slot()
    def test_connection(self) -> None:
        mode, easypost = self.selected_mode(), self._easypost
        edit = self.key_edits.get(mode)
        typed = edit.text().strip() if edit is not None else ""
        self.test_button.setEnabled(False)
        self.result_label.setText(f"Testing the {mode} connection…")

        def done(check: ConnectionCheck) -> None:
            self.test_button.setEnabled(True)
            self.result_label.setText(
                f"✔ {check.message}" if check.ok else f"✘ {check.message}\nFix: {check.fix}"
            )
            self.result_label.setProperty("ok", check.ok)
            self.connection_checked.emit(check)

        def failed(exc: BaseException) -> None:
            self.test_button.setEnabled(True)
            self.result_label.setText("")
            self._presenter.present(exc, inline=self.message_bar, action="Test connection")

        self._runner.run(lambda: easypost.test_connection(mode, typed), done, failed)

    def _failed(self, action: str) -> Callable[[BaseException], None]:
        return self._presenter.handler(self.message_bar, action=action)
