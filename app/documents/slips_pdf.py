"""Packing slips: one page per order, with the recipient, the items and the order's barcode."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from app.documents import pdf
from app.documents.barcodes import code128_width, draw_code128
from app.documents.text import draw_box, draw_line, fit
from app.domain.errors import AppError, ErrorKind
from app.domain.slips import PackingSlip, SlipDecor

#: Packing slip paper: plain sheets, or a 4x6 label on a label printer's roll.
NO_DECOR = SlipDecor()
SLIP_SIZES: dict[str, tuple[float, float]] = {**pdf.PAGE_SIZES, "4x6": (4 * inch, 6 * inch)}


def render(
    slips: Iterable[PackingSlip], decor: SlipDecor = NO_DECOR, paper: str = "letter"
) -> bytes:
    """The slips as one PDF, one page each."""
    pagesize = SLIP_SIZES[paper]
    canvas, buffer = pdf.new_canvas(pagesize, "Packing slips")
    logo = _logo(decor.logo_path)
    pages = 0
    for slip in slips:
        _page(canvas, pagesize, slip, decor, logo)
        canvas.showPage()
        pages += 1
    if not pages:
        raise AppError(
            "There are no orders to print packing slips for.",
            hint="Check the batch or group: slips cover orders not yet shipped or cancelled.",
            kind=ErrorKind.NOT_FOUND,
        )
    return pdf.finish(canvas, buffer)


def write(
    slips: Iterable[PackingSlip],
    path: Path,
    *,
    decor: SlipDecor = NO_DECOR,
    paper: str = "letter",
    overwrite: bool = False,
) -> Path:
    return pdf.save(render(slips, decor, paper), path, overwrite=overwrite)


def _logo(path: str) -> ImageReader | None:
    if not path:
        return None
    try:
        return ImageReader(path)
    except (OSError, ValueError) as error:
        raise AppError(
            f"The packing-slip logo {Path(path).name} cannot be read.",
            hint="Choose a PNG or JPEG file in the Setup defaults, or clear the logo.",
            kind=ErrorKind.INVALID_INPUT,
            details={"file": path},
        ) from error


def _page(
    canvas: Canvas,
    pagesize: tuple[float, float],
    slip: PackingSlip,
    decor: SlipDecor,
    logo: ImageReader | None,
) -> None:
    width, height = float(pagesize[0]), float(pagesize[1])
    small = width < 5 * inch
    margin = 0.25 * inch if small else pdf.MARGIN
    left, right, usable = margin, width - margin, width - 2 * margin
    top = height - margin
    scale = 0.7 if small else 1.0

    # Header: logo on the left, title and order number on the right.
    logo_height = 0.0
    if logo is not None:
        logo_w, logo_h = logo.getSize()
        box_h, box_w = 0.8 * inch * scale, usable * 0.4
        ratio = min(box_w / logo_w, box_h / logo_h)
        logo_height = logo_h * ratio
        canvas.drawImage(logo, left, top - logo_height, logo_w * ratio, logo_height, mask="auto")
    draw_line(canvas, right, top - 14 * scale, "Packing slip", 14 * scale, bold=True, align="right")
    order_fit = fit(f"Order {slip.external_id}", usable * 0.55, 18 * scale, bold=True)
    y = top - 20 * scale
    for line in order_fit.lines:
        y -= order_fit.size
        draw_line(canvas, right, y, line, order_fit.size, bold=True, align="right")
    y = min(y - 6, top - logo_height - 6)

    # The order barcode, centred: a scan opens the order at the scan station.
    bar_width = min(1.0, (usable - 10) / _modules(slip.barcode))
    bar_height = 0.55 * inch * scale
    bar_total = code128_width(slip.barcode, bar_width)
    draw_code128(
        canvas, slip.barcode, left + (usable - bar_total) / 2, y - bar_height, bar_width, bar_height
    )
    y -= bar_height + 9 * scale
    draw_line(canvas, left + usable / 2, y, slip.barcode, 8 * scale, align="center")
    y -= 16 * scale

    # Ship to.
    draw_line(canvas, left, y, "Ship to", 9 * scale, bold=True)
    y -= 4
    r = slip.recipient
    y = draw_box(canvas, left, y, r.name, usable, 14 * scale, bold=True, max_lines=3)
    place = " ".join(part for part in (r.city, r.state, r.postal_code) if part)
    for text in (r.company, r.street1, r.street2, place, r.country):
        if text:
            y = draw_box(canvas, left, y, text, usable, 11 * scale, max_lines=3)
    y -= 12 * scale

    # Items.
    qty_w, sku_w = 0.6 * inch * scale, usable * 0.3
    name_w = usable - qty_w - sku_w
    # A long order's lines get smaller so they stay on the page; past 5 pt they carry on
    # onto a continuation page (the order number on top), never off the bottom.
    bottom = margin + 30 + (40 * scale if decor.note else 0)
    room = y - bottom - 16 * scale
    # A line takes its leading (1.2 x size) and a 2-point gap.
    size = max(5.0, min(10 * scale, (room / max(1, len(slip.lines)) - 2) / 1.2))

    def header(top: float) -> float:
        draw_line(canvas, left, top - size, "Qty", size, bold=True)
        draw_line(canvas, left + qty_w, top - size, "SKU", size, bold=True)
        draw_line(canvas, left + qty_w + sku_w, top - size, "Item", size, bold=True)
        top -= size * 1.4
        canvas.setLineWidth(0.5)
        canvas.line(left, top, right, top)
        return top - 2

    y = header(y)
    for item in slip.lines:
        if y - size * 1.2 - 2 < bottom:
            canvas.showPage()
            top = height - margin
            draw_line(
                canvas, left, top - 12, f"Order {slip.external_id} (continued)", 12, bold=True
            )
            y = header(top - 20)
        draw_line(canvas, left, y - size, str(item.quantity), size, bold=True)
        low = min(
            draw_box(canvas, left + qty_w, y, item.sku, sku_w - 4, size, max_lines=3),
            draw_box(canvas, left + qty_w + sku_w, y, item.name, name_w, size, max_lines=3),
        )
        y = low - 2
    y -= 10 * scale

    # The desk's note, then where the order belongs (small print at the bottom).
    if decor.note:
        draw_box(canvas, left, y, decor.note, usable, 10 * scale, max_lines=6)
    footer = "  ".join(
        part
        for part in (
            f"group {slip.group_id}" if slip.group_id else "",
            f"batch {slip.batch}" if slip.batch else "",
            f"tracking {slip.tracking_code}" if slip.tracking_code else "",
        )
        if part
    )
    if footer:
        draw_box(canvas, left, margin + 10, footer, usable, 7, max_lines=2)


def _modules(data: str) -> int:
    # Code 128 set B: 11 modules per symbol (start, data, check) + 13 for stop, plus quiet zones.
    return 11 * (len(data) + 2) + 13 + 20
