"""The capability table: every printer model we drive, its language, dpi, head and 4x6 area."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from printers.errors import PrinterError, PrinterErrorKind

ZEBRA_VID = 0x0A5F
DYMO_VID = 0x0922

# Where each USB product id in the table below comes from. Discovery identifies a printer by
# its IEEE-1284 device id first; a PID is only the last resort, so only sourced PIDs are used.
USB_IDS = "usb.ids 2025.07.26 (Debian package usb.ids, /usr/share/misc/usb.ids)"
LW450_TRM = "LabelWriter 450 TRM, as quoted in dymo-cups TECH_REVIEW.md section 9"
LW550_TRM = "LabelWriter 550 Series Technical Reference Manual, 'USB Product IDs'"


@dataclass(frozen=True)
class OpenValue:
    """A value real hardware has not confirmed yet: what it is, where it comes from, and why
    it is still open. One hardware report changes `value` and `status` here and nowhere else."""

    value: int
    source: str
    status: str


# Every value printed or matched on that no authoritative source or real printer confirms.
OPEN_VALUES: dict[str, OpenValue] = {
    "dymo-4xl.usb_pid": OpenValue(
        0x0025,
        "commonly reported (thermal-label.github.io, a page with other wrong DYMO facts)",
        "VERIFY: not in usb.ids; discovery matches the 4XL by MDL:LabelWriter 4XL first",
    ),
    "dymo-4xl.printable_x": OpenValue(
        24,
        "centring the 1200-dot imageable width (lw4xl.ppd) on the 1248-dot head",
        "VERIFY/calibrate: the notes give 17-24 dots; per-printer calibration shifts it",
    ),
    "dymo-4xl.printable_y": OpenValue(
        66,
        "lw4xl.ppd ImageableArea: 1800 of 1883 lines, about 66 from the top",
        "VERIFY on a 1744907 roll",
    ),
    "dymo-5xl.head_width_dots": OpenValue(
        1248,
        "assumed equal to the 4XL head (156 bytes); the LW 550 TRM gives only the 4x6 block",
        "VERIFY: the ESC D block is 1200 dots wide either way, so printing does not depend on it",
    ),
    "dymo-550.head_voltage_byte": OpenValue(
        30,
        "LW 550 TRM status block; DYMO's V2 language monitor reads byte 21 instead",
        "VERIFY which byte a 5XL sets when the head voltage is low",
    ),
    "zd420.usb_pid": OpenValue(
        0x0120,
        "an earlier table of this project, origin unknown",
        "UNKNOWN: not in usb.ids; not used (ZD420s are identified by their device id)",
    ),
    "zd421.usb_pid.emulator": OpenValue(
        0x0185,
        "stand-in of the emulated ZD421-203 (usb.ids has no ZD421 entry)",
        "STAND-IN: the real PID is unknown; discovery must not need it",
    ),
    "zd421-300.usb_pid.emulator": OpenValue(
        0x0186,
        "stand-in of the emulated ZD421-300 (usb.ids has no ZD421 entry)",
        "STAND-IN: the real PID is unknown; discovery must not need it",
    ),
    "zd621.usb_pid": OpenValue(
        0,
        "none: usb.ids has no ZD621 entry",
        "UNKNOWN: identified by its device id (MODEL:ZTC ZD621-203dpi ZPL, lprint-zpl.h)",
    ),
    "generic-zpl.usb_pid.emulator": OpenValue(
        0x7A01,
        "stand-in of the emulated generic ZPL printers (any ZPL clone)",
        "STAND-IN: generic printers are identified by CMD:ZPL and the dpi in their device id",
    ),
}


def open_value(key: str) -> int:
    """The current value of an unconfirmed hardware fact (see OPEN_VALUES)."""
    return OPEN_VALUES[key].value


class Protocol(StrEnum):
    """The raw language family a printer speaks; one encoder and one decoder per member."""

    ZPL = "zpl"
    EPL2 = "epl2"
    DYMO_LW = "dymo_lw"  # LabelWriter 400/450 series raster (SYN/ETB lines), used by the 4XL
    DYMO_550 = "dymo_550"  # LabelWriter 550 series: job header, lock, one ESC D block per label


class ZplGraphicEncoding(StrEnum):
    """How a ZPL job carries the label image."""

    Z64 = "z64"  # ^GFA bands of :Z64: (zlib + base64 + CRC-16/XMODEM); Link-OS era firmware
    ACS = "acs"  # ^GFA bands of ZPL ASCII compression (run-length hex)
    DOWNLOAD_ACS = "dg-acs"  # ~DG of ASCII compression + ^XG + ^ID: the manual's own use of
    # compression, no 99,999 limit; what CUPS rastertolabel sends, so the oldest firmware takes it


@dataclass(frozen=True)
class PrinterModel:
    """One printer model as far as printing a 4x6 label goes.

    Geometry is in printer dots. The *page* is what the encoder sends: `page_width_dots` across
    the head and `page_height_dots` lines. The *printable area* is the rectangle of the page a
    label may use; `printable_x`/`printable_y` is its top-left corner on the page.
    """

    name: str  # the short CLI name, e.g. "zd421-203"
    display_name: str
    family: Protocol
    dpi: int  # nominal: 203 or 300 (Zebra's 300 is 12 dpmm = 304.8 dpi)
    head_width_dots: int
    page_width_dots: int
    page_height_dots: int
    printable_width_dots: int
    printable_height_dots: int
    printable_x: int = 0
    printable_y: int = 0
    usb_vendor_id: int | None = None
    usb_product_ids: tuple[int, ...] = ()  # known PIDs; discovery must not rely on them alone
    usb_id_source: str = ""  # where usb_product_ids come from (USB_IDS, LW550_TRM, OPEN_VALUES)
    mdl_patterns: tuple[str, ...] = ()  # regexes matched (case-insensitive) against MDL/MODEL
    zpl_graphic_encoding: ZplGraphicEncoding = ZplGraphicEncoding.Z64
    max_gf_bytes: int = 99_999  # ZPL ^GF b and c limit; images above it go in bands
    max_label_length_dots: int = 0  # 450-series ESC L value (300 dpi lines), 0 = not used
    notes: str = ""

    @property
    def dpmm(self) -> int:
        """Dots per millimetre as Zebra counts them (8, 12); DYMO 300 dpi reports 12."""
        return 8 if self.dpi == 203 else 12

    @property
    def fits_4x6(self) -> bool:
        """True when a full 4x6 label (4 inches across) fits the printable area."""
        return self.printable_width_dots >= 4 * self.dpi - 12

    def matches_device_id(self, model_string: str) -> bool:
        """True when an IEEE-1284 MDL/MODEL value names this model."""
        return any(re.search(p, model_string, re.IGNORECASE) for p in self.mdl_patterns)


def _zebra(
    name: str,
    display: str,
    dpi: int,
    *,
    head_dots: int | None = None,
    pids: tuple[int, ...] = (),
    source: str = USB_IDS,
    mdl: tuple[str, ...] = (),
    encoding: ZplGraphicEncoding = ZplGraphicEncoding.Z64,
    family: Protocol = Protocol.ZPL,
    notes: str = "",
) -> PrinterModel:
    # 4.09-inch desktop heads: 832 dots at 8 dpmm, 1280 at 12 dpmm. A 4x6 page is 812 x 1218
    # at 203 dpi and 1219 x 1829 at 12 dpmm (a 300-dpi EasyPost PNG prints 1.6 % small there).
    head = head_dots or (832 if dpi == 203 else 1280)
    width, height = (812, 1218) if dpi == 203 else (1219, 1829)
    usable = min(head, width)
    return PrinterModel(
        name=name,
        display_name=display,
        family=family,
        dpi=dpi,
        head_width_dots=head,
        page_width_dots=usable,
        page_height_dots=height,
        printable_width_dots=usable,
        printable_height_dots=height,
        usb_vendor_id=ZEBRA_VID,
        usb_product_ids=pids,
        usb_id_source=source if pids else "",
        mdl_patterns=mdl,
        zpl_graphic_encoding=encoding,
        notes=notes,
    )


def _dymo_450(
    name: str,
    display: str,
    *,
    head: int,
    pids: tuple[int, ...],
    source: str,
    mdl: tuple[str, ...],
    notes: str = "",
) -> PrinterModel:
    # 4x6 (1744907) on the 4XL: paper 1233 x 1883 dots, imageable 1200 x 1800 (lw4xl.ppd),
    # 66 lines from the top; we centre the 1200 dots on the 1248-dot head (calibrate per unit).
    width = min(head, 1248)
    printable_w = min(1200, head)
    return PrinterModel(
        name=name,
        display_name=display,
        family=Protocol.DYMO_LW,
        dpi=300,
        head_width_dots=head,
        page_width_dots=width,
        page_height_dots=1883,
        printable_width_dots=printable_w,
        printable_height_dots=1800,
        printable_x=min(open_value("dymo-4xl.printable_x"), width - printable_w),
        printable_y=open_value("dymo-4xl.printable_y"),
        usb_vendor_id=DYMO_VID,
        usb_product_ids=pids,
        usb_id_source=source,
        mdl_patterns=mdl,
        max_label_length_dots=1883 + 100,
        notes=notes,
    )


def _dymo_550(
    name: str,
    display: str,
    *,
    head: int,
    pids: tuple[int, ...],
    mdl: tuple[str, ...],
    notes: str = "",
) -> PrinterModel:
    # The ESC D block is the printable area itself (1800 lines x 1200 dots for 4x6, as in the
    # LW 550 reference); the printer positions it and takes the label length from the NFC tag.
    printable_w = min(1200, head)
    return PrinterModel(
        name=name,
        display_name=display,
        family=Protocol.DYMO_550,
        dpi=300,
        head_width_dots=head,
        page_width_dots=printable_w,
        page_height_dots=1800,
        printable_width_dots=printable_w,
        printable_height_dots=1800,
        usb_vendor_id=DYMO_VID,
        usb_product_ids=pids,
        usb_id_source=LW550_TRM,
        mdl_patterns=mdl,
        notes=notes,
    )


_ACS = ZplGraphicEncoding.ACS
_TWO_INCH = "2-inch printer: a 4x6 label does not fit (LABEL_DOES_NOT_FIT)"

_ALL: tuple[PrinterModel, ...] = (
    _zebra(
        "zpl-203",
        "Generic ZPL printer, 203 dpi",
        203,
        mdl=(r"\bZPL\b.*203", r"203dpi"),
        encoding=_ACS,
        notes="ZPL ASCII compression: works on every ZPL II firmware",
    ),
    _zebra("zpl-300", "Generic ZPL printer, 300 dpi", 300, mdl=(r"300dpi",), encoding=_ACS),
    _zebra(
        "lp2844-z",
        "Zebra LP2844-Z",
        203,
        pids=(0x0027,),
        mdl=(r"LP ?2844-?Z",),
        encoding=ZplGraphicEncoding.DOWNLOAD_ACS,
        notes="old firmware: ~DG of ASCII-compressed hex (as CUPS sends it) rather than Z64",
    ),
    _zebra("gk420d", "Zebra GK420d", 203, pids=(0x0062, 0x0080), mdl=(r"GK420d",)),
    _zebra("gx420d", "Zebra GX420d", 203, pids=(0x0084,), mdl=(r"GX420d",)),
    _zebra(
        "zd410-203",
        "Zebra ZD410, 203 dpi",
        203,
        head_dots=448,
        pids=(0x011C,),
        mdl=(r"ZD410-203",),
        notes=_TWO_INCH,
    ),
    _zebra(
        "zd410-300",
        "Zebra ZD410, 300 dpi",
        300,
        head_dots=672,
        pids=(0x011C,),
        mdl=(r"ZD410-300",),
        notes=_TWO_INCH,
    ),
    # ZD420, ZD421 and ZD621: no PID in usb.ids (OPEN_VALUES); matched by the device id only.
    _zebra("zd420-203", "Zebra ZD420, 203 dpi", 203, mdl=(r"ZD420[a-z]*-203",)),
    _zebra("zd420-300", "Zebra ZD420, 300 dpi", 300, mdl=(r"ZD420[a-z]*-300",)),
    _zebra("zd421-203", "Zebra ZD421, 203 dpi", 203, mdl=(r"ZD421[a-z]*-203",)),
    _zebra("zd421-300", "Zebra ZD421, 300 dpi", 300, mdl=(r"ZD421[a-z]*-300",)),
    _zebra("zd620-203", "Zebra ZD620, 203 dpi", 203, pids=(0x0141,), mdl=(r"ZD620[a-z]*-203",)),
    _zebra("zd620-300", "Zebra ZD620, 300 dpi", 300, pids=(0x0141,), mdl=(r"ZD620[a-z]*-300",)),
    _zebra("zd621-203", "Zebra ZD621, 203 dpi", 203, mdl=(r"ZD621[a-z]*-203",)),
    _zebra("zd621-300", "Zebra ZD621, 300 dpi", 300, mdl=(r"ZD621[a-z]*-300",)),
    _zebra(
        "lp2844",
        "Zebra LP2844 (EPL2)",
        203,
        pids=(0x0009,),
        mdl=(r"LP ?2844(?!-?Z)",),
        family=Protocol.EPL2,
        notes="EPL-only firmware prints ERR01 when sent ZPL",
    ),
    _zebra(
        "epl2-203", "Generic EPL2 printer, 203 dpi", 203, mdl=(r"\bEPL\b",), family=Protocol.EPL2
    ),
    _dymo_450(
        "dymo-450",
        "DYMO LabelWriter 450",
        head=672,
        pids=(0x0020,),
        source=USB_IDS,
        mdl=(r"LabelWriter 450$",),
        notes=_TWO_INCH,
    ),
    _dymo_450(
        "dymo-450-turbo",
        "DYMO LabelWriter 450 Turbo",
        head=672,
        pids=(0x0021,),
        source=LW450_TRM,
        mdl=(r"LabelWriter 450 Turbo",),
        notes=_TWO_INCH,
    ),
    _dymo_450(
        "dymo-4xl",
        "DYMO LabelWriter 4XL",
        head=1248,
        pids=(open_value("dymo-4xl.usb_pid"),),
        source='OPEN_VALUES["dymo-4xl.usb_pid"]',
        mdl=(r"LabelWriter 4XL",),
        notes="PID 0x0025 is commonly reported, not confirmed",
    ),
    _dymo_550(
        "dymo-550",
        "DYMO LabelWriter 550",
        head=672,
        pids=(0x0028,),
        mdl=(r"LabelWriter 550$",),
        notes=_TWO_INCH,
    ),
    _dymo_550(
        "dymo-550-turbo",
        "DYMO LabelWriter 550 Turbo",
        head=672,
        pids=(0x0029,),
        mdl=(r"LabelWriter 550 Turbo",),
        notes=_TWO_INCH,
    ),
    _dymo_550(
        "dymo-5xl",
        "DYMO LabelWriter 5XL",
        head=open_value("dymo-5xl.head_width_dots"),
        pids=(0x002A,),
        mdl=(r"LabelWriter 5XL",),
        notes="genuine NFC-tagged labels only",
    ),
)

MODELS: dict[str, PrinterModel] = {m.name: m for m in _ALL}


def get_model(name: str) -> PrinterModel:
    """The model called `name` (case-insensitive), or PrinterError UNSUPPORTED listing them all."""
    model = MODELS.get(name.strip().lower())
    if model is None:
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            f"unknown printer model {name!r}",
            hint="use one of: " + ", ".join(MODELS),
        )
    return model


def models_for(family: Protocol) -> list[PrinterModel]:
    """All models speaking `family`, in table order."""
    return [m for m in _ALL if m.family is family]
