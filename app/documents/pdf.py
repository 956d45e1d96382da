"""The PDF base: page sizes, a canvas with the embedded fonts, a page writer that flows rows
onto pages, and saving without following a symlink or clobbering a file."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from app.documents import fonts, new_file
from app.documents.text import Fitted, draw_fitted, draw_line, fit

_SAVING = threading.Lock()
PAGE_SIZES: dict[str, tuple[float, float]] = {"letter": LETTER, "a4": A4}
MARGIN: float = 0.5 * inch


def new_canvas(pagesize: tuple[float, float], title: str) -> tuple[Canvas, io.BytesIO]:
    """A canvas writing into memory, with the embedded fonts registered."""
    fonts.register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1, initialFontName=fonts.REGULAR)
    canvas.setTitle(title)
    canvas.setAuthor("Packdesk")
    canvas.setCreator("Packdesk")
    return canvas, buffer


def finish(canvas: Canvas, buffer: io.BytesIO) -> bytes:
    """Close the last page and return the PDF bytes.

    Page streams are written compressed but not ASCII85-armoured (reportlab's default armour
    is 25% bigger and, in pure Python, was the largest single cost of 1,000 packing slips).
    The switch is reportlab's global setting, read while saving; either value makes a valid
    PDF, so another thread saving at the same moment is not harmed.
    """
    with _SAVING:
        armoured = rl_config.useA85
        rl_config.useA85 = 0
        try:
            canvas.save()
        finally:
            rl_config.useA85 = armoured
    return buffer.getvalue()


def save(data: bytes, path: Path, *, overwrite: bool = False) -> Path:
    """Write `data` to `path` (0600), never through a symlink, never over a file unless asked.

    Raises:
        AppError: the file exists, is a symlink, or cannot be written.
    """
    descriptor = new_file.create_descriptor(path, overwrite=overwrite)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise new_file.write_failed(path, exc) from exc
    return path


class PageWriter:
    """Flows headings and table rows down pages, starting a new page (with the title and a
    page number) when the next row does not fit."""

    def __init__(
        self, canvas: Canvas, pagesize: tuple[float, float], title: str, subtitle: str = ""
    ) -> None:
        self.canvas = canvas
        self.width, self.height = float(pagesize[0]), float(pagesize[1])
        self.title = title
        self.subtitle = subtitle
        self.left = MARGIN
        self.right = self.width - MARGIN
        self.page = 0
        self.y = 0.0
        self._new_page()

    @property
    def usable_width(self) -> float:
        return self.right - self.left

    def _new_page(self) -> None:
        if self.page:
            self.canvas.showPage()
        self.page += 1
        top = self.height - MARGIN
        draw_line(self.canvas, self.left, top - 12, self.title, 12, bold=True)
        draw_line(self.canvas, self.right, top - 12, f"page {self.page}", 8, align="right")
        self.y = top - 18
        if self.subtitle:
            fitted = fit(self.subtitle, self.usable_width, 8, max_lines=3)
            self.y = draw_fitted(self.canvas, self.left, self.y, fitted)
        self.y -= 6

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` points still fit above the bottom margin."""
        if self.y - height < MARGIN:
            self._new_page()

    def gap(self, points: float) -> None:
        self.y -= points

    def heading(self, text: str, size: float = 11) -> None:
        fitted = fit(text, self.usable_width, size, bold=True, max_lines=3)
        self.ensure(fitted.height + 2 * size)  # keep a heading with its first row
        self.y = draw_fitted(self.canvas, self.left, self.y, fitted, bold=True) - 2

    def row(
        self,
        cells: Sequence[str],
        widths: Sequence[float],
        *,
        size: float = 8.5,
        bold: bool = False,
        max_lines: int = 3,
        rule: bool = False,
    ) -> None:
        """One table row; each cell fits its column (shrunk or wrapped, never cut off)."""
        padding = 4.0
        fitted: list[Fitted] = [
            fit(cell, max(width - padding, 10), size, bold=bold, max_lines=max_lines)
            for cell, width in zip(cells, widths, strict=True)
        ]
        height = max(f.height for f in fitted) + 1.5
        self.ensure(height)
        x = self.left
        for cell_fit, width in zip(fitted, widths, strict=True):
            draw_fitted(self.canvas, x, self.y, cell_fit, bold=bold)
            x += width
        self.y -= height
        if rule:
            self.canvas.setLineWidth(0.5)
            self.canvas.line(self.left, self.y + 0.5, self.right, self.y + 0.5)

    def columns(self, fractions: Sequence[float]) -> list[float]:
        """Column widths for fractions of the usable width."""
        total = sum(fractions)
        return [self.usable_width * f / total for f in fractions]
