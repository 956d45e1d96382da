"""The sandbox SCAN form: a PS Form 5630-style PDF listing a manifest's tracking numbers."""

from __future__ import annotations

import io
from datetime import datetime

from reportlab.lib.colors import black, white
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from app.domain.tracking import group_tracking_for_print
from app.postage.sandbox.label_data import LabelAddress
from app.postage.sandbox.render_code128 import (
    QUIET_ZONE_MODULES,
    code128_bars,
    code128_width_modules,
)
from app.postage.sandbox.render_layout import SANDBOX_MARK, address_lines

PT_PER_DOT = 72 / 300  # draw bars on the 300-dpi grid so a 300-dpi render is pixel exact
MODULE_DOTS = 4
COLUMNS = 3
ROW_PT = 13
TABLE_BOTTOM_PT = 90  # above the page footer and the sandbox band
ROWS_FIRST_PAGE = 25  # rows of the table under the page-1 header (table starts at ~426 pt)
ROWS_OTHER_PAGES = 42  # (table starts at ~642 pt)
PAGE_W, PAGE_H = LETTER


def _draw_barcode(
    canvas: Canvas, data: str, center_x_pt: float, top_pt: float, h_pt: float
) -> None:
    modules = code128_width_modules(data)
    center_dots = round(center_x_pt / PT_PER_DOT)
    left = center_dots - (modules * MODULE_DOTS) // 2
    top_dots = round(top_pt / PT_PER_DOT)
    for start, width in code128_bars(data):
        x = (left + start * MODULE_DOTS) * PT_PER_DOT
        canvas.rect(x, top_dots * PT_PER_DOT - h_pt, width * MODULE_DOTS * PT_PER_DOT, h_pt,
                    stroke=0, fill=1)  # fmt: skip


def _sandbox_band(canvas: Canvas, y: float) -> None:
    canvas.setFillColor(black)
    canvas.rect(36, y, PAGE_W - 72, 24, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawCentredString(PAGE_W / 2, y + 7, SANDBOX_MARK)
    canvas.setFillColor(black)


def render_scan_form_pdf(
    form_id: str, from_address: LabelAddress, tracking_codes: list[str], created: datetime
) -> bytes:
    """A letter-size SCAN form (USPS PS Form 5630 style) for `tracking_codes`, sandbox-marked.

    Page 1 carries the form's barcode (Code 128 of `form_id`), the mailer, the date and the
    piece count; the tracking numbers follow in three numbered columns over as many pages
    as needed.
    """
    if not tracking_codes:
        raise ValueError("a SCAN form needs at least one tracking number")
    first = COLUMNS * ROWS_FIRST_PAGE
    rest = COLUMNS * ROWS_OTHER_PAGES
    pages = 1 + max(0, -(-(len(tracking_codes) - first) // rest))
    quiet = QUIET_ZONE_MODULES * MODULE_DOTS * PT_PER_DOT
    if code128_width_modules(form_id) * MODULE_DOTS * PT_PER_DOT + 2 * quiet > PAGE_W - 72:
        raise ValueError(f"form id {form_id!r} is too long for the SCAN form barcode")

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, invariant=True, pageCompression=1)
    canvas.setTitle(f"SCAN form {form_id}")
    canvas.setCreator("Packdesk sandbox")
    index = 0
    for page in range(1, pages + 1):
        y = PAGE_H - 54
        canvas.setFont("Helvetica-Bold", 15)
        canvas.drawString(36, y, "U.S. POSTAL SERVICE")
        canvas.drawRightString(PAGE_W - 36, y, "PS Form 5630 (sandbox)")
        y -= 18
        canvas.setFont("Helvetica", 11)
        canvas.drawString(36, y, "SHIPMENT CONFIRMATION ACCEPTANCE NOTICE (SCAN FORM)")
        y -= 34
        _sandbox_band(canvas, y)
        y -= 24
        rows = ROWS_FIRST_PAGE if page == 1 else ROWS_OTHER_PAGES
        if page == 1:
            _draw_barcode(canvas, form_id, PAGE_W / 2, y, 60)
            y -= 76
            canvas.setFont("Helvetica-Bold", 12)
            canvas.drawCentredString(PAGE_W / 2, y, form_id)
            y -= 30
            canvas.setFont("Helvetica-Bold", 11)
            canvas.drawString(36, y, "Mailer")
            canvas.drawString(330, y, f"Date: {created:%Y-%m-%d %H:%M}")
            canvas.setFont("Helvetica", 11)
            for n, line in enumerate(address_lines(from_address, international=False)):
                canvas.drawString(36, y - 15 * (n + 1), line)
            canvas.setFont("Helvetica-Bold", 13)
            canvas.drawString(330, y - 20, f"Total pieces: {len(tracking_codes)}")
            canvas.setFont("Helvetica", 9)
            canvas.drawString(330, y - 38, "Postal employee: scan the barcode above to accept")
            canvas.drawString(330, y - 50, "every piece listed. Do not scan pieces one by one.")
            y -= 110
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(36, y, "Tracking numbers")
        canvas.line(36, y - 4, PAGE_W - 36, y - 4)
        y -= 20
        col_w = (PAGE_W - 72) / COLUMNS
        canvas.setFont("Courier", 8.5)
        chunk = tracking_codes[index : index + rows * COLUMNS]
        for n, code in enumerate(chunk):
            col, row = divmod(n, rows)
            shown = group_tracking_for_print(code) if code.isdigit() else code
            row_y = y - row * ROW_PT
            assert row_y >= TABLE_BOTTOM_PT, "SCAN form rows must stay above the footer"
            canvas.drawString(36 + col * col_w, row_y, f"{index + n + 1:>4}. {shown}")
        index += len(chunk)
        _sandbox_band(canvas, 40)
        canvas.setFont("Helvetica", 9)
        canvas.drawRightString(PAGE_W - 36, 70, f"{form_id}  page {page} of {pages}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
