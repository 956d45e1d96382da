"""ZPL: golden bytes, ^GF limits and bands, ~DG/^XG, CRC checks, fuzzed decoder."""

from __future__ import annotations

import base64
import re
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap
from printers.models import ZplGraphicEncoding
from printers.protocols.zpl import (
    BangReading,
    acs_compress,
    acs_decode,
    decode_zpl,
    encode_zpl,
)

ACS, Z64 = ZplGraphicEncoding.ACS, ZplGraphicEncoding.Z64
DG = ZplGraphicEncoding.DOWNLOAD_ACS


def bitmap(rows: list[bytes], width: int) -> Bitmap:
    return Bitmap(width, len(rows), b"".join(rows))


def crc16_xmodem(data: bytes) -> int:
    """Bit-by-bit CRC-16/XMODEM (poly 0x1021, init 0), independent of binascii."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def test_golden_acs() -> None:
    page = bitmap([b"\xff\x00", b"\xff\x00", b"\x0f\xf0"], 16)
    assert encode_zpl(page, encoding=ACS) == (
        b"^XA\n^PW16\n^LL3\n^LH0,0\n^PON\n^LRN\n^FWN\n"
        b"^FO0,0^GFA,6,6,2,HF,:0HF,^FS\n"  # FF00 -> 'HF' + ','; same row -> ':'; 0FF0
        b"^PQ1\n^XZ\n"
    )


def test_golden_download_graphic() -> None:
    page = bitmap([b"\xff\x00", b"\xff\x00", b"\x0f\xf0"], 16)
    assert encode_zpl(page, encoding=DG, copies=2) == (
        b"~DGR:PACKDESK.GRF,6,2,HF,:0HF,\n"  # t = 6 bytes, w = 2 bytes per row, ACS data
        b"^XA\n^PW16\n^LL3\n^LH0,0\n^PON\n^LRN\n^FWN\n"
        b"^FO0,0^XGR:PACKDESK.GRF,1,1^FS\n"
        b"^PQ2\n^XZ\n"
        b"^XA^IDR:PACKDESK.GRF^FS^XZ\n"  # free the printer's memory again
    )


def test_golden_acs_trailing_black_is_a_run_of_f_never_bang() -> None:
    # 24 bytes: 48 hex digits. Row 0: '0' then 47 'F' to the end -> '0' + 'hM' (40 + 7) + 'F',
    # spelled out as CUPS rastertolabel and LPrint do: Zebrash reads '!' as the hex digit 1.
    row0 = b"\x0f" + b"\xff" * 23
    row1 = b"\xaa" * 21 + b"\x00" * 3  # 'A' x 42 -> 'hHA'... then ','
    row2 = b"\x00" * 24  # all blank -> ','
    acs = acs_compress(np.frombuffer(row0 + row1 + row2, dtype=np.uint8).reshape(3, 24))
    assert acs == b"0hMFhHA,,"  # h = 40, H = 2 -> 42 x 'A'


def test_the_two_bang_readings() -> None:
    # '!' after '0': fill the row with 1s (common reading) or one hex digit 1 (Zebrash's).
    assert acs_decode(b"0!", 1, 1) == b"\x0f"
    assert acs_decode(b"0!", 1, 1, bang=BangReading.HEX_ONE) == b"\x01"
    assert acs_decode(b"H!", 1, 1, bang=BangReading.HEX_ONE) == b"\x11"  # counts apply too
    # The same data can even be a different length: one row read literally, 1.5 rows filled.
    assert acs_decode(b"0!J0", 3, 3, bang=BangReading.HEX_ONE) == b"\x01\x00\x00"
    with pytest.raises(PrinterError):
        acs_decode(b"0!J0", 3, 3)


def test_golden_z64_has_the_xmodem_crc_over_the_base64_text() -> None:
    page = bitmap([b"\xff\x00", b"\xff\x00", b"\x0f\xf0"], 16)
    out = encode_zpl(page, encoding=Z64, copies=3)
    match = re.search(rb"\^FO0,0\^GFA,(\d+),6,2,:Z64:([A-Za-z0-9+/=]+):([0-9A-F]{4})\^FS", out)
    assert match is not None
    encoded = match.group(2)
    assert int(match.group(1)) == len(b":Z64:" + encoded + b":" + match.group(3))
    assert zlib.decompress(base64.b64decode(encoded)) == page.data
    assert int(match.group(3), 16) == crc16_xmodem(encoded)
    assert out.endswith(b"^PQ3\n^XZ\n")


def test_blank_page_has_no_graphic_field() -> None:
    out = encode_zpl(Bitmap.blank(812, 1218))
    assert b"^GF" not in out and out.startswith(b"^XA") and out.endswith(b"^XZ\n")


def test_graphic_starts_at_the_ink_and_never_crosses_the_page_width() -> None:
    black = np.zeros((10, 812), dtype=bool)
    black[4, 805:812] = True
    black[6, 300] = True
    out = encode_zpl(Bitmap.from_array(black), encoding=ACS)
    fields = re.findall(rb"\^FO(\d+),(\d+)\^GFA,\d+,(\d+),(\d+),", out)
    assert len(fields) == 1
    x, y, total, width_bytes = (int(v) for v in fields[0])
    assert (y, total // width_bytes) == (4, 3)
    assert x + 8 * width_bytes <= 812 and x <= 300
    assert decode_zpl(out, 812, 10).pages[0].bitmap == Bitmap.from_array(black)


@pytest.mark.parametrize("encoding", [ACS, Z64, DG])
def test_full_4x6_at_300_dpi_is_split_into_bands_under_the_gf_limit(encoding) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(7)
    black = rng.random((1829, 1219)) < 0.5
    page = Bitmap.from_array(black)
    out = encode_zpl(page, encoding=encoding)
    counts = [(int(b), int(c)) for b, c in re.findall(rb"\^GFA,(\d+),(\d+),", out)]
    if encoding is DG:  # ~DG has no 99,999 limit: one download, one recall
        assert not counts and out.count(b"~DG") == 1 and out.count(b"^XG") == 1
    else:
        assert len(counts) >= 3
        assert all(b <= 99_999 and c <= 99_999 for b, c in counts)
    assert decode_zpl(out, 1219, 1829).pages[0].bitmap == page


@pytest.mark.parametrize("encoding", [ACS, Z64, DG])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_random_bitmaps_round_trip(encoding, data) -> None:  # type: ignore[no-untyped-def]
    width = data.draw(st.integers(1, 90))
    height = data.draw(st.integers(1, 40))
    density = data.draw(st.sampled_from([0.0, 0.05, 0.5, 0.95, 1.0]))
    seed = data.draw(st.integers(0, 2**32 - 1))
    black = np.random.default_rng(seed).random((height, width)) < density
    if data.draw(st.booleans()) and height > 2:
        black[1] = black[0]  # repeated rows exercise ':'
    page = Bitmap.from_array(black)
    limit = data.draw(st.sampled_from([99_999, 40]))
    out = encode_zpl(page, encoding=encoding, max_field_bytes=max(limit, (width + 7) // 8))
    job = decode_zpl(out, width, height)
    assert len(job.pages) == 1 and job.pages[0].bitmap == page


def test_acs_decoder_understands_the_manual_forms() -> None:
    # 'hG' = 41 repeats; lowercase hex is accepted; ':' repeats, '!' fills with 1s.
    assert acs_decode(b"hGF" + b"0" * 7 + b":J0!", 24, 72)[:24] == bytes.fromhex("F" * 41 + "0" * 7)
    assert acs_decode(b"ff,\n:", 2, 4) == b"\xff\x00\xff\x00"


def test_chunked_feed_equals_whole_decode() -> None:
    black = np.random.default_rng(3).random((60, 100)) < 0.3
    out = encode_zpl(Bitmap.from_array(black), encoding=ACS, copies=2) + b"~HS"
    from printers.protocols.zpl import ZplDecoder

    decoder = ZplDecoder(100, 60)
    seen = []
    for i in range(0, len(out), 7):
        seen += decoder.feed(out[i : i + 7])
    assert any(c.name == "~HS" and c.is_status_query for c in seen)  # answered mid-stream
    job = decoder.finish()
    assert job.pages == decode_zpl(out, 100, 60).pages
    assert job.pages[0].copies == 2


def test_download_graphic_and_recall_with_magnification() -> None:
    zpl = b"~DGR:BOX.GRF,2,1,F0F0^XA^FO10,5^XGR:BOX.GRF,2,3^FS^XZ^XA^IDR:BOX.GRF^FS^XZ"
    job = decode_zpl(zpl, 40, 20)
    assert len(job.pages) == 1  # the ^ID format prints nothing
    black = job.pages[0].bitmap.to_array()
    assert black[5:11, 10:18].all() and black.sum() == 48


def test_boxes_text_fields_and_home_are_handled() -> None:
    zpl = b"^XA^LH5,5^FO0,0^GB20,10,2^FS^FO0,30^A0N,20,20^FDHELLO^FS^PQ2^XZ"
    job = decode_zpl(zpl, 50, 50)
    black = job.pages[0].bitmap.to_array()
    assert black[5, 5:25].all() and not black[10, 10]
    assert "^FD" in job.unrendered and job.pages[0].copies == 2


def test_changed_prefix_characters() -> None:
    zpl = b"CT~~CD,~CC^~CT~^XA^FO0,0^GFA,1,1,1,80^FS^XZ"
    assert decode_zpl(zpl, 8, 1).pages[0].bitmap == Bitmap(8, 1, b"\x80")


@pytest.mark.parametrize(
    "bad",
    [
        b"^XA^FO0,0^GFA,2,1,1,8000^FS^XZ",  # b != c for ASCII: printers reject it
        b"^XA^FO0,0^GFA,2,2,1,80^FS^XZ",  # too little data
        b"^XA^FO0,0^GFA,120000,120000,100,00^FS^XZ",  # over the ^GF limit
        b"^XA^FO0,0^GFA,20,1,1,:Z64:eJxrAAAAgQCB:0000^FS^XZ",  # wrong CRC
        b"^XA^XGR:NONE.GRF,1,1^FS^XZ",
        b"\x00\x01garbage with no commands",
        b"^XA^FO0,0^GFA,1,1,1,80^FS",  # cut off before ^XZ
    ],
)
def test_invalid_jobs_are_protocol_errors(bad: bytes) -> None:
    with pytest.raises(PrinterError) as info:
        decode_zpl(bad, 8, 8)
    assert info.value.kind is PrinterErrorKind.PROTOCOL


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300) | st.text("^~XAFOGFBZ0123456789,:!GHghz", max_size=120).map(str.encode)
)
def test_decoder_never_crashes_on_garbage(data: bytes) -> None:
    try:
        decode_zpl(data, 64, 64)
    except PrinterError as exc:
        assert exc.kind is PrinterErrorKind.PROTOCOL


def test_pq_with_pause_replicate_and_override_counts_the_first_field() -> None:
    """^PQq,p,r,o (what EasyPost-style ZPL ends with) prints q copies."""
    from printers.models import get_model
    from printers.pipeline import decode_job

    zpl = b"^XA^PW812^LL1218^FO10,10^GB100,100,100^FS^PQ2,0,1,Y^XZ"
    job = decode_job(zpl, get_model("zd421-203"))
    assert job.label_count == 2
