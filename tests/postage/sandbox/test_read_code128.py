"""The Code 128 reader the self-test scans labels with: the encoder's exact inverse."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from app.postage.sandbox.read_code128 import Code128Symbol, read_code128
from app.postage.sandbox.render_code128 import GS, code128_bars, code128_codewords, code128_modules

IMPB = f"42002108{GS}9400119900000000000016"


def barcode_image(
    text: str, *, gs1: bool = False, module: int = 3, height: int = 40
) -> Image.Image:
    width = len(code128_modules(code128_codewords(text, gs1=gs1)))
    image = Image.new("1", ((width + 20) * module, height + 10), 1)
    for start, bar in code128_bars(text, gs1=gs1):
        image.paste(0, ((10 + start) * module, 5, (10 + start + bar) * module, 5 + height))
    return image


def test_reads_an_impb_barcode_as_gs1_128() -> None:
    assert read_code128(barcode_image(IMPB, gs1=True)) == [Code128Symbol(IMPB, gs1=True)]


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=30)
)
def test_every_string_the_encoder_takes_reads_back(text: str) -> None:
    assert read_code128(barcode_image(text)) == [Code128Symbol(text, gs1=False)]


def test_reads_whatever_the_module_width_even_after_scaling() -> None:
    image = barcode_image(IMPB, gs1=True, module=2).resize((613, 50))  # 2.3 px per module
    assert [s.text for s in read_code128(image)] == [IMPB]


def test_a_wrong_check_value_reads_as_nothing() -> None:
    modules = code128_modules(code128_codewords("PACKDESK"))
    # Flip one data symbol (the 2nd) for another valid one: the check value no longer fits.
    other = code128_modules(code128_codewords("QACKDESK"))
    forged = modules[:11] + other[11:22] + modules[22:]
    image = Image.new("1", (len(forged) * 3 + 60, 40), 1)
    for n, module in enumerate(forged):
        if module == "1":
            image.paste(0, (30 + 3 * n, 5, 33 + 3 * n, 35))
    assert read_code128(image) == []


def test_a_label_png_with_two_barcodes_yields_both() -> None:
    top, bottom = barcode_image("ORDER-1042"), barcode_image(IMPB, gs1=True)
    page = Image.new("1", (max(top.width, bottom.width), top.height + bottom.height), 1)
    page.paste(top, (0, 0))
    page.paste(bottom, (0, top.height))
    buffer = io.BytesIO()
    page.save(buffer, format="PNG")
    found = read_code128(Image.open(io.BytesIO(buffer.getvalue())))
    assert [s.text for s in found] == ["ORDER-1042", IMPB]


def test_a_blank_image_has_no_barcode() -> None:
    assert read_code128(Image.new("L", (400, 100), 255)) == []
