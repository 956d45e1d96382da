"""Layout -> native EPL2 at 203 dpi: A text in the resident fonts, LO/LE/X boxes, B barcodes."""

from __future__ import annotations

from app.postage.sandbox.render_code128 import GS
from app.postage.sandbox.render_layout import (
    DPI,
    Barcode,
    Fill,
    Frame,
    Layout,
    Text,
    place_barcode,
)

EPL_DPI = 203
MODULES_203 = (3, 2)  # 14.8 mil; 2 (9.9 mil) only when a long number would not fit
_SCALE = EPL_DPI / DPI
# Resident fonts at 203 dpi: font -> (cell width incl. gap, cell height) in dots.
_FONTS = {1: (10, 12), 2: (12, 16), 3: (14, 20), 4: (16, 24)}
# The EPL Programming Guide's bar code table: 1E = UCC/EAN 128 (FNC1 first); inside it,
# ASCII 06 delimits a variable-length field (the FNC1 after AI 420's ZIP). 1 = Code 128 auto.
EPL_FNC1 = "\x06"


def _d(value: int) -> int:
    return round(value * _SCALE)


def epl_quote(text: str) -> str:
    """A quoted EPL2 DATA field: backslash escapes quotes and backslashes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def pick_font(target_height: int, chars: int, max_width: int) -> tuple[int, int]:
    """(font, multiplier) whose height is nearest `target_height` and whose line fits."""
    best = (1, 1)
    best_err = 10**9
    for number, (cell_w, cell_h) in _FONTS.items():
        for mult in range(1, 7):
            if chars * cell_w * mult > max_width and (number, mult) != (1, 1):
                continue
            err = abs(cell_h * mult - target_height)
            if err < best_err:
                best, best_err = (number, mult), err
    return best


def _inside(text: Text, fill: Fill) -> bool:
    return fill.x <= text.x <= fill.x + fill.w and fill.y <= text.y <= fill.y + fill.h


def render_epl2(layout: Layout) -> bytes:
    width, height = _d(layout.width), _d(layout.height)
    # I8,A,001: 8-bit data in the Windows-1252 (Latin 1) code page, USA.
    out = ["", "N", "I8,A,001", f"q{width}", f"Q{height},24", "S3", "D10", "ZT"]
    # White-on-black: print the text black first, then XOR the band over it (LE), which is
    # defined whatever the firmware does with a reverse (R) field over an existing black box.
    white = [i for i in layout.items if isinstance(i, Text) and i.white]
    out += [_text(t, width) for t in white]
    for item in layout.items:
        if isinstance(item, Fill):
            xor = any(_inside(t, item) for t in white)
            out.append(
                f"{'LE' if xor else 'LO'}{_d(item.x)},{_d(item.y)},"
                f"{max(_d(item.w), 1)},{max(_d(item.h), 1)}"
            )
        elif isinstance(item, Frame):
            x, y = _d(item.x), _d(item.y)
            x2, y2 = x + _d(item.w) - 1, y + _d(item.h) - 1
            out.append(f"X{x},{y},{max(_d(item.t), 1)},{x2},{y2}")
        elif isinstance(item, Text) and not item.white:
            out.append(_text(item, width))
        elif isinstance(item, Barcode):
            left, module = place_barcode(item, _d(item.center_x), width, MODULES_203)
            kind = "1E" if item.gs1 else "1"
            data = item.data.replace(GS, EPL_FNC1) if item.gs1 else item.data
            out.append(
                f"B{left},{_d(item.y)},0,{kind},{module},{module},{_d(item.h)},N,{epl_quote(data)}"
            )
    out.append("P1")
    return ("\n".join(out) + "\n").encode("cp1252", errors="replace")


def _text(item: Text, page_width: int) -> str:
    x = _d(item.x)
    room = {"left": page_width - x, "right": x, "center": 2 * min(x, page_width - x)}
    target = _d(int(item.size * 0.75))
    number, mult = pick_font(target, len(item.text), room[item.anchor])
    line_width = len(item.text) * _FONTS[number][0] * mult
    if item.anchor == "center":
        x -= line_width // 2
    elif item.anchor == "right":
        x -= line_width
    return f"A{max(x, 0)},{_d(item.y)},0,{number},{mult},{mult},N,{epl_quote(item.text)}"
