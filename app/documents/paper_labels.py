"""Labels on plain paper (Letter or A4) at exact scale: one or two to a sheet, an international
label followed by its customs form, SCAN forms on sheets of their own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from app.documents import pdf
from app.documents.bitmaps import Bitmap, draw_bitmap
from app.documents.text import draw_line


@dataclass(frozen=True, slots=True)
class PaperItem:
    """One thing to print at its physical size: a label, a customs form page, a SCAN form page.

    `full_page` items (SCAN forms) get a sheet of their own and are never rotated.
    """

    bitmap: Bitmap
    width_in: float
    height_in: float
    caption: str = ""
    full_page: bool = False


def _fits(item: PaperItem, box_w: float, box_h: float) -> bool:
    return bool(item.width_in * inch <= box_w + 0.5 and item.height_in * inch <= box_h + 0.5)


def render(items: Iterable[PaperItem], *, paper: str = "letter", per_sheet: int = 1) -> bytes:
    """The items on sheets of `paper`; with `per_sheet` 2, two 4x6 labels turned a quarter
    turn (6x4 each), one above the other."""
    pagesize = pdf.PAGE_SIZES[paper]
    page_w, page_h = float(pagesize[0]), float(pagesize[1])
    canvas, buffer = pdf.new_canvas(pagesize, "Labels")
    half_h = page_h / 2
    slot = 0  # next free half-sheet slot (0 top, 1 bottom) when two to a sheet
    started = False

    def new_sheet() -> None:
        nonlocal slot, started
        if started:
            canvas.showPage()
        started = True
        slot = 0

    for item in items:
        w, h = item.width_in * inch, item.height_in * inch
        rotated_fits = per_sheet == 2 and not item.full_page and _fits_rotated(item, page_w, half_h)
        if rotated_fits:
            if not started or slot > 1:
                new_sheet()
            # Turned a quarter: h across, w down; centred in its half of the sheet.
            box_w, box_h = h, w
            top_of_half = page_h - slot * half_h
            x = (page_w - box_w) / 2
            y = top_of_half - (half_h + box_h) / 2
            _place(canvas, item, x, y, box_w, box_h, rotate=True)
            slot += 1
            continue
        new_sheet()
        slot = 2  # a sheet to itself
        if item.full_page or w > page_w - 0.4 * inch or h > page_h - 0.6 * inch:
            # A page-sized form: fill the sheet as the form is (no margin to add).
            scale = min(page_w / w, page_h / h, 1.0)
            _place(
                canvas,
                item,
                (page_w - w * scale) / 2,
                (page_h - h * scale) / 2,
                w * scale,
                h * scale,
                rotate=False,
                frame=False,
            )
        else:
            x = (page_w - w) / 2
            y = page_h - 0.5 * inch - h
            _place(canvas, item, x, y, w, h, rotate=False)
    if not started:
        new_sheet()
    return pdf.finish(canvas, buffer)


def _fits_rotated(item: PaperItem, page_w: float, half_h: float) -> bool:
    return _fits(
        PaperItem(item.bitmap, item.height_in, item.width_in),
        page_w - 0.3 * inch,
        half_h - 0.3 * inch,
    )


def _place(
    canvas: Canvas,
    item: PaperItem,
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    rotate: bool,
    frame: bool = True,
) -> None:
    draw_bitmap(canvas, item.bitmap, x, y, w, h, rotate=rotate)
    if frame:
        # A hairline dashed cut line just outside the label, so scissors never cut into it.
        canvas.saveState()
        canvas.setLineWidth(0.3)
        canvas.setDash(2, 2)
        canvas.rect(x - 2, y - 2, w + 4, h + 4, stroke=1, fill=0)
        canvas.restoreState()
        if item.caption:
            draw_line(canvas, x, y - 10, item.caption, 6)


def write(
    items: Iterable[PaperItem],
    path: Path,
    *,
    paper: str = "letter",
    per_sheet: int = 1,
    overwrite: bool = False,
) -> Path:
    return pdf.save(render(items, paper=paper, per_sheet=per_sheet), path, overwrite=overwrite)
