"""Code 128 barcodes drawn as one filled path (reportlab's encoding, drawn without its per-bar
drawing calls: a slip's ~60 bars cost one string instead of ~60 formatted rectangles)."""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfgen.canvas import Canvas


def code128_width(data: str, bar_width: float) -> float:
    """The drawn width (quiet zones included) of `data` at `bar_width` points a module."""
    barcode = Code128(data, barWidth=bar_width)
    barcode._calculate()
    return float(barcode.width)


def draw_code128(
    canvas: Canvas, data: str, x: float, y: float, bar_width: float, height: float
) -> float:
    """Draw `data` as Code 128 with its lower-left corner (quiet zone included) at (x, y);
    return its width."""
    barcode = Code128(data, barWidth=bar_width, barHeight=height)
    barcode._calculate()  # encodes and decomposes: lowercase letters are spaces, upper bars
    left = x + float(barcode.lquiet)
    rectangles = []
    for symbol in barcode.decomposed:
        modules = ord(symbol.lower()) - 96
        extent = modules * bar_width
        if symbol.isupper():
            rectangles.append(f"{left:.3f} {y:.3f} {extent:.3f} {height:.3f} re")
        left += extent
    canvas._code.append(" ".join(rectangles) + " f")
    return float(barcode.width)
