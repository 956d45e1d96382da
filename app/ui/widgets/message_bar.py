"""MessageBar: an inline line of text above a panel's content, for results and known errors."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget


class Tone(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


# Light backgrounds with dark text: readable on any platform theme, and never colour alone
# (each message also starts with its words).
_STYLES = {
    Tone.INFO: "background:#e8f0fe; color:#1a3a6b; border:1px solid #b6c9ee;",
    Tone.SUCCESS: "background:#e6f4ea; color:#174d2a; border:1px solid #a8d5b5;",
    Tone.WARNING: "background:#fef7e0; color:#5c4300; border:1px solid #f0d68a;",
    Tone.ERROR: "background:#fce8e6; color:#7a1a12; border:1px solid #f0b4ae;",
}


class MessageBar(QFrame):
    """Hidden until a message is shown; the close button hides it again."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self._label = QLabel(self)
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._close = QToolButton(self)
        self._close.setText("✕")
        self._close.setToolTip("Dismiss")
        self._close.setAutoRaise(True)
        self._close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(self._close, 0, Qt.AlignmentFlag.AlignTop)
        self.tone = Tone.INFO
        self.hide()

    def show_message(self, text: str, tone: Tone = Tone.INFO, hint: str = "") -> None:
        self.tone = tone
        self.setStyleSheet(f"#messageBar {{ {_STYLES[tone]} border-radius:4px; }}")
        self._label.setStyleSheet("background:transparent; border:none;")
        self._label.setText(f"{text}\n{hint}" if hint else text)
        self.show()

    def text(self) -> str:
        return "" if self.isHidden() else self._label.text()

    def clear(self) -> None:
        self._label.clear()
        self.hide()
