"""A yes/cancel question before an action that spends or refunds money (replaceable in tests)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

#: (parent, title, text) -> True when the user said yes.
Confirm = Callable[[QWidget, str, str], bool]


def confirm_with_box(parent: QWidget, title: str, text: str) -> bool:
    """A modal question; Cancel is the default button, so Enter never spends money."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes
