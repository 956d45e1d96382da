"""ZPL `!` is ambiguous (fill with 1s, or Zebrash's hex digit 1): the encoders never send it.

Zebrash (zpl-renderer-js) drew every row ending in black as a dotted `0001` pattern on the
LP2844-Z and generic ZPL output (8,394 dots off). CUPS rastertolabel and LPrint spell trailing
black as a run of `F`; so do we, and both readings of `!` now give the same label.
"""

from __future__ import annotations

import numpy as np
import pytest

from printers.emulators.presets import make_engine
from printers.imaging import Bitmap, RasterLabel, load_label
from printers.models import MODELS, PrinterModel, Protocol, ZplGraphicEncoding
from printers.pipeline import decode_job, encode_page, page_bitmap
from printers.protocols.base import ink_window, pack_window
from printers.protocols.zpl import BangReading, encode_zpl
from tests.printers.corpus.make_corpus import CorpusLabel

ZPL_MODELS = [m for m in MODELS.values() if m.family is Protocol.ZPL and m.fits_4x6]


@pytest.mark.parametrize("model", ZPL_MODELS, ids=lambda m: m.name)
@pytest.mark.parametrize("encoding", list(ZplGraphicEncoding))
def test_no_bang_and_one_image_under_both_readings(
    model: PrinterModel, encoding: ZplGraphicEncoding, label_corpus: dict[str, CorpusLabel]
) -> None:
    rows_ending_black = 0
    for name, item in label_corpus.items():
        label = load_label(item.path.read_bytes(), model)
        assert isinstance(label, RasterLabel)
        page = page_bitmap(label, model)
        data = encode_zpl(page, encoding=encoding, max_field_bytes=model.max_gf_bytes)
        assert b"!" not in data, (name, model.name, encoding)
        fill = decode_job(data, model, zpl_bang=BangReading.FILL_ONES).pages[0].bitmap
        literal = decode_job(data, model, zpl_bang=BangReading.HEX_ONE).pages[0].bitmap
        assert fill == literal == page, (name, model.name, encoding)
        black = page.to_array()
        window = ink_window(black, page.width)
        assert window is not None
        x, y, width_bytes, rows = window
        packed = np.frombuffer(pack_window(black, x, y, width_bytes, rows), dtype=np.uint8)
        rows_ending_black += int((packed.reshape(rows, width_bytes)[:, -1] & 0x0F == 0x0F).sum())
    if model.dpi == 203:
        # Rows whose last hex digit is F (the label border): where `!` used to be sent.
        assert rows_ending_black > 1000


def test_the_models_own_encoding_has_no_bang(label_corpus: dict[str, CorpusLabel]) -> None:
    for model in ZPL_MODELS:
        for item in label_corpus.values():
            label = load_label(item.path.read_bytes(), model)
            assert isinstance(label, RasterLabel)
            assert b"!" not in encode_page(page_bitmap(label, model), model)


def test_the_emulator_reads_bang_as_the_hex_digit_one() -> None:
    # One row of 8 dots: '0!' is 0x0F under "fill with 1s", 0x01 under the literal reading.
    engine = make_engine("zpl-203")
    try:
        engine.receive(b"^XA^PW8^LL1^FO0,0^GFA,1,1,1,0!^FS^XZ", timeout_s=5)
        assert engine.wait_printed(1, 10)
        printed = engine.printed[0].bitmap
        assert printed.crop(0, 0, 8, 1) == Bitmap(8, 1, b"\x01")
    finally:
        engine.close()


def test_a_black_bordered_row_is_spelled_with_f() -> None:
    black = np.zeros((2, 64), dtype=bool)
    black[:, 4:] = True  # a row that ends in black, and the same row again
    out = encode_zpl(Bitmap.from_array(black), encoding=ZplGraphicEncoding.ACS)
    assert b"^GFA,16,16,8,0UF:^FS" in out  # '0' + 15 x 'F' (U = 15), then ':' repeats it
