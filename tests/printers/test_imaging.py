"""Imaging: exact thresholding, alpha, rotation, placement, fitting, scaling, raw passthrough."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import (
    Bitmap,
    RasterLabel,
    RawLabel,
    Rotation,
    barcode_module,
    load_label,
    rotate_quarter,
    scale_bitmap,
    sniff_language,
    threshold_image,
)
from printers.models import Protocol, get_model


def png(image: Image.Image, dpi: int | None = None) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buffer.getvalue()


def test_bitmap_packs_msb_first_with_black_as_one_and_clean_padding() -> None:
    black = np.zeros((2, 10), dtype=bool)
    black[0, 0] = black[1, 9] = True
    bitmap = Bitmap.from_array(black)
    assert bitmap.data == b"\x80\x00\x00\x40" and bitmap.stride == 2
    assert Bitmap.from_packed(10, 1, np.array([[0xFF, 0xFF]], dtype=np.uint8)).data == b"\xff\xc0"
    assert np.array_equal(bitmap.to_array(), black)
    with pytest.raises(ValueError, match="expected"):
        Bitmap(10, 2, b"\x00")


def test_pil_round_trip_respects_pil_white_is_one() -> None:
    black = np.random.default_rng(0).random((13, 21)) < 0.5
    bitmap = Bitmap.from_array(black)
    image = bitmap.to_image()
    assert image.mode == "1" and image.getpixel((0, 0)) == (0 if black[0, 0] else 255)
    assert Bitmap.from_image(image) == bitmap


def test_threshold_never_dithers() -> None:
    gray = Image.new("L", (64, 64), 140)  # convert('1') would dither this to 50 % black
    assert threshold_image(gray).is_blank()
    assert threshold_image(Image.new("L", (64, 64), 100)).black_dots() == 64 * 64
    assert threshold_image(Image.new("L", (8, 1), 127)).black_dots() == 8
    assert threshold_image(Image.new("L", (8, 1), 128)).black_dots() == 0


def test_transparency_is_flattened_onto_white() -> None:
    rgba = Image.new("RGBA", (16, 16), (0, 0, 0, 0))  # transparent black: must print white
    rgba.paste((0, 0, 0, 255), (4, 4, 8, 8))
    black = threshold_image(rgba).to_array()
    assert black.sum() == 16 and black[4:8, 4:8].all()
    palette = rgba.convert("P")
    assert threshold_image(Image.open(io.BytesIO(png(palette)))).black_dots() == 16
    la = Image.new("LA", (4, 4), (0, 0))
    assert threshold_image(la).is_blank()


def test_quarter_turn_is_lossless_and_reversible() -> None:
    black = np.random.default_rng(2).random((30, 50)) < 0.5
    bitmap = Bitmap.from_array(black)
    turned = rotate_quarter(bitmap)
    assert (turned.width, turned.height) == (30, 50)
    assert np.array_equal(turned.to_array(), np.rot90(black, -1))
    assert rotate_quarter(turned, clockwise=False) == bitmap


def test_landscape_label_is_turned_to_portrait() -> None:
    model = get_model("dymo-4xl")
    image = Image.new("L", (1800, 1200), 255)
    image.paste(0, (0, 0, 10, 10))  # top-left of the landscape label
    label = load_label(png(image, 300), model)
    assert isinstance(label, RasterLabel) and label.rotated
    assert (label.bitmap.width, label.bitmap.height) == (1200, 1800)
    assert label.bitmap.to_array()[0:10, 1190:1200].all()  # clockwise: now top-right
    ccw = load_label(png(image, 300), model, rotation=Rotation.COUNTERCLOCKWISE)
    assert isinstance(ccw, RasterLabel) and ccw.bitmap.to_array()[1790:, :10].all()


def test_native_dpi_is_never_resampled_and_is_centred() -> None:
    model = get_model("zd421-300")  # 1219 x 1829 area; an EasyPost 300-dpi PNG is 1200 x 1800
    rng = np.random.default_rng(4)
    black = rng.random((1800, 1200)) < 0.5
    image = Bitmap.from_array(black).to_image()
    label = load_label(png(image, 300), model)
    assert isinstance(label, RasterLabel) and label.scale == 1
    assert np.array_equal(label.bitmap.to_array(), black)
    assert (label.x, label.y) == (9, 14)


def test_label_that_does_not_fit_is_an_error_not_a_crop() -> None:
    with pytest.raises(PrinterError) as info:
        load_label(png(Image.new("L", (812, 1218), 0), 203), get_model("zd410-203"))
    assert info.value.kind is PrinterErrorKind.LABEL_DOES_NOT_FIT
    assert "448" in info.value.message
    too_tall = Image.new("L", (800, 1300), 255)
    too_tall.paste(0, (100, 0, 110, 1300))  # ink over the whole height
    with pytest.raises(PrinterError) as info:
        load_label(png(too_tall, 203), get_model("gk420d"))
    assert info.value.kind is PrinterErrorKind.LABEL_DOES_NOT_FIT


def test_only_white_margins_are_trimmed_to_fit() -> None:
    image = Image.new("L", (1233, 1883), 255)  # a full-bleed 4XL page image with margins
    image.paste(0, (30, 70, 1220, 1860))
    label = load_label(png(image, 300), get_model("dymo-4xl"))
    assert isinstance(label, RasterLabel)
    assert (label.bitmap.width, label.bitmap.height) == (1200, 1800)
    assert label.bitmap.black_dots() == 1190 * 1790


def test_scaling_keeps_every_module_a_whole_number_of_dots() -> None:
    modules = np.random.default_rng(9).integers(1, 5, size=120)  # bar/space widths 1..4
    row = np.repeat(np.arange(modules.size) % 2 == 0, modules * 3)  # 3 px per module (300 dpi)
    black = np.zeros((200, row.size + 40), dtype=bool)
    black[50:150, 17 : 17 + row.size] = row  # an odd phase on purpose
    bitmap = Bitmap.from_array(black)
    assert barcode_module(bitmap) == 3
    scaled = scale_bitmap(bitmap, Fraction(2, 3))
    out = scaled.to_array()[100]
    edges = np.flatnonzero(out[1:] != out[:-1]) + 1
    runs = np.diff(edges)
    assert np.array_equal(runs, modules[: runs.size] * 2)  # each module is exactly 2 dots


def test_raw_zpl_and_epl2_pass_through_only_to_their_language() -> None:
    zpl = b"^XA^FO50,50^A0N,30,30^FDHELLO^FS^XZ"
    label = load_label(zpl, get_model("zd421-203"))
    assert label == RawLabel(zpl, Protocol.ZPL)
    epl = b'\nN\nq812\nQ1218,24\nA50,50,0,3,1,1,N,"HELLO"\nP1\n'
    assert load_label(epl, get_model("lp2844")) == RawLabel(epl, Protocol.EPL2)
    for data, model in ((zpl, "lp2844"), (zpl, "dymo-4xl"), (epl, "zd421-203")):
        with pytest.raises(PrinterError) as info:
            load_label(data, get_model(model))
        assert info.value.kind is PrinterErrorKind.BAD_LABEL


def test_sniffing_does_not_mistake_images_for_printer_languages() -> None:
    assert sniff_language(png(Image.new("L", (4, 4)))) is None
    assert sniff_language(b"%PDF-1.7 ^XA ^XZ") is None
    assert sniff_language(b"CT~~CD,~CC^~CT~\n^XA^XZ") is Protocol.ZPL


def test_unreadable_data_is_bad_label() -> None:
    with pytest.raises(PrinterError) as info:
        load_label(b"this is not a label", get_model("dymo-4xl"))
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    with pytest.raises(PrinterError) as info:
        load_label(b"%PDF-1.4 broken", get_model("dymo-4xl"))
    assert info.value.kind is PrinterErrorKind.BAD_LABEL


def test_source_dpi_comes_from_the_file_or_the_label_size() -> None:
    model = get_model("dymo-4xl")
    image = Image.new("L", (1200, 1800), 255)
    assert load_label(png(image), model).source_dpi == 300  # inferred from 4 x 6 inches
    small = load_label(png(Image.new("L", (812, 1218), 255), 203), model)
    assert isinstance(small, RasterLabel) and small.source_dpi == 203
    assert small.scale == Fraction(300, 203)  # no barcode: the exact ratio


@pytest.mark.parametrize(("x", "y"), [(0, 0), (8, 3), (5, 2), (-3, -1), (16, 0), (20, 9)])
def test_placed_matches_a_plain_array_paste(x: int, y: int) -> None:
    black = np.random.default_rng(x + 10 * y + 50).random((7, 13)) < 0.5
    canvas = np.zeros((12, 30), dtype=bool)
    y0, x0 = max(y, 0), max(x, 0)
    part = black[y0 - y : min(7, 12 - y), x0 - x : min(13, 30 - x)]
    canvas[y0 : y0 + part.shape[0], x0 : x0 + part.shape[1]] = part
    assert Bitmap.from_array(black).placed(30, 12, x, y) == Bitmap.from_array(canvas)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(
        [b"", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8\xff", b"%PDF-1.4\n", b"^XA"]
    ).flatmap(lambda head: st.binary(max_size=200).map(lambda tail: head + tail))
)
def test_load_label_on_garbage_raises_only_printer_errors(data: bytes) -> None:
    try:
        load_label(data, get_model("zd421-203"))
    except PrinterError as exc:
        assert exc.kind in {PrinterErrorKind.BAD_LABEL, PrinterErrorKind.LABEL_DOES_NOT_FIT}


def test_decompression_bomb_is_a_bad_label_not_a_crash() -> None:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 20000, 20000, 1, 0, 0, 0, 0)  # 400 megapixels, 1 bit
    bomb = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")
    with pytest.raises(PrinterError) as info:
        load_label(bomb, get_model("dymo-4xl"))
    assert info.value.kind is PrinterErrorKind.BAD_LABEL


def test_letter_page_pdf_with_a_label_fits_by_trimming_white() -> None:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    pdf.rect(36, 300, 3.5 * 72, 5 * 72, stroke=0, fill=1)  # a 3.5 x 5 in black "label"
    pdf.showPage()
    pdf.save()
    label = load_label(buffer.getvalue(), get_model("dymo-4xl"))
    assert isinstance(label, RasterLabel)
    box = label.bitmap.ink_box()
    assert box is not None and box[2] == 1050 and abs(box[3] - 1500) <= 1  # pdfium edge snap
    huge = io.BytesIO()
    big = canvas.Canvas(huge, pagesize=(40 * 72, 40 * 72))
    big.showPage()
    big.save()
    with pytest.raises(PrinterError) as info:
        load_label(huge.getvalue(), get_model("dymo-4xl"))
    assert info.value.kind is PrinterErrorKind.LABEL_DOES_NOT_FIT
