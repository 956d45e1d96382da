"""Text that always fits its box: shrink a little, then wrap; never cut off."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from app.documents import fonts

#: reportlab keeps ASCII at its own codes in subset 0 of a TrueType font (the default).
_ASCII_READABLE = bool(rl_config.ttfAsciiReadable)
_NEEDS_ESCAPE = re.compile(r"[^\x20-\x7e]|[\\()]")
#: Below this a printed name stops being readable; past it, text wraps onto more lines instead.
MIN_SIZE = 5.0
Align = Literal["left", "right", "center"]


@dataclass(frozen=True, slots=True)
class Fitted:
    """Logical lines of text at one font size; `leading` is the distance between baselines."""

    lines: tuple[str, ...]
    size: float

    @property
    def leading(self) -> float:
        return self.size * 1.2

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


def _split_long(word: str, max_width: float, size: float, bold: bool) -> list[str]:
    """A word wider than the box, cut between characters (CJK names have no spaces)."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and fonts.width(current + char, size, bold) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, max_width: float, size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of `text` into lines no wider than `max_width` (logical order)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current else word
            if fonts.width(candidate, size, bold) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            if fonts.width(word, size, bold) <= max_width:
                current = word
            else:
                *full, current = _split_long(word, max_width, size, bold) or [""]
                lines.extend(full)
        lines.append(current)
    return lines


def fit(
    text: str,
    max_width: float,
    size: float,
    *,
    bold: bool = False,
    max_lines: int = 2,
    shrink_to: float = 0.75,
) -> Fitted:
    """`text` at the largest size that fits: one line shrunk to `shrink_to` of `size`, else
    wrapped onto up to `max_lines`, shrinking further; at MIN_SIZE it wraps onto as many
    lines as it needs, so nothing is ever cut off."""
    if "\n" not in text:
        full = fonts.width(text, size, bold)
        if full <= max_width:
            return Fitted((text,), size)
        shrunk = size * max_width / max(full, 1e-6)
        if shrunk >= max(MIN_SIZE, size * shrink_to):
            return Fitted((text,), _round_down(shrunk))
    current = size
    while True:
        lines = wrap(text, max_width, current, bold)
        if len(lines) <= max_lines or current <= MIN_SIZE:
            return Fitted(tuple(lines), current)
        current = max(MIN_SIZE, current - 0.5)


def _round_down(size: float) -> float:
    return int(size * 4) / 4


def draw_line(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    bold: bool = False,
    align: Align = "left",
) -> float:
    """Draw one logical line with its baseline at `y`; return its width.

    `x` is the left edge, the right edge (align right) or the centre (align center).
    """
    if text.isascii():  # the common case: one run in the Latin font, no reordering
        total = fonts.width(text, size, bold)
        left = x - total if align == "right" else x - total / 2 if align == "center" else x
        _show(canvas, fonts.BOLD if bold else fonts.REGULAR, size, left, y, text)
        return total
    shown = fonts.visual(text)
    pieces = fonts.runs(shown, bold)
    widths = [fonts.run_width(font, chunk) * size for font, chunk in pieces]
    total = sum(widths)
    cursor = x - total if align == "right" else x - total / 2 if align == "center" else x
    for (font, chunk), piece_width in zip(pieces, widths, strict=True):
        _show(canvas, font, size, cursor, y, chunk)
        cursor += piece_width
    return total


def _show(canvas: Canvas, font_name: str, size: float, x: float, y: float, chunk: str) -> None:
    """Write the text operators for one run, as canvas.drawString would, minus its overhead.

    drawString builds a text object, checks for shaping and formats every number through
    general code: ~100 us a call, which made a 100,000-order report take a minute. This writes
    the same operators; a TrueType font is split into its 256-glyph subsets exactly as
    reportlab does (splitString), except ASCII, which reportlab keeps in subset 0 at its own
    codes ("ASCII readable"), so it goes in unchanged.
    """
    font = pdfmetrics.getFont(font_name)
    document = canvas._doc
    if _ASCII_READABLE and chunk.isascii() and not _NEEDS_ESCAPE.search(chunk):
        # Printable ASCII without ( ) \ is its own PDF string: the common case, no encoding.
        name = font.getSubsetInternalName(0, document)
        canvas._code.append(f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm {name} {size:.2f} Tf ({chunk}) Tj ET")
        return
    if _ASCII_READABLE and chunk.isascii():
        parts = [(0, chunk.encode("ascii"))]
    else:
        parts = font.splitString(chunk, document)
    code = [f"BT 1 0 0 1 {x:.2f} {y:.2f} Tm"]
    for subset, data in parts:
        name = font.getSubsetInternalName(subset, document)
        code.append(f"{name} {size:.2f} Tf ({canvas._escape(data)}) Tj")
    code.append("ET")
    canvas._code.append(" ".join(code))


def draw_fitted(
    canvas: Canvas, x: float, top: float, fitted: Fitted, *, bold: bool = False
) -> float:
    """Draw `fitted` from `top` (the top of its first line) down; return the y below it."""
    y = top
    for line in fitted.lines:
        y -= fitted.size
        draw_line(canvas, x, y, line, fitted.size, bold=bold)
        y -= fitted.leading - fitted.size
    return y


def draw_box(
    canvas: Canvas,
    x: float,
    top: float,
    text: str,
    max_width: float,
    size: float,
    *,
    bold: bool = False,
    max_lines: int = 2,
) -> float:
    """Fit `text` into `max_width` and draw it from `top` down; return the y below it."""
    return draw_fitted(canvas, x, top, fit(text, max_width, size, bold=bold, max_lines=max_lines))
