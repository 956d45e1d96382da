"""The fonts every Packdesk PDF embeds, and text split into runs that each font can draw.

DejaVu Sans covers Latin, Greek, Cyrillic, Hebrew and Arabic (with its presentation forms);
WenQuanYi Micro Hei covers Chinese, Japanese and Korean. reportlab embeds a subset of each TTF
(only the glyphs used), so a PDF stays small and prints the same on any machine: no viewer
substitutes a font and no name comes out as empty boxes.

reportlab draws glyphs in the order it is given, so right-to-left text is shaped (Arabic letters
take their joined forms) and reordered for display (Unicode bidi algorithm) before drawing.
"""

from __future__ import annotations

import importlib.resources
import threading
import unicodedata
from functools import lru_cache

import arabic_reshaper
from arabic_reshaper.ligatures import LETTERS_LIGATURES, SENTENCES_LIGATURES, WORDS_LIGATURES
from bidi import get_display
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "PackdeskSans"
BOLD = "PackdeskSans-Bold"
CJK = "PackdeskCJK"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CJK: "wqy-microhei.ttc",
}
_lock = threading.Lock()
_registered: dict[str, TTFont] = {}


def register_fonts(*, cjk: bool = False) -> None:
    """Register the embedded fonts with reportlab (once per process; thread-safe).

    The CJK font (5 MB, ~0.3 s to parse) is registered only once a text needs it.
    """
    wanted = [REGULAR, BOLD, CJK] if cjk else [REGULAR, BOLD]
    if all(name in _registered for name in wanted):
        return
    with _lock:
        folder = importlib.resources.files("app.resources.fonts")
        for name in wanted:
            filename = _FILES[name]
            if name in _registered:
                continue
            with importlib.resources.as_file(folder.joinpath(filename)) as path:
                font = TTFont(name, str(path), subfontIndex=0)
            pdfmetrics.registerFont(font)
            _registered[name] = font


def _covers(font_name: str, char: str) -> bool:
    register_fonts(cjk=font_name == CJK)
    return ord(char) in _registered[font_name].face.charToGlyph


@lru_cache(maxsize=4096)
def font_for_char(char: str, bold: bool = False) -> str:
    """The embedded font that has a glyph for `char` (the Latin font when none has)."""
    latin = BOLD if bold else REGULAR
    if char.isspace() or _covers(latin, char):
        return latin
    if _covers(CJK, char):
        return CJK
    return latin


@lru_cache(maxsize=1)
def _reshaper() -> arabic_reshaper.ArabicReshaper:
    # Only the ligatures both DejaVu weights have a glyph for (lam-alef, not the word
    # ligatures such as U+FDF2 "Allah", which would print as a missing-glyph box).
    register_fonts()
    config: dict[str, object] = {}
    for ligature_name, (_, forms) in (*SENTENCES_LIGATURES, *WORDS_LIGATURES, *LETTERS_LIGATURES):
        wanted = [form for form in forms if form]
        config[ligature_name] = all(
            _covers(REGULAR, form) and _covers(BOLD, form) for form in wanted
        )
    return arabic_reshaper.ArabicReshaper(configuration=config)


def _has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


@lru_cache(maxsize=65536)  # reshaping is slow, and a report repeats names, cities, statuses
def visual(text: str) -> str:
    """`text` as it must be drawn left to right: Arabic shaped, right-to-left runs reversed."""
    if text.isascii() or not _has_rtl(text):
        return text
    return str(get_display(_reshaper().reshape(text)))


@lru_cache(maxsize=65536)
def runs(text: str, bold: bool = False) -> tuple[tuple[str, str], ...]:
    """Split already-visual `text` into (font name, chunk) runs, each drawable by its font."""
    if text.isascii():  # DejaVu has every printable ASCII glyph: the common case, fast
        return ((BOLD if bold else REGULAR, text),)
    found: list[tuple[str, str]] = []
    for char in text:
        font = font_for_char(char, bold)
        if found and found[-1][0] == font:
            found[-1] = (font, found[-1][1] + char)
        else:
            found.append((font, char))
    return tuple(found)


def width(text: str, size: float, bold: bool = False) -> float:
    """The drawn width, in points, of logical `text` at `size`."""
    return unit_width(text, bold) * size


@lru_cache(maxsize=131072)
def unit_width(text: str, bold: bool = False) -> float:
    """The width of logical `text` at size 1 (measured once per distinct text)."""
    if text.isascii():
        table = _ascii_widths(BOLD if bold else REGULAR)
        return float(sum(map(table.__getitem__, text.encode("ascii"))))
    return sum(run_width(font, chunk) for font, chunk in runs(visual(text), bold))


@lru_cache(maxsize=131072)
def run_width(font: str, chunk: str) -> float:
    """The width at size 1 of a chunk drawn in one font."""
    return float(pdfmetrics.stringWidth(chunk, font, 1000)) / 1000


@lru_cache(maxsize=4)
def _ascii_widths(font_name: str) -> tuple[float, ...]:
    """The advance of each ASCII code at size 1: one table lookup a character (reportlab's
    own width is a Python loop: a third of a 100,000-order report's time)."""
    register_fonts()
    face = _registered[font_name].face
    return tuple(face.charWidths.get(code, face.defaultWidth) / 1000 for code in range(128))
