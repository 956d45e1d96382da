"""Small helpers for panel tool rows: buttons with shortcuts in their tooltips, a search box."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QWidget


def action_button(
    parent: QWidget, text: str, shortcut: str | None = None, tooltip: str = ""
) -> QPushButton:
    """A push button; its shortcut works anywhere in `parent` and is named in its tooltip."""
    button = QPushButton(text, parent)
    tip = tooltip
    if shortcut:
        sequence = QKeySequence(shortcut)
        keys = sequence.toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"{tooltip} ({keys})" if tooltip else keys
        shortcut_ = QShortcut(sequence, parent)
        shortcut_.activated.connect(button.click)
    button.setToolTip(tip)
    return button


def search_box(parent: QWidget, placeholder: str) -> QLineEdit:
    """A search field; Ctrl+F in `parent` focuses it."""
    box = QLineEdit(parent)
    box.setPlaceholderText(placeholder)
    box.setClearButtonEnabled(True)
    box.setMinimumWidth(220)
    find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), parent)
    find.activated.connect(box.setFocus)
    return box


def tool_row(*widgets: QWidget, stretch_after: int | None = None) -> QHBoxLayout:
    """Widgets in a row; a stretch after index `stretch_after` (or at the end)."""
    row = QHBoxLayout()
    row.setSpacing(6)
    for position, widget in enumerate(widgets):
        row.addWidget(widget)
        if stretch_after is not None and position == stretch_after:
            row.addStretch(1)
    if stretch_after is None:
        row.addStretch(1)
    return row
