"""Cross-dpi scaling never prints bars too thin to scan nor a label far smaller than it is."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import pytest
import zxingcpp

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap, RasterLabel, choose_scale, load_label, min_module_dots
from printers.models import get_model

ZEBRA_203 = get_model("zd421-203")  # 812 x 1218 printable dots


def barcode_label(
    module: int, ink_width: int, size: tuple[int, int] = (1200, 1800), runs: int = 90
) -> Bitmap:
    """A label with a frame `ink_width` px wide and a linear barcode of `module`-px modules."""
    widths = np.random.default_rng(7).integers(1, 5, size=runs)  # bars/spaces of 1..4 modules
    row = np.repeat(np.arange(widths.size) % 2 == 0, widths * module)
    black = np.zeros((size[1], size[0]), dtype=bool)
    left = (size[0] - ink_width) // 2
    black[40:44, left : left + ink_width] = True  # the label's frame: this is the ink width
    black[1500:1504, left : left + ink_width] = True
    start = (size[0] - row.size) // 2
    black[600:900, start : start + row.size] = row
    return Bitmap.from_array(black)


def png(bitmap: Bitmap, dpi: int) -> bytes:
    buffer = io.BytesIO()
    bitmap.to_image().save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def bar_runs(label: RasterLabel) -> set[int]:
    black = label.bitmap.to_array()
    edges = np.count_nonzero(black[:, 1:] != black[:, :-1], axis=1)
    row = black[int(np.argmax(edges))]
    change = np.flatnonzero(row[1:] != row[:-1]) + 1
    runs = np.diff(change)[1:-1]  # not the quiet zones up to the label's frame
    return set(runs[runs < 40].tolist())


def test_reviewers_wide_label_keeps_its_size_and_3_dot_bars_instead_of_half_size() -> None:
    # 3/4 keeps 3-dot bars but the 1100-px ink becomes 825 dots > 812; 1/2 would fit, but with
    # 2-dot (0.0099 in) bars on a 3 x 4.4 in label. Instead: true size, barcode re-laid whole.
    label = load_label(png(barcode_label(4, 1100), 300), ZEBRA_203)
    assert isinstance(label, RasterLabel)
    assert label.scale == Fraction(203, 300)
    assert (label.bitmap.width, label.bitmap.height) == (812, 1218)
    assert bar_runs(label) == {3, 6, 9, 12}
    box = label.bitmap.ink_box()
    assert box is not None and box[2] == 1100 * 203 // 300  # the frame: true size


def test_wide_label_whose_barcode_cannot_widen_is_refused_with_the_reason_and_fix() -> None:
    bitmap = barcode_label(4, 1100)
    black = bitmap.to_array()
    right = int(np.flatnonzero(black[700])[-1])
    black[600:900, right + 65 : right + 69] = True  # ink 16 modules past the last bar
    with pytest.raises(PrinterError) as info:
        load_label(png(Bitmap.from_array(black), 300), ZEBRA_203)
    error = info.value
    assert error.kind is PrinterErrorKind.LABEL_DOES_NOT_FIT
    assert "2 dots per bar (0.0099 in)" in error.message
    assert "USPS's minimum, 0.0130 in" in error.message
    assert "825" in error.message  # why 3 dots does not do either
    assert "203 dpi" in error.hint and "ZPL" in error.hint and "margins" in error.hint


def test_sandbox_png_label_prints_full_size_on_203_dpi_and_scans() -> None:
    from app.postage.sandbox.render_layout import label_layout
    from app.postage.sandbox.render_png import render_png
    from tests.postage.sandbox.test_labels import domestic

    data = domestic()
    label = load_label(render_png(label_layout(data)), ZEBRA_203)
    assert isinstance(label, RasterLabel)
    assert (label.bitmap.width, label.bitmap.height) == (812, 1218)
    assert bar_runs(label) == {3, 6, 9, 12}
    texts = [r.text for r in zxingcpp.read_barcodes(label.bitmap.to_image().convert("L"))]
    assert texts == [f"(420){data.to_address.zip.replace('-', '')}(94){data.tracking_code[2:]}"]


def test_same_label_with_ink_that_fits_keeps_3_dot_bars() -> None:
    label = load_label(png(barcode_label(4, 1080), 300), ZEBRA_203)
    assert isinstance(label, RasterLabel) and label.scale == Fraction(3, 4)
    assert bar_runs(label) == {3, 6, 9, 12}


def test_corpus_rule_3px_bars_at_300_dpi_become_2_dots_at_203() -> None:
    # A 0.01-in module is already under 0.013 in at the source: keeping it (2 dots = 0.0099 in,
    # 1.5 % narrower) is allowed; making it narrower than its own source is not.
    bitmap = barcode_label(3, 1100)
    assert choose_scale(bitmap, 300, 203, (812, 1218)) == Fraction(2, 3)


def test_min_module_is_usps_0013_in_or_the_sources_own_when_narrower() -> None:
    assert min_module_dots(4, 300, 203) == pytest.approx(0.013 * 203 * 0.95)
    assert min_module_dots(3, 300, 203) == pytest.approx(0.01 * 203 * 0.95)
    assert 2 < min_module_dots(4, 300, 203) <= 3  # 2 dots refused, 3 dots allowed


def test_a_scale_that_would_thin_bars_below_their_source_is_refused() -> None:
    # 2-px modules at 300 dpi (0.0067 in): 1 dot at 203 (0.0049 in) is too thin; 2 dots would
    # print the label 148 % large, which does not fit.
    with pytest.raises(PrinterError) as info:
        choose_scale(barcode_label(2, 1100), 300, 203, (812, 1218))
    assert info.value.kind is PrinterErrorKind.LABEL_DOES_NOT_FIT
    assert "1 dots per bar (0.0049 in) is thinner than the label's own bars, 0.0067 in" in (
        info.value.message
    )


def test_shrinking_far_below_the_true_size_is_refused() -> None:
    # 7-px modules (0.023 in) at 300 dpi: ideally 4.74 dots at 203. 5 dots does not fit; 4 dots
    # keeps the bars thick enough but prints the label at 84 % of its size: refused, not silent.
    bitmap = barcode_label(7, 1150, runs=50)
    with pytest.raises(PrinterError) as info:
        choose_scale(bitmap, 300, 203, (812, 1218))
    assert info.value.kind is PrinterErrorKind.LABEL_DOES_NOT_FIT
    assert "84%" in info.value.message
    assert choose_scale(bitmap, 300, 203, None) == Fraction(5, 7)  # closest when size is free


def test_203_to_300_keeps_whole_modules() -> None:
    bitmap = barcode_label(2, 780, size=(812, 1218))
    assert choose_scale(bitmap, 203, 300, (1200, 1800)) == Fraction(3, 2)
