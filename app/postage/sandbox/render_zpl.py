"""Layout -> native ZPL II at 203 dpi: ^A0 text, ^GB boxes, ^BC Code 128 with GS1 FNC1 (>8)."""

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

ZPL_DPI = 203
MODULES_203 = (3, 2)  # 14.8 mil; 2 (9.9 mil) only when a long number would not fit
_SCALE = ZPL_DPI / DPI


def _d(value: int) -> int:
    return round(value * _SCALE)


def zpl_field_text(text: str) -> str:
    """Field data safe inside ^FH^FD...^FS: the command prefixes and the hex escape are escaped."""
    return "".join(f"_{ord(c):02X}" if c in "^~_" else c for c in text)


def zpl_barcode_data(data: str, *, gs1: bool) -> str:
    """^FD data for ^BC in mode N: ``>;>8`` starts Code C with FNC1; GS becomes ``>8``."""
    if gs1:
        return ">;>8" + data.replace(GS, ">8")
    return data.replace(">", ">>")  # '>' is the invocation character even in mode A


def render_zpl(layout: Layout) -> bytes:
    width, height = _d(layout.width), _d(layout.height)
    out = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0", "^PON"]
    for item in layout.items:
        if isinstance(item, Fill):
            w, h = max(_d(item.w), 1), max(_d(item.h), 1)
            out.append(f"^FO{_d(item.x)},{_d(item.y)}^GB{w},{h},{min(w, h)},B,0^FS")
        elif isinstance(item, Frame):
            w, h, t = _d(item.w), _d(item.h), max(_d(item.t), 1)
            out.append(f"^FO{_d(item.x)},{_d(item.y)}^GB{w},{h},{t},B,0^FS")
        elif isinstance(item, Text):
            out.append(_text(item, width))
        elif isinstance(item, Barcode):
            left, module = place_barcode(item, _d(item.center_x), width, MODULES_203)
            mode = "N" if item.gs1 else "A"
            out.append(
                f"^FO{left},{_d(item.y)}^BY{module}^BCN,{_d(item.h)},N,N,N,{mode}"
                f"^FD{zpl_barcode_data(item.data, gs1=item.gs1)}^FS"
            )
    out.append("^PQ1,0,1,Y")
    out.append("^XZ")
    return ("\n".join(out) + "\n").encode("utf-8")


def _text(item: Text, page_width: int) -> str:
    # ^A0 (scalable CG Triumvirate) is narrower than Vera: 0.8 of the em keeps lines in place.
    h = max(round(item.size * 0.8 * _SCALE), 10)
    x, y = _d(item.x), _d(item.y)
    reverse = "^FR" if item.white else ""
    data = zpl_field_text(item.text)
    if item.anchor == "left":
        return f"^FO{x},{y}^A0N,{h},{h}{reverse}^FH^FD{data}^FS"
    if item.anchor == "right":
        return f"^FO0,{y}^A0N,{h},{h}^FB{x},1,0,R{reverse}^FH^FD{data}^FS"
    half = min(x, page_width - x)
    return f"^FO{x - half},{y}^A0N,{h},{h}^FB{2 * half},1,0,C{reverse}^FH^FD{data}^FS"
