"""Black-and-white bitmaps (labels, customs forms) placed on a PDF page at an exact size.

reportlab's drawImage turns every image into 8-bit RGB and compresses that: ~75 ms for one
300-dpi 4x6 label, 75 s for a batch of 1,000. A label is 1-bit, and PDF takes 1-bit DeviceGray
images as they are, so the bitmap goes in packed (8 pixels a byte, 24x less data to compress):
~3 ms a label. It uses reportlab's image XObject directly; the drawing is what drawImage does.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

RENDER_DPI = 300
_THRESHOLD = 160  # grey anti-aliased edges of a rendered PDF count as black below this


def to_bitmap(image: Image.Image) -> Image.Image:
    """`image` as mode "1" (white 1, black 0); transparency counts as white."""
    if image.mode == "1":
        return image
    if image.mode in ("RGBA", "LA", "P"):
        flat = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    grey = image.convert("L")
    return grey.point(lambda value: 255 if value >= _THRESHOLD else 0, mode="1")


def open_bitmap(path: Path) -> Image.Image:
    """A PNG/GIF/JPEG label file as a bitmap."""
    with Image.open(path) as image:
        image.load()
        return to_bitmap(image)


def pdf_pages(data: bytes | Path, dpi: int = RENDER_DPI) -> list[tuple[Image.Image, float, float]]:
    """Each page of a PDF as (bitmap, width in inches, height in inches)."""
    document = pdfium.PdfDocument(data if isinstance(data, bytes) else str(data))
    try:
        pages = []
        for page in document:
            width_pt, height_pt = page.get_size()
            bitmap = to_bitmap(page.render(scale=dpi / 72, grayscale=True).to_pil())
            pages.append((bitmap, width_pt / 72, height_pt / 72))
            page.close()
        return pages
    finally:
        document.close()


def draw_bitmap(
    canvas: Canvas,
    bitmap: Image.Image,
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    rotate: bool = False,
) -> None:
    """Draw `bitmap` (mode "1") filling the box at (x, y) of `width` x `height` points.

    With `rotate`, the bitmap is turned a quarter turn counter-clockwise first: the box is
    then the rotated bitmap's (a 4x6 label in a 6x4 box).
    """
    packed = bitmap.tobytes()  # rows of 1-bit pixels, each padded to a byte, as PDF wants
    name = "pdbmp" + hashlib.blake2b(packed, digest_size=12).hexdigest()
    document = canvas._doc
    registered = document.getXObjectName(name)
    if registered not in document.idToObject:
        image = pdfdoc.PDFImageXObject(name)
        image.width, image.height = bitmap.size
        image.bitsPerComponent = 1
        image.colorSpace = "DeviceGray"
        image.streamContent = zlib.compress(packed, 6)
        image._filters = ("FlateDecode",)
        image.mask = None
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
