"""The Setup panel: a checklist of what the desk still lacks, over five pages (EasyPost,
Ship-from, Printers, Defaults & profile). Every rule is in a service the CLI uses too."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from app.services.setup_checklist import SetupState
from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.setup_desk import DeskPage
from app.ui.panels.setup_easypost import EasyPostPage
from app.ui.panels.setup_printers import PrintersPage
from app.ui.panels.setup_ship_from import ShipFromPage
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import Tone


class Checklist(Protocol):
    """app.services.setup_checklist.SetupChecklistService."""

    def check(self) -> SetupState: ...


#: Which page fixes which checklist item.
_PAGE_OF = {"easypost_key": 0, "ship_from": 1, "printer": 2}


class SetupPanel(Panel):
    """Signals: checklist_loaded(SetupState), every time the checklist is computed."""

    title = "Setup"
    checklist_loaded = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        presenter: ErrorPresenter,
        *,
        checklist: Checklist,
        easypost: EasyPostPage,
        ship_from: ShipFromPage,
        printers: PrintersPage,
        desk: DeskPage,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(runner, presenter, parent)
        self._checklist = checklist
        self.state: SetupState | None = None
        self.checklist_label = QLabel("Checking what this desk still needs…", self)
        self.checklist_label.setObjectName("setupChecklist")
        self.checklist_label.setWordWrap(True)
        self.checklist_label.setTextFormat(Qt.TextFormat.PlainText)
        self.easypost, self.ship_from, self.printers, self.desk = (
            easypost,
            ship_from,
            printers,
            desk,
        )
        self.tabs = QTabWidget(self)
        self.tabs.addTab(easypost, "EasyPost")
        self.tabs.addTab(ship_from, "Ship-from addresses")
        self.tabs.addTab(printers, "Printers")
        self.tabs.addTab(desk, "Defaults && profile")
        self._layout.addWidget(self.checklist_label)
        self._layout.addWidget(self.tabs, 1)
        # Anything saved may tick an item off.
        easypost.key_saved.connect(lambda _s: self.check())
        easypost.mode_saved.connect(lambda _s: self.check())
        ship_from.saved.connect(lambda _s: self._saved_shared_data())
        printers.changed.connect(lambda _s: self._saved_shared_data())
        desk.defaults_applied.connect(lambda _n: self._changed())  # the groups panels reload

    def refresh(self) -> None:
        self._stale = False
        if self._runner.closing:  # a result delivered during shutdown asks for more
            return
        self.check()
        for page in (self.easypost, self.ship_from, self.printers, self.desk):
            page.reload()

    def check(self) -> None:
        """Recompute the checklist on a worker (also at start, for the opens-first rule)."""
        checklist = self._checklist  # resolved in the worker, like every deferred service
        self._runner.run(
            lambda: checklist.check(),
            self._show_checklist,
            self._on_error("Check setup", user_action=False),
        )

    def _saved_shared_data(self) -> None:
        self._changed()  # the Buy & print and Print queue panels show printers and senders
        self.check()

    def _show_checklist(self, state: SetupState) -> None:
        self.state = state
        lines = []
        for item in state.items:
            mark = "✔" if item.done else "✘"
            lines.append(
                f"{mark} {item.title}: {item.detail}" + ("" if item.done else f" → {item.fix}")
            )
        self.checklist_label.setText("\n".join(lines))
        if state.complete:
            self.message_bar.show_message(
                "This desk is set up: it can buy and print.", Tone.SUCCESS
            )
            self._announce("Setup complete")
        else:
            missing = ", ".join(item.title for item in state.missing)
            self.message_bar.show_message(f"Still missing: {missing}.", Tone.WARNING)
            self._announce(f"Setup: {len(state.missing)} item(s) missing")
        self.checklist_loaded.emit(state)

    def show_first_missing(self) -> None:
        """Open the page that fixes the first missing item."""
        if self.state is not None and self.state.missing:
            self.tabs.setCurrentIndex(_PAGE_OF.get(self.state.missing[0].key, 0))


def open_setup_printers(widget: QWidget) -> bool:
    """Show Setup > Printers in `widget`'s main window; False when it has no Setup panel."""
    window = widget.window()
    panels = getattr(window, "panels", {})
    setup = panels.get("setup") if isinstance(panels, dict) else None
    show = getattr(window, "show_panel", None)
    if not isinstance(setup, SetupPanel) or not callable(show):
        return False
    show("setup")
    setup.tabs.setCurrentWidget(setup.printers)
    return True
