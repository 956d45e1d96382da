"""ZPL and EPL2 labels drawn by a small preview interpreter: fields land on the label at 203 dpi,
nothing overlaps the barcode, and the barcode the commands describe scans as the IMpb.

The interpreter understands only the commands our renderer emits; it is a geometry check, not
a printer emulator (text is drawn with a stand-in font at the commanded height).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import zxingcpp
from PIL import Image, ImageDraw, ImageFont, ImageOps

from app.domain.tracking import GS, make_s10_tracking_number, make_usps_tracking_number
from app.postage.sandbox.label_data import LabelAddress, LabelCustomsItem, LabelData
from app.postage.sandbox.labels import render_customs_form, render_label
from app.postage.sandbox.render_code128 import code128_bars
from app.postage.sandbox.render_epl2 import EPL_FNC1
from app.postage.sandbox.render_layout import FONT_FILES

W, H = 812, 1218
EPL_FONTS = {1: (10, 12), 2: (12, 16), 3: (14, 20), 4: (16, 24)}

FROM = LabelAddress("Packdesk Fulfilment", "388 Townsend St", "San Francisco", "CA", "94107", "US")
TO = LabelAddress(
    "Maximilian Alexander Wolfeschlegelsteinhausen",
    "12345 North Very Long Boulevard Name Extension Road",
    "Rancho Santa Margarita",
    "CA",
    "92688-1234",
    "US",
    street2="Building 7, Floor 3, Suite 300",
)
TO_CA = LabelAddress("Karine Ruby", "151 O'Connor St", "Ottawa", "ON", "K2P 2L8", "CA")
DOMESTIC = LabelData(
    FROM, TO, "Priority", Decimal(40), make_usps_tracking_number(3), date(2026, 11, 25), "R-1"
)
INTL = LabelData(
    FROM,
    TO_CA,
    "FirstClassPackageInternationalService",
    Decimal(12),
    make_s10_tracking_number(3),
    date(2026, 11, 25),
    customs_items=(
        LabelCustomsItem("Enamel pin", 3, Decimal("15.00"), Decimal("3"), "7117.19.9000", "US"),
    ),
    customs_signer="Jane Packer",
)


def _font(height: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES[True]), max(height, 6))


class Canvas:
    def __init__(self) -> None:
        self.image = Image.new("1", (W, H), 1)
        self.draw = ImageDraw.Draw(self.image)
        self.draw.fontmode = "1"
        self.text_boxes: list[tuple[int, int, int, int]] = []
        self.barcode_boxes: list[tuple[int, int, int, int]] = []

    def text(self, x: int, y: int, height: int, text: str, white: bool) -> None:
        box = self.draw.textbbox((x, y), text, font=_font(height))
        self.text_boxes.append((int(box[0]), int(box[1]), int(box[2]), int(box[3])))
        self.draw.text((x, y), text, font=_font(height), fill=1 if white else 0)

    def barcode(self, x: int, y: int, module: int, height: int, data: str, gs1: bool) -> None:
        bars = code128_bars(data, gs1=gs1)
        end = max(s + w for s, w in bars)
        self.barcode_boxes.append((x - 10 * module, y, x + (end + 10) * module, y + height))
        for start, width in bars:
            x0 = x + start * module
            self.draw.rectangle((x0, y, x0 + width * module - 1, y + height - 1), fill=0)


def preview_zpl(zpl: str) -> Canvas:
    canvas = Canvas()
    module = 2
    for field in re.findall(r"\^FO.*?\^FS", zpl):
        x, y = (int(v) for v in re.match(r"\^FO(\d+),(\d+)", field).groups())  # type: ignore[union-attr]
        data = field.split("^FD", 1)[1][: -len("^FS")] if "^FD" in field else ""
        if by := re.search(r"\^BY(\d+)", field):
            module = int(by.group(1))
        if gb := re.search(r"\^GB(\d+),(\d+),(\d+)", field):
            w, h, t = (int(v) for v in gb.groups())
            canvas.draw.rectangle((x, y, x + w - 1, y + h - 1), outline=0, width=t)
        elif bc := re.search(r"\^BCN,(\d+),N,N,N,([NA])", field):
            gs1 = data.startswith(">;>8")
            payload = data[4:].replace(">8", GS) if gs1 else data.replace(">>", ">")
            canvas.barcode(x, y, module, int(bc.group(1)), payload, gs1)
        elif a0 := re.search(r"\^A0N,(\d+),(\d+)", field):
            text = re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), data)
            height = int(a0.group(1))
            width = canvas.draw.textlength(text, font=_font(height))
            if fb := re.search(r"\^FB(\d+),1,0,([LCR])", field):
                box, just = int(fb.group(1)), fb.group(2)
                x += {"L": 0, "C": int((box - width) // 2), "R": int(box - width)}[just]
            canvas.text(x, y, height, text, white="^FR" in field)
    return canvas


def preview_epl2(epl: str) -> Canvas:
    canvas = Canvas()
    for line in epl.split("\n"):
        if line.startswith("LO"):
            x, y, w, h = (int(v) for v in line[2:].split(","))
            canvas.draw.rectangle((x, y, x + w - 1, y + h - 1), fill=0)
        elif line.startswith("LE"):  # exclusive OR: black becomes white and white black
            x, y, w, h = (int(v) for v in line[2:].split(","))
            region = canvas.image.crop((x, y, x + w, y + h))
            canvas.image.paste(ImageOps.invert(region.convert("L")).convert("1"), (x, y))
        elif line.startswith("X"):
            x, y, t, x2, y2 = (int(v) for v in line[1:].split(","))
            canvas.draw.rectangle((x, y, x2, y2), outline=0, width=t)
        elif line.startswith("A"):
            params, quoted = line[1:].split(',"', 1)
            x, y, _, font_no, hm, _, _ = params.split(",")
            text = quoted[:-1].replace('\\"', '"').replace("\\\\", "\\")
            height = EPL_FONTS[int(font_no)][1] * int(hm)
            canvas.text(int(x), int(y), height, text, white=False)
        elif line.startswith("B"):
            params, quoted = line[1:].split(',"', 1)
            x, y, _, kind, narrow, _, height, _ = params.split(",")
            data = quoted[:-1]
            gs1 = kind == "1E"
            canvas.barcode(
                int(x), int(y), int(narrow), int(height), data.replace(EPL_FNC1, GS), gs1
            )
    return canvas


def overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check(canvas: Canvas, expected: tuple[bytes, str], name: str, tmp_path: object) -> None:
    canvas.image.save(f"{tmp_path}/{name}.png")
    (barcode,) = canvas.barcode_boxes
    assert barcode[0] >= 0 and barcode[2] <= W, "barcode + quiet zones fit the 4 in width"
    for box in canvas.text_boxes:
        assert box[0] >= 0 and box[2] <= W and box[1] >= 0 and box[3] <= H, box
        assert not overlaps(box, barcode), box
    decoded = [(r.bytes, r.symbology_identifier) for r in zxingcpp.read_barcodes(canvas.image)]
    assert decoded == [expected]


def impb(data: LabelData) -> tuple[bytes, str]:
    zip_digits = data.to_address.zip.replace("-", "")
    return (f"420{zip_digits}{GS}{data.tracking_code}".encode(), "]C1")


def test_zpl_domestic_preview(tmp_path: object) -> None:
    zpl = render_label(DOMESTIC, "ZPL").decode()
    check(preview_zpl(zpl), impb(DOMESTIC), "zpl-domestic", tmp_path)


def test_epl2_domestic_preview(tmp_path: object) -> None:
    epl = render_label(DOMESTIC, "EPL2").decode("latin-1")
    check(preview_epl2(epl), impb(DOMESTIC), "epl2-domestic", tmp_path)


def test_zpl_and_epl2_international_previews(tmp_path: object) -> None:
    expected = (INTL.tracking_code.encode(), "]C0")
    check(preview_zpl(render_label(INTL, "ZPL").decode()), expected, "zpl-intl", tmp_path)
    epl = render_label(INTL, "EPL2").decode("latin-1")
    check(preview_epl2(epl), expected, "epl2-intl", tmp_path)
    form = render_customs_form(INTL, "ZPL").decode()
    check(preview_zpl(form), expected, "zpl-cn22", tmp_path)
    form = render_customs_form(INTL, "EPL2").decode("latin-1")
    check(preview_epl2(form), expected, "epl2-cn22", tmp_path)
