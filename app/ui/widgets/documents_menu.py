"""A "Documents" button whose menu writes reports, slips, exports and paper labels.

Each entry asks where to save (a file dialog, replaced in tests), then runs on a worker;
the panel's message bar says what was written, or shows the error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QToolButton, QWidget

from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar, Tone

AskPath = Callable[[QWidget, str, str], Path | None]


def ask_save_path(parent: QWidget, title: str, suggested: str) -> Path | None:
    """The system's save dialog (it asks before replacing a file)."""
    suffix = Path(suggested).suffix.lower()
    kinds = {".pdf": "PDF (*.pdf)", ".csv": "CSV (*.csv)"}
    chosen, _ = QFileDialog.getSaveFileName(parent, title, suggested, kinds.get(suffix, ""))
    return Path(chosen) if chosen else None


@dataclass(frozen=True, slots=True)
class DocumentAction:
    """A menu entry: its title, the file name it suggests (None: no file), and the work."""

    title: str
    suggested: Callable[[], str | None]
    work: Callable[[Path | None], str]
    enabled: Callable[[], bool] = lambda: True


class DocumentsButton(QToolButton):
    """The button; `actions` is rebuilt each time the menu opens (names follow the selection).

    Signals:
        written(str): what a finished action wrote.
    """

    written = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        runner: TaskRunner,
        message_bar: MessageBar,
        on_error: Callable[[BaseException], None],
        actions: Callable[[], list[DocumentAction | None]],
        *,
        ask_path: AskPath = ask_save_path,
    ) -> None:
        super().__init__(parent)
        self.setText("Documents")
        self.setToolTip("Reports, packing slips, tracking exports and labels on paper")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._runner = runner
        self._message_bar = message_bar
        self._on_error = on_error
        self._actions = actions
        self._ask_path = ask_path
        self.menu_ = QMenu(self)
        self.menu_.aboutToShow.connect(self._fill)
        self.setMenu(self.menu_)
        self._fill()

    def _fill(self) -> None:
        self.menu_.clear()
        for action in self._actions():
            if action is None:
                self.menu_.addSeparator()
                continue
            entry = self.menu_.addAction(action.title)
            entry.setEnabled(action.enabled())
            entry.triggered.connect(lambda _checked=False, a=action: self.trigger(a))

    def titles(self) -> list[str]:
        return [a.text() for a in self.menu_.actions() if not a.isSeparator()]

    def trigger(self, action: DocumentAction) -> None:
        """Ask for the file (if the action writes one), then run the action on a worker."""
        suggested = action.suggested()
        path: Path | None = None
        if suggested is not None:
            path = self._ask_path(self, action.title, suggested)
            if path is None:
                return
        work, target = action.work, path
        self._message_bar.show_message(f"{action.title.rstrip('…')}…", Tone.INFO)
        self._runner.run(lambda: work(target), self._done, self._on_error, lane="documents")

    def _done(self, text: str) -> None:
        self._message_bar.show_message(text, Tone.SUCCESS)
        self.written.emit(text)
