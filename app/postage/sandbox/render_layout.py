"""Where everything goes on a sandbox 4x6 label: device-independent primitives in 300-dpi dots.

One layout is drawn by four backends (PNG, PDF, ZPL, EPL2), so every format shows the same
content in the same places. Text widths are measured with the Bitstream Vera fonts that ship
inside reportlab, which the PNG and PDF backends also draw with.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pycountry
import reportlab
from PIL import ImageFont

from app.domain.tracking import (
    group_tracking_for_print,
    impb_barcode_data,
    is_valid_s10,
    is_valid_usps_tracking,
)
from app.postage.sandbox.label_data import LabelAddress, LabelData
from app.postage.sandbox.render_code128 import GS, QUIET_ZONE_MODULES, code128_width_modules

DPI = 300
WIDTH, HEIGHT = 4 * DPI, 6 * DPI
MARGIN = 30
INNER = WIDTH - 2 * MARGIN
MODULE_300 = 4  # 13.3 mil X-dimension; 3 dots at 203 dpi is 14.8 mil (IMpb wants 13-21 mil)
MODULES_300 = (MODULE_300, 3)  # 3 (10 mil) only when a long number would not fit otherwise
USPS_LINE_CHARS = 40  # USPS address lines are at most 40 characters
LINE_SPACING = 1.18
SANDBOX_MARK = "SANDBOX - NOT VALID POSTAGE"

FONT_DIR = Path(reportlab.__file__).parent / "fonts"
FONT_FILES = {False: FONT_DIR / "Vera.ttf", True: FONT_DIR / "VeraBd.ttf"}

Anchor = Literal["left", "center", "right"]


@dataclass(frozen=True, slots=True)
class Text:
    """One line of text; (x, y) is the top of the line at `anchor` (left/center/right)."""

    x: int
    y: int
    size: int  # font size in dots (em height)
    text: str
    bold: bool = False
    anchor: Anchor = "left"
    white: bool = False  # white on a black fill


@dataclass(frozen=True, slots=True)
class Fill:
    """A solid black rectangle."""

    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True, slots=True)
class Frame:
    """A rectangle outline `t` dots thick, drawn inside (x, y, w, h)."""

    x: int
    y: int
    w: int
    h: int
    t: int


@dataclass(frozen=True, slots=True)
class Barcode:
    """A Code 128 symbol centred on `center_x`; GS in `data` is FNC1 when `gs1`."""

    center_x: int
    y: int
    h: int
    data: str
    gs1: bool


Primitive = Text | Fill | Frame | Barcode


@dataclass(frozen=True, slots=True)
class Layout:
    """A page of primitives in 300-dpi dots."""

    width: int
    height: int
    items: tuple[Primitive, ...]


@lru_cache(maxsize=64)
def font(size: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_FILES[bold]), size)


def text_width(text: str, size: int, bold: bool) -> float:
    return font(size, bold).getlength(text)


def fit_size(text: str, size: int, max_width: int, *, bold: bool, min_size: int = 14) -> int:
    """The largest font size <= `size` at which `text` fits in `max_width` dots."""
    while size > min_size and text_width(text, size, bold) > max_width:
        size -= 2
    return size


# --- what is printed -------------------------------------------------------------------------

# The service banner as USPS prints it, and the big service letter in the top-left box.
SERVICE_BANNERS: dict[str, tuple[str, str]] = {
    "GroundAdvantage": ("USPS GROUND ADVANTAGE", "G"),
    "Priority": ("USPS PRIORITY MAIL", "P"),
    "Express": ("USPS PRIORITY MAIL EXPRESS", "E"),
    "MediaMail": ("USPS MEDIA MAIL", "M"),
    "LibraryMail": ("USPS LIBRARY MAIL", "L"),
    "First": ("USPS FIRST-CLASS MAIL", "F"),
    "FirstClassPackageInternationalService": ("USPS FIRST-CLASS PKG INTL", "F"),
    "FirstClassMailInternational": ("USPS FIRST-CLASS MAIL INTL", "F"),
    "PriorityMailInternational": ("USPS PRIORITY MAIL INTERNATIONAL", "P"),
    "ExpressMailInternational": ("USPS PRIORITY MAIL EXPRESS INTL", "E"),
}


def service_banner(service: str) -> tuple[str, str]:
    """(banner text, service letter) for an EasyPost USPS service code."""
    return SERVICE_BANNERS.get(service, (f"USPS {service.upper()}", service[:1].upper() or "?"))


def format_weight(weight_oz: Decimal) -> str:
    """``2 lb 4.5 oz`` or ``11.2 oz``, as USPS labels print it."""
    pounds, ounces = divmod(weight_oz.quantize(Decimal("0.1")), 16)
    return f"{int(pounds)} lb {ounces} oz" if pounds else f"{ounces} oz"


def _zip_for_print(zip_code: str) -> str:
    digits = zip_code.replace("-", "").replace(" ", "")
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 and digits.isdigit() else zip_code


def printable(text: str) -> str:
    """`text` with what the label fonts and printer code pages cannot show folded or replaced.

    Accented Latin letters stay (Vera, ZPL ^CI28 and EPL2 Windows-1252 all carry them); other
    scripts are folded to ASCII where Unicode decomposes them, else shown as ``?``.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            ch.encode("cp1252")
            out.append(ch if ch.isprintable() else " ")
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(folded or "?")
    return "".join(out)


def address_lines(address: LabelAddress, *, international: bool) -> list[str]:
    """USPS-style upper-case lines, long ones wrapped at 40 characters."""
    last = f"{address.city} {address.state} {_zip_for_print(address.zip)}".strip()
    raw = [address.name, address.company, address.street1, address.street2, last]
    if international:
        raw.append(country_name(address.country))
    lines: list[str] = []
    for line in raw:
        line = " ".join(printable(line).split()).upper()
        if line:
            lines.extend(textwrap.wrap(line, USPS_LINE_CHARS, break_long_words=True))
    return lines


def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code.upper())
    return str(found.name).upper() if found is not None else code.upper()


@dataclass(frozen=True, slots=True)
class LabelBarcode:
    """What the label's tracking barcode encodes and what is printed under it."""

    data: str
    gs1: bool
    human_readable: str


def label_barcode(data: LabelData) -> LabelBarcode:
    """Domestic: GS1-128 of 420 + ZIP + FNC1 + tracking. International: the tracking alone
    (GS1-128 for an IMpb number, plain Code 128 for an S10 number)."""
    tracking = data.tracking_code
    if not tracking:
        raise ValueError("a label needs a tracking code")
    if is_valid_usps_tracking(tracking):
        human = group_tracking_for_print(tracking)
        zip_digits = re.sub(r"[\s-]", "", data.to_address.zip)
        if data.is_international or not (zip_digits.isdigit() and len(zip_digits) in (5, 9)):
            # No US ZIP to route on (or one the sandbox let through unverified): the tracking
            # number alone still scans, as on USPS international labels.
            return LabelBarcode(tracking, True, human)
        return LabelBarcode(impb_barcode_data(zip_digits, tracking), True, human)
    if is_valid_s10(tracking):
        human = f"{tracking[:2]} {tracking[2:5]} {tracking[5:8]} {tracking[8:11]} {tracking[11:]}"
        return LabelBarcode(tracking, False, human)
    return LabelBarcode(tracking, False, tracking)  # an unknown format is printed as it is


def barcode_width_dots(data: str, gs1: bool, module: int) -> int:
    return (code128_width_modules(data, gs1=gs1) + 2 * QUIET_ZONE_MODULES) * module


def place_barcode(
    code: Barcode, center_x: int, page_width: int, modules: tuple[int, ...]
) -> tuple[int, int]:
    """(x of the first bar, module width) in a backend's own dots.

    Takes the first (widest) module width in `modules` at which the symbol and its quiet zones
    fit inside the page's border; long 34-digit numbers step down rather than run off.
    """
    room = page_width - 2 * (page_width // 100)  # stay inside the label's border
    module = next((m for m in modules if barcode_width_dots(code.data, code.gs1, m) <= room),
                  modules[-1])  # fmt: skip
    left = center_x - barcode_width_dots(code.data, code.gs1, module) // 2
    return left + QUIET_ZONE_MODULES * module, module


def _address_block(
    lines: list[str], x: int, y: int, size: int, max_width: int, bold: bool, max_height: int
) -> tuple[list[Primitive], int]:
    """Address lines at `size`, shrunk to fit `max_width` x `max_height`; returns the end y.

    Long addresses shrink rather than lose lines; only below the smallest readable size are
    middle lines dropped, never the city/ZIP and country lines at the end.
    """
    min_size = 20
    while len(lines) > 2 and len(lines) * int(min_size * LINE_SPACING) > max_height:
        del lines[-3]
    size = min(size, int(max_height / (max(len(lines), 1) * LINE_SPACING)))
    widest = max(lines, key=lambda s: text_width(s, size, bold), default="")
    size = fit_size(widest, size, max_width, bold=bold, min_size=min_size)
    step = int(size * LINE_SPACING)
    items: list[Primitive] = [
        Text(x, y + n * step, size, line, bold=bold) for n, line in enumerate(lines)
    ]
    return items, y + len(lines) * step


DDP_MARK_TOP = 1050  # above the tracking section (1150), below a shortened ship-to block


def label_layout(data: LabelData) -> Layout:
    """The 4x6 shipping label."""
    items: list[Primitive] = [Frame(0, 0, WIDTH, HEIGHT, 6)]
    banner, letter = service_banner(data.service)

    # Top: service letter box and the (sandbox) postage indicia.
    box = 260
    items += [Frame(MARGIN, MARGIN, box, box, 10)]
    items.append(Text(MARGIN + box // 2, MARGIN + 10, 230, letter, bold=True, anchor="center"))
    ix = MARGIN + box + 30
    iw = WIDTH - MARGIN - ix
    items.append(Fill(ix, MARGIN, iw, 64))
    items.append(
        Text(ix + iw // 2, MARGIN + 14, fit_size(SANDBOX_MARK, 40, iw - 20, bold=True),
             SANDBOX_MARK, bold=True, anchor="center", white=True)
    )  # fmt: skip
    indicia = [
        "US POSTAGE - SANDBOX, NOT PAID",
        f"{data.label_date:%m/%d/%Y}   FROM {data.from_address.zip[:5]}",
        f"WEIGHT {format_weight(data.weight_oz).upper()}",
    ]
    if data.shipment_id:
        indicia.append(data.shipment_id)
    for n, line in enumerate(indicia):
        items.append(
            Text(ix + 10, MARGIN + 84 + n * 44, fit_size(line, 34, iw - 20, bold=False), line)
        )

    # Service banner between two heavy rules.
    y = MARGIN + box + 20
    items += [Fill(0, y, WIDTH, 12)]
    size = fit_size(banner, 64, INNER, bold=True)
    items.append(Text(WIDTH // 2, y + 24, size, banner, bold=True, anchor="center"))
    y += 24 + int(size * 1.15) + 12
    items += [Fill(0, y, WIDTH, 12)]
    y += 30

    # Return address (small), then the ship-to address (large).
    from_lines = address_lines(data.from_address, international=False)
    block, y = _address_block(from_lines, MARGIN, y, 32, INNER, False, 680 - y)
    items += block
    y = max(y + 40, 720)
    items.append(Text(MARGIN, y, 30, "SHIP", bold=True))
    items.append(Text(MARGIN, y + 34, 30, "TO:", bold=True))
    to_lines = address_lines(data.to_address, international=data.is_international)
    ddp = data.incoterm == "DDP"  # USPS Delivered Duty Paid: the addressee pays nothing
    address_bottom = DDP_MARK_TOP - 10 if ddp else 1130
    block, _ = _address_block(to_lines, MARGIN + 130, y, 50, INNER - 130, True, address_bottom - y)
    items += block
    if ddp:
        items.append(Fill(MARGIN, DDP_MARK_TOP, INNER, 76))
        items.append(
            Text(WIDTH // 2, DDP_MARK_TOP + 14, 44, "DDP - DUTIES AND TAXES PAID", bold=True,
                 anchor="center", white=True)
        )  # fmt: skip

    # Tracking barcode section, fixed near the bottom so addresses can never push it off.
    code = label_barcode(data)
    top = 1150
    items += [Fill(0, top, WIDTH, 12)]
    title = "USPS TRACKING # EP" if not data.is_international else "USPS TRACKING #"
    items.append(Text(WIDTH // 2, top + 26, 38, title, bold=True, anchor="center"))
    items.append(Barcode(WIDTH // 2, top + 80, 250, code.data, code.gs1))
    human_size = fit_size(code.human_readable, 42, INNER, bold=True)
    items.append(
        Text(WIDTH // 2, top + 346, human_size, code.human_readable, bold=True, anchor="center")
    )
    items += [Fill(0, top + 410, WIDTH, 12)]

    # Bottom: reference and the sandbox band (again, well clear of the barcode).
    bottom = top + 440
    if data.reference:
        ref = printable(f"REF: {data.reference}")
        items.append(Text(MARGIN, bottom, fit_size(ref, 36, INNER, bold=False), ref))
    if data.is_international:
        items.append(Text(WIDTH - MARGIN, bottom, 30, "CUSTOMS FORM ATTACHED", anchor="right"))
    band = HEIGHT - MARGIN - 90
    items.append(Fill(MARGIN, band, INNER, 90))
    size = fit_size(SANDBOX_MARK, 56, INNER - 40, bold=True)
    items.append(
        Text(WIDTH // 2, band + 16, size, SANDBOX_MARK, bold=True, anchor="center", white=True)
    )
    return Layout(WIDTH, HEIGHT, tuple(items))


# --- customs form (CN22 / CP72 style) -------------------------------------------------------

CONTENT_TYPES = ("gift", "documents", "sample", "returned_goods", "merchandise", "other")
_CONTENT_LABELS = {
    "gift": "Gift",
    "documents": "Documents",
    "sample": "Commercial sample",
    "returned_goods": "Returned goods",
    "merchandise": "Merchandise",
    "other": "Other",
}


def customs_layout(data: LabelData) -> Layout:
    """A 4x6 CN22-style customs declaration for an international label."""
    items: list[Primitive] = [Frame(0, 0, WIDTH, HEIGHT, 6)]
    items.append(Text(MARGIN, MARGIN, 46, "CUSTOMS DECLARATION", bold=True))
    items.append(Text(WIDTH - MARGIN, MARGIN + 6, 40, "CN 22", bold=True, anchor="right"))
    items.append(
        Text(MARGIN, MARGIN + 56, 26, "May be opened officially / Peut etre ouvert d'office")
    )
    items.append(Fill(MARGIN, MARGIN + 96, INNER, 52))
    items.append(
        Text(WIDTH // 2, MARGIN + 104, 36, SANDBOX_MARK, bold=True, anchor="center", white=True)
    )
    y = MARGIN + 170
    items.append(Text(MARGIN, y, 28, f"Tracking: {data.tracking_code}", bold=True))
    items.append(Text(WIDTH - MARGIN, y, 28, f"{data.label_date:%Y-%m-%d}", anchor="right"))
    y += 44
    # Category boxes, three per row.
    col = INNER // 3
    for n, kind in enumerate(CONTENT_TYPES):
        cx, cy = MARGIN + (n % 3) * col, y + (n // 3) * 46
        items.append(Frame(cx, cy, 32, 32, 3))
        if kind == data.contents_type.lower():
            items.append(Fill(cx + 7, cy + 7, 18, 18))
        items.append(Text(cx + 42, cy + 2, 26, _CONTENT_LABELS[kind]))
    y += 106

    # Items table.
    cols: list[tuple[int, str, Anchor, int]] = [
        (MARGIN, "Description", "left", 450),
        (560, "Qty", "right", 80),
        (700, "Oz", "right", 120),
        (860, "US$", "right", 150),
        (890, "HS / Origin", "left", WIDTH - MARGIN - 890),
    ]
    items.append(Fill(MARGIN, y, INNER, 4))
    for x, head, anchor, _ in cols:
        items.append(Text(x, y + 12, 26, head, bold=True, anchor=anchor))
    y += 50
    items.append(Fill(MARGIN, y, INNER, 3))
    y += 12
    shown = data.customs_items[:8]  # with the 11 address lines, still clear of the barcode
    for item in shown:
        cells = [
            printable(item.description),
            str(item.quantity),
            f"{item.weight_oz:.1f}",
            f"{item.value_usd:.2f}",
            f"{item.hs_tariff_number} {item.origin_country}",
        ]
        for (x, _, anchor, room), cell in zip(cols, cells, strict=True):
            shown_cell = cell
            while len(shown_cell) > 4 and text_width(shown_cell, 24, False) > room:
                shown_cell = shown_cell[:-2] + "~"
            size = fit_size(shown_cell, 26, room, bold=False, min_size=24)
            items.append(Text(x, y, size, shown_cell, anchor=anchor))
        y += 38
    if len(data.customs_items) > len(shown):
        items.append(Text(MARGIN, y, 24, f"... and {len(data.customs_items) - len(shown)} more"))
        y += 36
    items.append(Fill(MARGIN, y, INNER, 3))
    y += 12
    total_value = sum((i.value_usd for i in data.customs_items), Decimal(0))
    total_weight = sum((i.weight_oz for i in data.customs_items), Decimal(0))
    items.append(Text(MARGIN, y, 28, "Total", bold=True))
    items.append(Text(700, y, 28, f"{total_weight:.1f}", bold=True, anchor="right"))
    items.append(Text(860, y, 28, f"{total_value:.2f}", bold=True, anchor="right"))
    y += 56

    # Sender, addressee, certification and signature.
    items.append(Text(MARGIN, y, 26, "From:", bold=True))
    block, y2 = _address_block(address_lines(data.from_address, international=True),
                               MARGIN + 100, y, 26, INNER - 100, False, 180)  # fmt: skip
    items += block
    y = y2 + 10
    items.append(Text(MARGIN, y, 26, "To:", bold=True))
    block, y2 = _address_block(address_lines(data.to_address, international=True),
                               MARGIN + 100, y, 26, INNER - 100, False, 210)  # fmt: skip
    items += block
    code = label_barcode(data)
    y = max(y2 + 20, 1150)
    items.append(Barcode(WIDTH // 2, y, 150, code.data, code.gs1))
    items.append(Text(WIDTH // 2, y + 160, 30, code.human_readable, bold=True, anchor="center"))
    y += 230
    cert = (
        "I certify that the particulars given in this customs declaration are correct and "
        "that this item does not contain any dangerous article prohibited by legislation or "
        "by postal or customs regulations."
    )
    for n, line in enumerate(textwrap.wrap(cert, 70)):
        items.append(Text(MARGIN, y + n * 30, 24, line))
    y += 3 * 30 + 20
    signer = printable(data.customs_signer) or "(no signer)"
    items.append(Text(MARGIN, y, 30, f"Signed: {signer}", bold=True))
    items.append(Text(WIDTH - MARGIN, y, 30, f"Date: {data.label_date:%Y-%m-%d}", anchor="right"))
    if data.tax_ids or data.incoterm:  # IOSS / VAT / EORI, and DDP, for the destination's customs
        y += 40
        ids = "  ".join([*data.tax_ids, *([data.incoterm] if data.incoterm else [])])
        items.append(Text(MARGIN, y, fit_size(ids, 28, INNER, bold=True), ids, bold=True))
    band = HEIGHT - MARGIN - 70
    items.append(Fill(MARGIN, band, INNER, 70))
    items.append(
        Text(WIDTH // 2, band + 14, 40, SANDBOX_MARK, bold=True, anchor="center", white=True)
    )
    return Layout(WIDTH, HEIGHT, tuple(items))


__all__ = [
    "GS",
    "Barcode",
    "Fill",
    "Frame",
    "Layout",
    "Primitive",
    "Text",
    "customs_layout",
    "label_barcode",
    "label_layout",
]
