"""Make synthetic USPS-style 4x6 labels: PNG at 203/300 dpi, PDF, landscape, transparent.

Run `python -m tests.printers.corpus.make_corpus OUT_DIR`; tests call `make_corpus(tmp_dir)`.
Each label carries a GS1-128 IMpb barcode: (420) + ZIP, FNC1, then a 22-digit USPS tracking
number starting 92 with a valid mod-10 check digit.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.barcode import code128
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

START_C, FNC1, STOP = 105, 102, 106
CODE128_PATTERNS: dict[int, str] = code128._patterns  # bar/space widths A..D = 1..4
ZIP = "10001"
TRACKING_BODY = "920559016491731275108"  # 21 digits; the check digit makes 22


def usps_check_digit(body: str) -> str:
    """USPS/GS1 mod-10: weights 3,1,3,... from the rightmost digit of the body."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


TRACKING = TRACKING_BODY + usps_check_digit(TRACKING_BODY)
IMPB_TEXT = f"420{ZIP}\x1d{TRACKING}"  # what a GS1 reader returns, FNC1 as GS


def code128c_values(*digit_groups: str) -> list[int]:
    """Code 128 set C symbol values for GS1-128: START C, FNC1, pairs, FNC1 between groups."""
    values = [START_C, FNC1]
    for index, group in enumerate(digit_groups):
        if len(group) % 2:
            raise ValueError("set C needs an even number of digits per group")
        if index:
            values.append(FNC1)
        values += [int(group[i : i + 2]) for i in range(0, len(group), 2)]
    checksum = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    return [*values, checksum, STOP]


def code128_modules(values: list[int]) -> list[bool]:
    """Modules left to right (True = bar) from reportlab's width table (A..D = 1..4)."""
    modules: list[bool] = []
    for value in values:
        for symbol in CODE128_PATTERNS[value]:
            width = ord(symbol.upper()) - ord("A") + 1
            modules += [symbol.isupper()] * width
    return modules


IMPB_MODULES = code128_modules(code128c_values(f"420{ZIP}", TRACKING))


@dataclass(frozen=True)
class CorpusLabel:
    """One generated label file and what a test should expect of it."""

    name: str
    path: Path
    dpi: int
    barcode_text: str
    module_px: int  # barcode module width in the source image (0 for vector PDFs)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def render_label(dpi: int) -> Image.Image:
    """A 4x6 label at `dpi` in mode L: boxes, text, and the IMpb barcode at a whole module."""
    width, height = (812, 1218) if dpi == 203 else (1200, 1800)
    unit = dpi / 100  # layout unit: 1/100 inch
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)

    def u(v: float) -> int:
        return round(v * unit)

    draw.rectangle((u(6), u(6), width - u(6), height - u(6)), outline=0, width=max(2, u(1)))
    draw.rectangle((u(6), u(6), u(120), u(100)), fill=0)
    draw.text((u(30), u(30)), "P", fill=255, font=_font(u(55)))
    draw.text((u(135), u(20)), "USPS PRIORITY MAIL", fill=0, font=_font(u(22)))
    draw.text((u(135), u(55)), "US POSTAGE PAID  EASYPOST  4.00 LB", fill=0, font=_font(u(12)))
    draw.line((u(6), u(110), width - u(6), u(110)), fill=0, width=max(2, u(1)))
    sender = ["PACKDESK WAREHOUSE", "100 SHIP ST", "SPRINGFIELD IL 62701"]
    for i, line in enumerate(sender):
        draw.text((u(15), u(120 + 16 * i)), line, fill=0, font=_font(u(13)))
    recipient = ["JANE DOE", "350 FIFTH AVE APT 21", f"NEW YORK NY {ZIP}-0001"]
    for i, line in enumerate(recipient):
        draw.text((u(70), u(220 + 24 * i)), line, fill=0, font=_font(u(19)))
    draw.line((u(6), u(320), width - u(6), u(320)), fill=0, width=max(3, u(2)))
    draw.text((u(90), u(330)), "USPS TRACKING # EP", fill=0, font=_font(u(16)))
    module = 3 if dpi == 300 else 2
    bars = np.repeat(np.asarray(IMPB_MODULES), module)
    bar_top, bar_height = u(360), u(110)
    left = (width - bars.size) // 2
    pixels = np.asarray(image).copy()
    pixels[bar_top : bar_top + bar_height, left : left + bars.size][:, bars] = 0
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    spaced = " ".join(TRACKING[i : i + 4] for i in range(0, len(TRACKING), 4))
    draw.text((u(110), u(480)), spaced, fill=0, font=_font(u(16)))
    draw.line((u(6), u(510), width - u(6), u(510)), fill=0, width=max(3, u(2)))
    draw.text((u(15), u(520)), "Electronic Rate Approved #038555749", fill=0, font=_font(u(11)))
    return image


def _png(image: Image.Image, dpi: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def render_pdf() -> bytes:
    """A vector 4x6 PDF label (text, boxes, the IMpb barcode as 0.01-inch modules)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(4 * inch, 6 * inch))
    height = 6 * inch
    pdf.setLineWidth(1.5)
    pdf.rect(0.06 * inch, 0.06 * inch, 3.88 * inch, 5.88 * inch)
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(0.3 * inch, height - 0.5 * inch, "USPS PRIORITY MAIL")
    pdf.setFont("Helvetica", 13)
    pdf.drawString(0.7 * inch, height - 2.3 * inch, "JANE DOE")
    pdf.drawString(0.7 * inch, height - 2.55 * inch, f"NEW YORK NY {ZIP}")
    module = 0.01 * inch
    left = round((4 * inch - len(IMPB_MODULES) * module) / module) // 2 * module
    bottom = height - 4.7 * inch
    x = 0
    while x < len(IMPB_MODULES):
        if IMPB_MODULES[x]:
            run = x
            while run < len(IMPB_MODULES) and IMPB_MODULES[run]:
                run += 1
            pdf.rect(left + x * module, bottom, (run - x) * module, 1.1 * inch, stroke=0, fill=1)
            x = run
        else:
            x += 1
    pdf.setFont("Helvetica", 11)
    pdf.drawString(1.1 * inch, height - 4.9 * inch, TRACKING)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def image_pdf(corpus_png: Path) -> bytes:
    """A 4x6 PDF that is one full-page 300-dpi bitmap, as carriers often send labels."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(4 * inch, 6 * inch))
    pdf.drawImage(str(corpus_png), 0, 0, width=4 * inch, height=6 * inch)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_corpus(out_dir: Path) -> dict[str, CorpusLabel]:
    """Write every corpus label into `out_dir` and describe them by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    labels: dict[str, CorpusLabel] = {}

    def add(name: str, data: bytes, dpi: int, module_px: int) -> None:
        path = out_dir / name
        path.write_bytes(data)
        labels[name] = CorpusLabel(name, path, dpi, IMPB_TEXT, module_px)

    for dpi in (203, 300):
        image = render_label(dpi)
        add(f"usps_{dpi}.png", _png(image, dpi), dpi, 2 if dpi == 203 else 3)
    image300 = render_label(300)
    landscape = image300.transpose(Image.Transpose.ROTATE_90)
    add("usps_300_landscape.png", _png(landscape, 300), 300, 3)
    # Transparent background, ink as opaque black: flattening onto white must restore it.
    rgba = Image.new("RGBA", image300.size, (0, 0, 0, 0))
    rgba.putalpha(Image.eval(image300, lambda v: 255 - v))
    add("usps_300_transparent.png", _png(rgba, 300), 300, 3)
    add("usps_300.jpg", _jpeg(image300), 300, 3)
    add("usps_4x6.pdf", render_pdf(), 0, 0)
    add("usps_300_image.pdf", image_pdf(corpus_png=labels["usps_300.png"].path), 300, 3)
    return labels


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, dpi=(300, 300))
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "corpus-out")
    for label in make_corpus(out).values():
        print(label.path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
