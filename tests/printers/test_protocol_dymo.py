"""DYMO 450 series and 550 series: DYMO's own test vectors, golden jobs, round trips, fuzz."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap, RasterLabel
from printers.models import get_model
from printers.pipeline import decode_job, encode_label, page_bitmap
from printers.protocols.dymo_550 import decode_dymo_550, encode_dymo_550
from printers.protocols.dymo_lw import (
    RESYNC,
    DymoLwDecoder,
    _skips,
    decode_dymo_lw,
    encode_dymo_lw,
    encode_lines,
)


# Vectors from DYMO's CUPS driver unit tests (TestLabelWriterDriver.cpp), as in the notes.
@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (b"\xff" * 8, "1b42001b440817bf"),
        (b"\xff" * 24, "1b42001b441817ffbf"),
        (b"\xaa" * 8, "1b42001b440816" + "aa" * 8),
    ],
)
def test_dymo_driver_line_vectors(row: bytes, expected: str) -> None:
    assert encode_lines(Bitmap(len(row) * 8, 1, row)).hex() == expected


def test_dymo_driver_skip_vector() -> None:
    assert _skips(257).hex() == "1b6601ff1b660102"


def test_golden_450_job() -> None:
    page = Bitmap(16, 4, b"\x00\x00" + b"\xff\xff" + b"\xaa\xaa" + b"\x00\x00")
    expected = (
        RESYNC
        + b"\x1b@"
        + b"\x1bL\x00\x68"  # label length 104 lines, big-endian
        + b"\x1bh\x1be"
        + b"\x1bB\x00\x1bD\x02"
        + b"\x1bf\x01\x01"  # one blank line
        + b"\x17\x8f"  # 16 black dots as one run
        + b"\x16\xaa\xaa"  # alternating dots stay uncompressed
        + b"\x1bf\x01\x01"
        + b"\x1bG"
    )
    out = encode_dymo_lw(page, copies=2)
    body = expected[len(RESYNC) + 2 + 4 + 4 : -2]
    assert out == expected + body + b"\x1bE"
    job = decode_dymo_lw(out, 16)
    assert len(job.pages) == 1 and job.pages[0].copies == 2 and job.pages[0].bitmap == page


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_450_random_pages_round_trip(data) -> None:  # type: ignore[no-untyped-def]
    width = 8 * data.draw(st.integers(1, 40))
    height = data.draw(st.integers(1, 300))
    density = data.draw(st.sampled_from([0.0, 0.02, 0.5, 0.98]))
    seed = data.draw(st.integers(0, 2**32 - 1))
    black = np.random.default_rng(seed).random((height, width)) < density
    page = Bitmap.from_array(black)
    job = decode_dymo_lw(encode_dymo_lw(page), width)
    assert job.pages[0].bitmap == page


def test_450_status_query_is_seen_mid_stream() -> None:
    page = Bitmap.from_array(np.random.default_rng(1).random((20, 64)) < 0.5)
    out = b"\x1bA" + encode_dymo_lw(page)
    decoder = DymoLwDecoder(64, 20)
    names = [c.name for i in range(0, len(out), 5) for c in decoder.feed(out[i : i + 5])]
    assert names[0] == "ESC A"
    assert decoder.finish().pages[0].bitmap == page


def test_450_line_wider_than_the_head_is_rejected() -> None:
    with pytest.raises(PrinterError) as info:
        decode_dymo_lw(b"\x1bD\x60\x16" + bytes(0x60), 672)  # 96 bytes on a 84-byte head
    assert info.value.kind is PrinterErrorKind.PROTOCOL


def test_golden_550_job() -> None:
    page = Bitmap(16, 2, b"\x80\x01\xff\x00")
    assert encode_dymo_550(page, job_id=7).hex(" ") == (
        "1b 41 01 "  # status + lock request
        "1b 73 07 00 00 00 "  # start of job 7
        "1b 43 64 1b 68 "  # density 100 %, text mode
        "1b 4d 00 00 00 00 00 00 00 00 "  # standard media
        "1b 6e 01 00 "  # label index 1
        "1b 44 01 02 02 00 00 00 10 00 00 00 "  # 2 lines x 16 dots, little-endian
        "80 01 ff 00 "
        "1b 45 1b 41 00 1b 51"  # form feed, status, end of job
    )


def test_550_copies_and_round_trip() -> None:
    page = Bitmap.from_array(np.random.default_rng(5).random((30, 1200)) < 0.4)
    out = encode_dymo_550(page, copies=3)
    assert out.count(b"\x1bG") >= 2 and out.count(b"\x1bn") == 3
    job = decode_dymo_550(out, 1248)
    assert job.label_count == 3 and job.pages[0].bitmap == page
    assert [c.args for c in job.status_queries] == [(1,), (0,)]


@pytest.mark.parametrize(
    "bad",
    [
        b"\x1bD\x01\x02\x01\x00\x00\x00\x08\x00\x00\x00\x00",  # ESC D before ESC s
        b"\x1bs\x01\x00\x00\x00\x1bD\x01\x02\x01\x00\x00\x00\x00\x10\x00\x00",  # too wide
        b"\x1bs\x01\x00\x00\x00\x1bD\x01\x02\x02\x00\x00\x00\x08\x00\x00\x00\x00",  # cut
        b"\x1bZ",
        b"hello",
    ],
)
def test_550_invalid_jobs_are_protocol_errors(bad: bytes) -> None:
    with pytest.raises(PrinterError) as info:
        decode_dymo_550(bad, 1248)
    assert info.value.kind is PrinterErrorKind.PROTOCOL


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300)
    | st.lists(
        st.sampled_from(
            [b"\x1b", b"\x16", b"\x17", b"D", b"f\x01", b"B", b"\x02", b"\xff", b"E", b"s", b"A"]
        ),
        max_size=60,
    ).map(b"".join)
)
def test_decoders_never_crash_on_garbage(data: bytes) -> None:
    for decode in (decode_dymo_lw, decode_dymo_550):
        try:
            decode(data, 1248)
        except PrinterError as exc:
            assert exc.kind is PrinterErrorKind.PROTOCOL


def test_5xl_4x6_block_header_matches_the_reference_job() -> None:
    model = get_model("dymo-5xl")
    label = RasterLabel(Bitmap.blank(1200, 1800), 0, 0, 300.0, Fraction(1), False)
    out = encode_label(label, model)
    # LW 550 reference: 1800 lines x 1200 dots, then 270,000 bytes of data.
    header = bytes.fromhex("1b 44 01 02 08 07 00 00 b0 04 00 00")
    assert out.count(header) == 1
    start = out.index(header) + len(header)
    assert out[start + 270_000 :] == b"\x1bE\x1bA\x00\x1bQ"
    assert out.startswith(b"\x1bA\x01\x1bs")


def test_4xl_job_uses_the_450_series_framing() -> None:
    model = get_model("dymo-4xl")
    black = np.zeros((1800, 1200), dtype=bool)
    black[0, 0] = black[1799, 1199] = True
    label = RasterLabel(Bitmap.from_array(black), 0, 0, 300.0, Fraction(1), False)
    out = encode_label(label, model, copies=2)
    assert out.startswith(RESYNC + b"\x1b@\x1bL" + (1983).to_bytes(2, "big") + b"\x1bh\x1be")
    assert out.count(b"\x1bG") == 1 and out.endswith(b"\x1bE")
    # ESC B skips the 3 blank bytes left of the centred label (24 dots), ESC D covers 150 bytes.
    assert b"\x1bB\x03\x1bD\x96" in out
    job = decode_job(out, model)
    assert job.label_count == 2 and job.pages[0].bitmap == page_bitmap(label, model)
