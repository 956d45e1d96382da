"""The sandbox SCAN form PDF: its barcode scans to the form id and every piece is listed."""

from __future__ import annotations

from datetime import datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp

from app.domain.tracking import group_tracking_for_print, make_usps_tracking_number
from app.postage.sandbox.label_data import LabelAddress
from app.postage.sandbox.labels import render_scan_form_pdf

FROM = LabelAddress("Packdesk Fulfilment", "388 Townsend St", "San Francisco", "CA", "94107", "US")
FORM_ID = "sf_8eeeea1e23b44a8388cbb85b12595f46"
CREATED = datetime(2026, 11, 25, 17, 30)


def pages_text_and_images(pdf: bytes) -> tuple[list[str], list[object]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        texts = [page.get_textpage().get_text_range() for page in doc]
        images = [page.render(scale=300 / 72).to_pil() for page in doc]
    finally:
        doc.close()
    return texts, images


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (75, 1), (76, 2), (200, 2)])
def test_scan_form_lists_every_piece_and_scans(count: int, pages: int) -> None:
    codes = [make_usps_tracking_number(n) for n in range(count)]
    texts, images = pages_text_and_images(render_scan_form_pdf(FORM_ID, FROM, codes, CREATED))
    assert len(texts) == pages
    everything = "\n".join(texts)
    for code in codes:
        assert group_tracking_for_print(code) in everything
    assert f"Total pieces: {count}" in texts[0]
    assert "SANDBOX - NOT VALID POSTAGE" in texts[0]
    assert "2026-11-25 17:30" in texts[0]
    assert "PACKDESK FULFILMENT" in texts[0]
    assert f"page {pages} of {pages}" in texts[-1]
    decoded = [
        (r.bytes.decode(), r.symbology_identifier) for r in zxingcpp.read_barcodes(images[0])
    ]
    assert decoded == [(FORM_ID, "]C0")]


def test_scan_form_needs_pieces() -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_scan_form_pdf(FORM_ID, FROM, [], CREATED)


def test_scan_form_shows_s10_numbers_as_they_are() -> None:
    texts, _ = pages_text_and_images(
        render_scan_form_pdf(FORM_ID, FROM, ["LZ000000425US"], CREATED)
    )
    assert "LZ000000425US" in texts[0]
