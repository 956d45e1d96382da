"""BarChart: a small painted horizontal bar chart (name, bar, amount), readable at a glance.

Used when QtCharts (PySide6-Addons) is not installed, which is the usual desk install.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

_BAR = QColor("#3a6ea5")
_TRACK = QColor("#e9eef5")
_TEXT = QColor("#1f2933")
_ROW = 22


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its name, its value (the length) and the text written after it."""

    name: str
    value: float
    text: str


class BarChart(QWidget):
    """Rows of name | bar | value, longest bar = largest value; a title on top."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._bars: list[Bar] = []
        self._empty = "Nothing yet"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(260)

    def set_bars(self, bars: list[Bar], empty: str = "Nothing yet") -> None:
        self._bars = list(bars)
        self._empty = empty
        self.updateGeometry()
        self.update()

    def bars(self) -> list[Bar]:
        return list(self._bars)

    def sizeHint(self) -> QSize:
        return QSize(360, _ROW * (max(len(self._bars), 1) + 1) + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, _ROW * 3)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        title_font = self.font()
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(_TEXT)
        painter.drawText(
            QRectF(0, 0, self.width(), _ROW), Qt.AlignmentFlag.AlignVCenter, self._title
        )
        painter.setFont(self.font())
        if not self._bars:
            painter.drawText(
                QRectF(0, _ROW, self.width(), _ROW), Qt.AlignmentFlag.AlignVCenter, self._empty
            )
            return
        # Names get up to half the width (a service or a group's items must stay readable).
        name_width = min(
            max(metrics.horizontalAdvance(b.name) for b in self._bars) + 8, self.width() // 2
        )
        value_width = max(metrics.horizontalAdvance(b.text) for b in self._bars) + 8
        bar_width = max(self.width() - name_width - value_width - 4, 20)
        largest = max((b.value for b in self._bars), default=0.0) or 1.0
        rows = max((self.height() - _ROW) // _ROW, 1)
        for row, bar in enumerate(self._bars[:rows]):
            top = _ROW * (row + 1)
            name = metrics.elidedText(bar.name, Qt.TextElideMode.ElideMiddle, name_width - 8)
            painter.setPen(_TEXT)
            painter.drawText(
                QRectF(0, top, name_width - 6, _ROW),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                name,
            )
            track = QRectF(name_width, top + 4, bar_width, _ROW - 8)
            painter.fillRect(track, _TRACK)
            filled = QRectF(
                track.left(), track.top(), bar_width * bar.value / largest, track.height()
            )
            painter.fillRect(filled, _BAR)
            painter.drawText(
                QRectF(name_width + bar_width + 6, top, value_width, _ROW),
                Qt.AlignmentFlag.AlignVCenter,
                bar.text,
            )
        painter.end()
