"""A label source must hold exactly one label: multi-page PDFs and multi-frame images."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from reportlab.pdfgen import canvas

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import RasterLabel, load_label
from printers.models import get_model

MODEL = get_model("zd421-203")


def pdf_pages(*pages: str | None) -> bytes:
    """A 4x6 PDF with one page per entry: text drawn large, or None for a blank page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(4 * 72, 6 * 72))
    for text in pages:
        if text is not None:
            pdf.setFont("Helvetica-Bold", 40)
            pdf.drawString(20, 300, text)
            pdf.rect(20, 40, 150, 150 if text == "B" else 60, stroke=0, fill=1)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def gif_frames(*frames: str | None) -> bytes:
    """A 4x6 203-dpi animated GIF: a black box at a place per frame, None for a white frame."""
    images = []
    for frame in frames:
        image = Image.new("L", (812, 1218), 255)
        if frame is not None:
            left = 100 if frame == "A" else 400
            ImageDraw.Draw(image).rectangle((left, 100, left + 200, 300), fill=0)
        images.append(image.convert("P"))
    buffer = io.BytesIO()
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return buffer.getvalue()


def ink_left(label: object) -> int:
    assert isinstance(label, RasterLabel)
    box = label.bitmap.ink_box()
    assert box is not None
    return box[0]


def test_reviewers_two_page_pdf_is_refused_with_the_page_count_and_the_fix() -> None:
    data = pdf_pages("A", "B")
    with pytest.raises(PrinterError) as info:
        load_label(data, MODEL)
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    assert "2 pages" in info.value.message
    assert "split" in info.value.hint and "single 4x6 page" in info.value.hint


def test_many_page_pdf_names_its_page_count() -> None:
    with pytest.raises(PrinterError) as info:
        load_label(pdf_pages("A", None, "B", "C"), MODEL)
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    assert "4 pages (3 with something on them)" in info.value.message


def test_a_pdf_with_very_many_pages_is_refused_without_rendering_them() -> None:
    with pytest.raises(PrinterError) as info:
        load_label(pdf_pages(*[None] * 40), MODEL)
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    assert "40 pages;" in info.value.message


@pytest.mark.parametrize("pages", [(None, "B"), ("B", None), (None, "B", None, None)])
def test_blank_pages_around_the_one_label_are_ignored(pages: tuple[str | None, ...]) -> None:
    label = load_label(pdf_pages(*pages), MODEL)
    alone = load_label(pdf_pages("B"), MODEL)
    assert isinstance(label, RasterLabel) and isinstance(alone, RasterLabel)
    assert label.bitmap == alone.bitmap and not label.bitmap.is_blank()


def test_animated_gif_is_refused_with_the_frame_count() -> None:
    with pytest.raises(PrinterError) as info:
        load_label(gif_frames("A", "B"), MODEL)
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    assert "2 frames" in info.value.message
    assert "single" in info.value.hint


@pytest.mark.parametrize(("frames", "left"), [((None, "B"), 400), (("A", None), 100)])
def test_blank_gif_frames_are_ignored(frames: tuple[str | None, ...], left: int) -> None:
    label = load_label(gif_frames(*frames), MODEL)
    assert ink_left(label) == left + (MODEL.printable_width_dots - 812) // 2


def test_single_page_and_single_frame_sources_still_print() -> None:
    assert ink_left(load_label(pdf_pages("A"), MODEL)) > 0
    assert ink_left(load_label(gif_frames("A"), MODEL)) > 0
