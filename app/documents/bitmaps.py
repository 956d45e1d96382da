"""Black-and-white bitmaps (labels, customs forms) placed on a PDF page at an exact size.

reportlab's drawImage decodes every image, turns it into 8-bit RGB and compresses that again:
~75 ms for one 300-dpi 4x6 label, 75 s for a batch of 1,000. A label is black and white, and
PDF takes 1-bit images: packed 8 pixels a byte there is 24x less to compress (~3 ms a label).
PDF also reads a PNG's compressed rows as they are (FlateDecode with the PNG predictors), so a
grey or black-and-white PNG goes in untouched: no decoding, no compressing, pixel for pixel
what EasyPost sent.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

RENDER_DPI = 300
_THRESHOLD = 160  # grey anti-aliased edges of a rendered PDF count as black below this
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Bitmap:
    """A greyscale image ready for a PDF: its size, bits per pixel and Flate-compressed rows
    (`png_rows`: PNG scanlines, each with its filter byte, as in a PNG's IDAT)."""

    width: int
    height: int
    bits: int
    data: bytes
    png_rows: bool = False

    @property
    def key(self) -> str:
        return "pdbmp" + hashlib.blake2b(self.data, digest_size=12).hexdigest()


def from_image(image: Image.Image) -> Bitmap:
    """Any PIL image as a 1-bit bitmap (white 1, black 0; transparency counts as white)."""
    if image.mode != "1":
        if image.mode in ("RGBA", "LA", "P", "PA"):
            flat = Image.new("RGB", image.size, (255, 255, 255))
            rgba = image.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            image = flat
        image = image.convert("L").point(lambda v: 255 if v >= _THRESHOLD else 0, mode="1")
    # Rows of 1-bit pixels, each padded to a byte: what PDF wants for 1-bit images (numpy
    # packs them 4x faster than Image.tobytes).
    import numpy as np  # here, not at import: numpy and pdfium cost the GUI ~18 MB until used

    packed = np.packbits(np.asarray(image), axis=1).tobytes()
    return Bitmap(image.width, image.height, 1, zlib.compress(packed, 1))


def _png_passthrough(data: bytes) -> Bitmap | None:
    """A grey (1 or 8 bit), non-interlaced PNG's compressed rows, or None for anything else."""
    if not data.startswith(_PNG_SIGNATURE):
        return None
    position = len(_PNG_SIGNATURE)
    header: tuple[int, ...] | None = None
    rows: list[bytes] = []
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            rows.append(body)
        elif kind in (b"tRNS", b"PLTE"):
            return None  # transparency or a palette: decode it instead
        elif kind == b"IEND":
            break
    if header is None or not rows:
        return None
    width, height, depth, colour, _compression, _filter, interlace = header
    # Checked to render pixel-exact in pdfium (Chrome) and poppler at 1 and 8 bits. (pypdf's
    # own decoder takes the 1-bit predictor distance as 0 bytes and garbles such images when
    # asked for their pixels; it places and sizes them right.)
    if colour != 0 or depth not in (1, 8) or interlace != 0:
        return None
    return Bitmap(width, height, depth, b"".join(rows), png_rows=True)


def open_bitmap(path: Path) -> Bitmap:
    """A label image file as a Bitmap (PNG rows passed through when PDF can take them)."""
    data = path.read_bytes()
    direct = _png_passthrough(data)
    if direct is not None:
        return direct
    with Image.open(path) as image:
        image.load()
        return from_image(image)


def pdf_pages(data: bytes | Path, dpi: int = RENDER_DPI) -> list[tuple[Bitmap, float, float]]:
    """Each page of a PDF as (bitmap, width in inches, height in inches)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data if isinstance(data, bytes) else str(data))
    try:
        pages = []
        for page in document:
            width_pt, height_pt = page.get_size()
            bitmap = from_image(page.render(scale=dpi / 72, grayscale=True).to_pil())
            pages.append((bitmap, width_pt / 72, height_pt / 72))
            page.close()
        return pages
    finally:
        document.close()


class _ImageXObject(pdfdoc.PDFImageXObject):  # type: ignore[misc]
    """An image XObject with its Flate stream as given (PNG predictors when `png_rows`)."""

    def __init__(self, name: str, bitmap: Bitmap) -> None:
        super().__init__(name)
        self.bitmap = bitmap
        self.width, self.height = bitmap.width, bitmap.height
        self.mask = None

    def format(self, document: object) -> bytes:
        bitmap = self.bitmap
        stream = pdfdoc.PDFStream(content=bitmap.data)
        values = stream.dictionary
        values["Type"] = pdfdoc.PDFName("XObject")
        values["Subtype"] = pdfdoc.PDFName("Image")
        values["Width"] = bitmap.width
        values["Height"] = bitmap.height
        values["BitsPerComponent"] = bitmap.bits
        values["ColorSpace"] = pdfdoc.PDFName("DeviceGray")
        # One filter as a name, not an array: with an array, readers (poppler, pdfium) want
        # DecodeParms as an array too and ignore a dictionary, garbling the image.
        values["Filter"] = pdfdoc.PDFName("FlateDecode")
        if bitmap.png_rows:
            values["DecodeParms"] = pdfdoc.PDFDictionary(
                {
                    "Predictor": 15,
                    "Colors": 1,
                    "BitsPerComponent": bitmap.bits,
                    "Columns": bitmap.width,
                }
            )
        values["Length"] = len(bitmap.data)
        return bytes(stream.format(document))


def draw_bitmap(
    canvas: Canvas,
    bitmap: Bitmap,
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    rotate: bool = False,
) -> None:
    """Draw `bitmap` filling the box at (x, y) of `width` x `height` points.

    With `rotate`, the bitmap is turned a quarter turn counter-clockwise first: the box is
    then the rotated bitmap's (a 4x6 label in a 6x4 box). The image is stored once however
    often it is drawn; the placing is what canvas.drawImage does.
    """
    name = bitmap.key
    document = canvas._doc
    registered = document.getXObjectName(name)
    if registered not in document.idToObject:
        image = _ImageXObject(name, bitmap)
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(name, image)
    canvas._currentPageHasImages = 1
    canvas.saveState()
    canvas.translate(x, y)
    if rotate:
        # The image's own width runs up the box's left edge once turned.
        canvas.translate(width, 0)
        canvas.rotate(90)
        canvas.scale(height, width)
    else:
        canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)
