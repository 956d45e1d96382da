"""The window's style sheet: calm, readable, and light on top of the platform style.

Kept in code rather than a .qss resource so that it cannot go missing from a frozen or editable
install; it only adjusts spacing and a few colours, so the platform theme still shows through.
"""

from __future__ import annotations

STYLE_SHEET = """
QListWidget#navigation {
    background: #f4f5f7;
    border: none;
    border-right: 1px solid #d6d9de;
    padding-top: 8px;
    font-size: 11pt;
}
QListWidget#navigation::item {
    padding: 7px 12px;
    border-radius: 4px;
    margin: 1px 6px;
    color: #1f2933;
}
QListWidget#navigation::item:selected {
    background: #2b6cb0;
    color: white;
}
QListWidget#navigation::item:hover:!selected {
    background: #e3e7ec;
}
QLabel#panelHeading {
    color: #1f2933;
}
QLabel#sectionHeading {
    font-weight: bold;
    color: #1f2933;
}
QFrame#stat {
    background: #f8f9fb;
    border: 1px solid #d6d9de;
    border-radius: 6px;
    min-width: 96px;
}
QHeaderView::section {
    padding: 3px 6px;
}
QLabel#busyIndicator {
    color: #2b6cb0;
    font-weight: bold;
    padding-right: 8px;
}
"""
