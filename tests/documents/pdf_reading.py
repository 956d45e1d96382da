"""Reading our PDFs back: text (pypdf), page sizes in inches, fonts, rendered pages (pdfium)."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import zxingcpp
from PIL import Image


def reader(source: Path | bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)


def page_texts(source: Path | bytes) -> list[str]:
    return [page.extract_text() or "" for page in reader(source).pages]


def page_sizes_in(source: Path | bytes) -> list[tuple[float, float]]:
    return [
        (round(float(page.mediabox.width) / 72, 3), round(float(page.mediabox.height) / 72, 3))
        for page in reader(source).pages
    ]


def font_names(source: Path | bytes) -> set[str]:
    """Base font names of every font used, with whether each is embedded."""
    names: set[str] = set()
    for page in reader(source).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            obj = font.get_object()
            descriptor = obj.get("/FontDescriptor")
            embedded = bool(
                descriptor
                and any(key in descriptor.get_object() for key in ("/FontFile", "/FontFile2"))
            )
            names.add(f"{obj['/BaseFont']}{'' if embedded else ' (not embedded)'}")
    return names


def compact(text: str) -> str:
    """Text without any whitespace: pypdf breaks lines where the font changes (Latin/CJK)."""
    return "".join(text.split())


def render_page(source: Path | bytes, index: int = 0, dpi: int = 200) -> Image.Image:
    """One page as a PIL image (pdfium, the renderer the printers use)."""
    document = pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))
    try:
        return document[index].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def barcodes(image: Image.Image) -> list[tuple[str, str]]:
    """(format, text) of every barcode zxing-cpp finds in `image`."""
    return [
        (str(result.format), result.text)
        for result in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
    ]
