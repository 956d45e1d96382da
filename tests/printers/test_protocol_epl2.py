"""EPL2: golden bytes (inverted GW polarity), round trips, line commands, fuzzed decoder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap
from printers.protocols.epl2 import Epl2Decoder, decode_epl2, encode_epl2


def test_golden_gw_is_inverted() -> None:
    page = Bitmap(16, 2, b"\x80\x01\x00\x00")  # dots 0 and 15 black on row 0
    assert encode_epl2(page, copies=2) == (
        b"\nN\nq16\nQ2,24\nZT\nGW0,0,2,1,\x7f\xfe\nP2\n"  # 0 bits print black
    )


def test_blank_page_prints_a_blank_label() -> None:
    out = encode_epl2(Bitmap.blank(812, 1218))
    assert b"GW" not in out
    job = decode_epl2(out, 812, 1218)
    assert job.pages[0].bitmap.is_blank() and job.pages[0].bitmap.width == 812


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_bitmaps_round_trip(data) -> None:  # type: ignore[no-untyped-def]
    width = data.draw(st.integers(8, 120))
    height = data.draw(st.integers(1, 40))
    seed = data.draw(st.integers(0, 2**32 - 1))
    black = np.random.default_rng(seed).random((height, width)) < 0.3
    black[:, max(0, width - 7) :] = False  # ink ends a byte before the edge: GW stays inside
    page = Bitmap.from_array(black)
    job = decode_epl2(encode_epl2(page), 1, 1)
    assert job.pages[0].bitmap == page


def test_binary_data_with_newlines_and_chunked_feed() -> None:
    black = np.zeros((3, 32), dtype=bool)
    black[1, :] = [bool(int(b)) for b in f"{0xF5F5F5F5:032b}"]  # inverted bytes are 0x0A (LF)
    page = Bitmap.from_array(black)
    out = encode_epl2(page) + b"^ee\n"
    assert b"\n\n" in out.split(b"GW", 1)[1]  # LF bytes inside the raster data
    decoder = Epl2Decoder(32, 3)
    queries = []
    for byte in out:
        queries += [c for c in decoder.feed(bytes([byte])) if c.is_status_query]
    assert [c.name for c in queries] == ["^ee"]
    assert decoder.finish().pages[0].bitmap == page


def test_lines_boxes_reference_point_and_bottom_first() -> None:
    job = decode_epl2(
        b'N\nq20\nQ10,24\nR2,1\nLO0,0,4,2\nX5,5,1,9,8\nA10,0,0,1,1,1,N,"HI"\nP1\n', 1, 1
    )
    black = job.pages[0].bitmap.to_array()
    assert black[1:3, 2:6].all() and black[6, 7] and not black[7, 9]
    assert job.unrendered == ("A",)
    flipped = decode_epl2(b"N\nq8\nQ2,24\nZB\nLO0,0,1,1\nP1\n", 1, 1).pages[0].bitmap.to_array()
    assert flipped[1, 7] and flipped.sum() == 1


@pytest.mark.parametrize(
    "bad", [b"N\nGW0,0,2,2,\x00\x00", b"N\nGW0,0,x\n", b"\x01\x02\x03\n", b"N\nq8\nLOa,b\n"]
)
def test_invalid_jobs_are_protocol_errors(bad: bytes) -> None:
    with pytest.raises(PrinterError) as info:
        decode_epl2(bad, 8, 8)
    assert info.value.kind is PrinterErrorKind.PROTOCOL


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text("NqQGWLOXPR0123456789,\n", max_size=100).map(str.encode))
def test_decoder_never_crashes_on_garbage(data: bytes) -> None:
    try:
        decode_epl2(data, 64, 64)
    except PrinterError as exc:
        assert exc.kind is PrinterErrorKind.PROTOCOL
