"""Follow the other desks from the main window: refresh on their changes, and say in the status
bar when the database connection is lost (and when it is back); panels that write (buying,
scanning) are told through `set_database_available` while it is lost."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from app.services.live_updates import LiveState, LiveUpdates
from app.store import Store

#: Why buying and scanning are blocked (their tooltip and the scan field's refusal).
CONNECTION_LOST = (
    "The database connection is lost: buying and scanning wait until it is back "
    "(Packdesk reconnects by itself; the status bar says when)."
)


class LiveStatus(QObject):
    """LiveUpdates' callbacks as Qt signals (delivered on the GUI thread), and a status label."""

    changed = Signal(int)  # another desk (or this one) wrote: the counter's new value
    connection = Signal(bool, str)  # connected?, what to tell

    def __init__(self, store: Store, parent: QWidget) -> None:
        super().__init__(parent)
        self.label = QLabel("", parent)
        self.label.setObjectName("connectionStatus")
        self._live = LiveUpdates(store, on_change=self.changed.emit, on_connection=self._told)
        self.connection.connect(self._show)

    @property
    def connected(self) -> bool:
        return self._live.connected

    def start(self) -> None:
        self._live.start()

    def stop(self) -> None:
        self._live.stop()

    def _told(self, state: LiveState) -> None:  # the follower's thread
        self.connection.emit(state.connected, state.message)

    @Slot(bool, str)
    def _show(self, connected: bool, message: str) -> None:
        self.label.setText(
            "" if connected else "Database connection lost: buying and scanning wait; reconnecting…"
        )
        self.label.setToolTip(message)
