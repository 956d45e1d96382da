"""Panel: what every page of the main window shares (a message bar, refresh, a status line)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from app.ui.errors import ErrorPresenter
from app.ui.tasks import TaskRunner
from app.ui.widgets.message_bar import MessageBar
from app.ui.widgets.toolbar import tool_row

T = TypeVar("T")


class Panel(QWidget):
    """A page of the main window.

    Signals:
        status_changed(str): a one-line summary for the status bar ("412 orders, 37 ready").
        data_changed(): this panel changed shared data (orders, groups); others may refresh.
    """

    status_changed = Signal(str)
    data_changed = Signal()

    title = "Panel"

    def __init__(
        self, runner: TaskRunner, presenter: ErrorPresenter, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._presenter = presenter
        self._load_in_flight = False
        self._load_again = False
        self._stale = True  # nothing loaded yet
        self.message_bar = MessageBar(self)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(12, 12, 12, 8)
        self._layout.setSpacing(8)
        heading = QLabel(self.title, self)
        heading.setObjectName("panelHeading")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        heading.setFont(font)
        self._layout.addWidget(heading)
        self._layout.addWidget(self.message_bar)

    def add_tools(self, *widgets: QWidget) -> None:
        """Extra tools a factory adds to a panel: at the end of its first tool row (a row of
        their own when it has none), so the table keeps its height."""
        for index in range(self._layout.count()):
            item = self._layout.itemAt(index)
            row = item.layout() if item is not None else None
            if isinstance(row, QHBoxLayout):
                for widget in widgets:
                    row.addWidget(widget)
                return
        self._layout.insertLayout(2, tool_row(*widgets))

    def refresh(self) -> None:
        """Reload what the panel shows (F5). Panels without data do nothing."""

    def _load(
        self,
        fetch: Callable[[], T],
        show: Callable[[T], None],
        action: str,
        lane: str | None = None,
    ) -> None:
        """Fetch on a worker (in `lane` if given) and show the result; one load at a time,
        never a stale one.

        A reload asked for while a load runs is not dropped: that load may have read the data
        before the change that prompted the reload, so its result is discarded and the data is
        fetched again.
        """
        self._stale = False
        if self._runner.closing:  # a result delivered during shutdown asks for more
            return
        if self._load_in_flight:
            self._load_again = True
            return
        self._load_in_flight = True
        self._load_again = False

        def done(result: T) -> None:
            self._load_in_flight = False
            if self._load_again:
                self._load(fetch, show, action, lane)
            else:
                show(result)

        def failed(exc: BaseException) -> None:
            self._load_in_flight = False
            self._load_again = False
            self._presenter.present(exc, inline=self.message_bar, action=action)

        self._runner.run(fetch, done, failed, lane=lane)

    def activated(self) -> None:
        """Called when the panel becomes the visible page: reload if the data changed."""
        self.reload_if_stale()

    def mark_stale(self) -> None:
        """Another panel changed the data this one shows; reload when next shown."""
        self._stale = True

    def reload_if_stale(self) -> None:
        if self._stale:
            self.refresh()

    def _announce(self, text: str) -> None:
        self.status_changed.emit(text)

    def _changed(self) -> None:
        self.data_changed.emit()

    def _on_error(
        self, action: str, *, user_action: bool = True
    ) -> Callable[[BaseException], None]:
        """An on_error for tasks of this panel: inline here, plus a box for user actions."""
        return self._presenter.handler(self.message_bar, user_action=user_action, action=action)
