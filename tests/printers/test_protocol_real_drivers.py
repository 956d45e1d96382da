"""Decoders on bytes captured from CUPS's own label driver (rastertolabel) for a known raster."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from printers.imaging import Bitmap
from printers.protocols.dymo_lw import decode_dymo_lw
from printers.protocols.epl2 import decode_epl2
from printers.protocols.zpl import decode_zpl

CAPTURED = Path(__file__).parent / "corpus" / "captured"


def source_bitmap() -> Bitmap:
    black = np.zeros((24, 64), dtype=bool)
    black[2:6, 8:40] = True
    black[10, ::3] = True
    black[15:20, 60:64] = True
    black[22, 0] = True
    return Bitmap.from_array(black)


def test_dymo_rastertolabel_stream() -> None:
    data = (CAPTURED / "rastertolabel_dymo.bin").read_bytes()
    job = decode_dymo_lw(data, 1248)
    assert len(job.pages) == 1
    page = job.pages[0].bitmap
    assert (page.width, page.height) == (1248, 23)  # the trailing blank line is not sent
    assert page.placed(64, 24, 0, 0) == source_bitmap()
    assert page.black_dots() == source_bitmap().black_dots()
    names = [c.name for c in job.commands]
    assert names[:3] == ["ESC @", "ESC L", "ESC D"] and "ESC q" in names and names[-1] == "ESC E"


def test_zpl_rastertolabel_stream_with_download_graphic_and_inverted_print() -> None:
    data = (CAPTURED / "rastertolabel_zpl.bin").read_bytes()
    assert data.startswith(b"~DGR:CUPS.GRF,192,8,") and b"^POI" in data and b"~TA000" in data
    job = decode_zpl(data, 812, 24)
    assert len(job.pages) == 1  # the ^IDR delete format prints nothing
    page = job.pages[0].bitmap
    assert page.width == 64  # ^PW64
    # ^POI turns the whole label by 180 degrees.
    assert np.array_equal(page.to_array()[::-1, ::-1], source_bitmap().to_array())


def test_epl2_rastertolabel_page_mode_stream() -> None:
    data = (CAPTURED / "rastertolabel_epl2.bin").read_bytes()
    assert data.count(b"GW") == 24  # one GW per line, blank lines included
    job = decode_epl2(data, 812, 24)
    assert len(job.pages) == 1
    assert job.pages[0].bitmap == source_bitmap()
