"""Label bitmaps on paper: PNG rows passed through (1 and 8 bit) render pixel for pixel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.documents import pdf
from app.documents.bitmaps import draw_bitmap, from_image, open_bitmap
from tests.documents.pdf_reading import render_page


def _label(mode: str) -> Image.Image:
    # Bars, text and diagonal lines: PIL picks every PNG row filter for such rows.
    image = Image.new("L", (600, 900), 255)
    draw = ImageDraw.Draw(image)
    for x in range(40, 560, 7):
        draw.rectangle((x, 100, x + (x % 3) + 1, 400), fill=0)
    for y in range(450, 880, 9):
        draw.line((0, y, 599, 899 - y), fill=0, width=2)
    draw.text((50, 30), "USPS TRACKING # 9400 1000 0000 0000 0000 00", fill=0)
    return image.convert(mode) if mode == "1" else image


@pytest.mark.parametrize("mode", ["1", "L"])
def test_png_rows_go_in_untouched_and_render_exactly(tmp_path: Path, mode: str) -> None:
    path = tmp_path / f"label-{mode}.png"
    source = _label(mode)
    source.save(path)
    bitmap = open_bitmap(path)
    assert bitmap.png_rows and bitmap.bits == (1 if mode == "1" else 8)
    # 600 x 900 pixels on a 300 x 450 point page rendered at 2 pixels a point: one for one.
    canvas, buffer = pdf.new_canvas((300, 450), "t")
    draw_bitmap(canvas, bitmap, 0, 0, 300, 450)
    rendered = render_page(pdf.finish(canvas, buffer), dpi=144).convert("L")
    assert rendered.size == source.size
    expected = np.asarray(source.convert("L")) < 128
    got = np.asarray(rendered) < 128
    assert (expected != got).mean() < 0.002


def test_other_images_become_1_bit() -> None:
    image = Image.new("RGBA", (16, 8), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, 7, 7), fill=(0, 0, 0, 255))
    bitmap = from_image(image)
    assert (bitmap.width, bitmap.height, bitmap.bits, bitmap.png_rows) == (16, 8, 1, False)
