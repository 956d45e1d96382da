"""Layout -> one-page-per-layout PDF with vector text and bars (4x6 in pages, Vera fonts)."""

from __future__ import annotations

import io
from functools import cache

from reportlab.lib.colors import black, white
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.postage.sandbox.render_code128 import code128_bars
from app.postage.sandbox.render_layout import (
    DPI,
    FONT_FILES,
    MODULES_300,
    Barcode,
    Fill,
    Frame,
    Layout,
    Text,
    font,
    place_barcode,
)

PT = 72 / DPI  # points per 300-dpi dot: bars of 4 dots are exactly 4 pixels at 300 dpi
_FONT_NAMES = {False: "PackdeskVera", True: "PackdeskVeraBd"}


@cache
def _register_fonts() -> None:
    for bold, name in _FONT_NAMES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_FILES[bold])))


def draw_layout(canvas: Canvas, layout: Layout) -> None:
    """Draw `layout` on the current page of `canvas` (page size = layout size)."""
    _register_fonts()
    height = layout.height

    def rect(x: int, y: int, w: int, h: int) -> None:
        canvas.rect(x * PT, (height - y - h) * PT, w * PT, h * PT, stroke=0, fill=1)

    canvas.setFillColor(black)
    for item in layout.items:
        if isinstance(item, Fill):
            rect(item.x, item.y, item.w, item.h)
        elif isinstance(item, Frame):
            t = item.t
            rect(item.x, item.y, item.w, t)
            rect(item.x, item.y + item.h - t, item.w, t)
            rect(item.x, item.y, t, item.h)
            rect(item.x + item.w - t, item.y, t, item.h)
        elif isinstance(item, Text):
            ascent = font(item.size, item.bold).getmetrics()[0]
            canvas.setFont(_FONT_NAMES[item.bold], item.size * PT)
            canvas.setFillColor(white if item.white else black)
            x, baseline = item.x * PT, (height - item.y - ascent) * PT
            if item.anchor == "center":
                canvas.drawCentredString(x, baseline, item.text)
            elif item.anchor == "right":
                canvas.drawRightString(x, baseline, item.text)
            else:
                canvas.drawString(x, baseline, item.text)
            canvas.setFillColor(black)
        elif isinstance(item, Barcode):
            left, module = place_barcode(item, item.center_x, layout.width, MODULES_300)
            for start, width in code128_bars(item.data, gs1=item.gs1):
                rect(left + start * module, item.y, width * module, item.h)


def render_pdf(*layouts: Layout, title: str = "Sandbox label") -> bytes:
    """A PDF with one page per layout (each page sized to its layout)."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("Packdesk sandbox")
    for layout in layouts:
        canvas.setPageSize((layout.width * PT, layout.height * PT))
        draw_layout(canvas, layout)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
