"""Every corpus label on every 4x6 model: encode -> decode gives the exact page, barcodes scan."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp

from printers.imaging import Bitmap, RasterLabel, load_label, threshold_image
from printers.models import MODELS, PrinterModel
from printers.pipeline import decode_job, encode_label, page_bitmap
from tests.printers.corpus.make_corpus import CorpusLabel

FOUR_BY_SIX = [m for m in MODELS.values() if m.fits_4x6]
Encoded = dict[tuple[str, str], tuple[RasterLabel, bytes]]
GS1_TEXT = "(420)10001(92)05590164917312751089"  # zxing's GS1 rendering of IMPB_TEXT


def scan(bitmap: Bitmap) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(bitmap.to_image().convert("L"))]


@pytest.fixture(scope="module")
def encoded(label_corpus: dict[str, CorpusLabel]) -> Encoded:
    out: Encoded = {}
    for name, item in label_corpus.items():
        data = item.path.read_bytes()
        for model in FOUR_BY_SIX:
            label = load_label(data, model)
            assert isinstance(label, RasterLabel)
            out[name, model.name] = (label, encode_label(label, model, copies=2))
    return out


@pytest.mark.parametrize("model", FOUR_BY_SIX, ids=lambda m: m.name)
def test_round_trip_is_exact_for_every_corpus_label(
    model: PrinterModel,
    label_corpus: dict[str, CorpusLabel],
    encoded: Encoded,
) -> None:
    for name in label_corpus:
        label, data = encoded[name, model.name]
        job = decode_job(data, model)
        assert len(job.pages) == 1 and job.pages[0].copies == 2, name
        page = job.pages[0].bitmap
        assert page == page_bitmap(label, model), name
        # The label sits exactly at its place; nothing else on the page is inked.
        x, y = model.printable_x + label.x, model.printable_y + label.y
        assert page.crop(x, y, label.bitmap.width, label.bitmap.height) == label.bitmap
        assert page.black_dots() == label.bitmap.black_dots()
        assert scan(page) == [GS1_TEXT], (name, model.name)


@pytest.mark.parametrize("model_name", ["zd421-300", "dymo-4xl", "dymo-5xl"])
def test_native_dpi_page_holds_the_thresholded_source_unchanged(
    model_name: str,
    label_corpus: dict[str, CorpusLabel],
    encoded: Encoded,
) -> None:
    from PIL import Image

    source = threshold_image(Image.open(label_corpus["usps_300.png"].path))
    names = (
        "usps_300.png",
        "usps_300_transparent.png",
        "usps_300_landscape.png",
        "usps_300_image.pdf",
    )
    for name in names:
        label, _ = encoded[name, model_name]
        assert label.scale == 1 and label.bitmap == source, name


@pytest.mark.parametrize(
    ("name", "model_name", "dots"),
    [
        ("usps_300.png", "zd421-203", 2),
        ("usps_300.png", "lp2844", 2),
        ("usps_203.png", "dymo-4xl", 3),
    ],
)
def test_cross_dpi_bars_stay_uniform_and_scan(
    name: str,
    model_name: str,
    dots: int,
    encoded: Encoded,
) -> None:
    _, data = encoded[name, model_name]
    page = decode_job(data, MODELS[model_name]).pages[0].bitmap
    black = page.to_array()
    edges = np.count_nonzero(black[:, 1:] != black[:, :-1], axis=1)
    bar_rows = np.flatnonzero(edges > 100)
    assert bar_rows.size > 50
    row = black[bar_rows[bar_rows.size // 2]]
    change = np.flatnonzero(row[1:] != row[:-1]) + 1
    runs = np.diff(change)
    bars = runs[np.abs(runs) <= 4 * dots]  # the bars and spaces, not the quiet zones
    assert bars.size > 100 and set((bars % dots).tolist()) == {0}
    assert set((bars // dots).tolist()) <= {1, 2, 3, 4}
    assert scan(page) == [GS1_TEXT]


def test_pdf_is_rendered_at_the_printer_dpi(encoded: Encoded) -> None:
    label203, _ = encoded["usps_4x6.pdf", "zd421-203"]
    label300, _ = encoded["usps_4x6.pdf", "dymo-4xl"]
    assert (label203.bitmap.width, label203.bitmap.height) == (812, 1218)
    assert (label300.bitmap.width, label300.bitmap.height) == (1200, 1800)
    assert label203.scale == 1 == label300.scale


def test_typical_zpl_label_is_compact(encoded: Encoded) -> None:
    for model_name in ("zd421-203", "zpl-203", "gk420d"):
        _, data = encoded["usps_203.png", model_name]
        assert len(data) < 40_000, model_name


def test_full_page_image_pdf_scales_like_its_png(encoded: Encoded) -> None:
    # The PDF's own 300-dpi bitmap is used (not a pdfium resample), so a 203-dpi printer gets
    # the same whole-dot barcode scaling as from the PNG.
    for model_name in ("zd421-203", "lp2844", "dymo-4xl"):
        from_pdf, _ = encoded["usps_300_image.pdf", model_name]
        from_png, _ = encoded["usps_300.png", model_name]
        assert from_pdf.source_dpi == 300 and from_pdf == from_png, model_name


def test_corpus_barcode_is_gs1_128_with_a_valid_check_digit(
    label_corpus: dict[str, CorpusLabel],
) -> None:
    from PIL import Image

    from tests.printers.corpus.make_corpus import TRACKING, usps_check_digit

    assert usps_check_digit("400638133393") == "1"  # the textbook GS1 example 4006381333931
    assert len(TRACKING) == 22 and TRACKING.startswith("92")
    assert usps_check_digit(TRACKING[:-1]) == TRACKING[-1]
    for name in ("usps_203.png", "usps_300.png"):
        (result,) = zxingcpp.read_barcodes(Image.open(label_corpus[name].path))
        assert result.format == zxingcpp.BarcodeFormat.Code128
        assert result.symbology_identifier == "]C1"  # FNC1 first: GS1-128
        assert result.content_type == zxingcpp.ContentType.GS1
        assert result.text == f"(420)10001(92){TRACKING[2:]}"
