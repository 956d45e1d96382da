"""Any label (PNG/JPEG/GIF/PDF, or raw ZPL/EPL2) -> an exact 1-bit bitmap placed for one printer."""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, UnidentifiedImageError

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import PrinterModel, Protocol

if TYPE_CHECKING:
    from numpy.typing import NDArray

THRESHOLD = 128  # luminance below this is a black dot; never dither (barcodes must stay crisp)


@dataclass(frozen=True)
class Bitmap:
    """A 1-bit image: `height` rows of `stride` bytes, MSB = leftmost dot, 1 = black.

    Padding bits past `width` in each row are always 0, so equal images compare equal.
    """

    width: int
    height: int
    data: bytes

    def __post_init__(self) -> None:
        if self.width < 0 or self.height < 0:
            raise ValueError("negative bitmap size")
        if len(self.data) != self.stride * self.height:
            raise ValueError(
                f"bitmap data is {len(self.data)} bytes, expected {self.stride * self.height}"
            )

    @property
    def stride(self) -> int:
        """Bytes per row."""
        return (self.width + 7) // 8

    @classmethod
    def blank(cls, width: int, height: int) -> Bitmap:
        """An all-white bitmap."""
        return cls(width, height, bytes(((width + 7) // 8) * height))

    @classmethod
    def from_packed(cls, width: int, height: int, packed: NDArray[np.uint8]) -> Bitmap:
        """From a (height, stride) uint8 array of packed rows; clears the padding bits."""
        rows = np.ascontiguousarray(packed, dtype=np.uint8).reshape(height, (width + 7) // 8)
        pad = (-width) % 8
        if pad and rows.size:
            rows = rows.copy()
            rows[:, -1] &= np.uint8((0xFF << pad) & 0xFF)
        return cls(width, height, rows.tobytes())

    @classmethod
    def from_array(cls, black: NDArray[np.bool_]) -> Bitmap:
        """From a (height, width) boolean array, True = black."""
        height, width = black.shape
        return cls(width, height, np.packbits(black, axis=1).tobytes() if width else b"")

    def packed(self) -> NDArray[np.uint8]:
        """The packed rows as a read-only (height, stride) uint8 array."""
        return np.frombuffer(self.data, dtype=np.uint8).reshape(self.height, self.stride)

    def to_array(self) -> NDArray[np.bool_]:
        """A (height, width) boolean array, True = black."""
        if not self.width:
            return np.zeros((self.height, 0), dtype=bool)
        bits = np.unpackbits(self.packed(), axis=1, count=self.width)
        return bits.astype(bool)

    @classmethod
    def from_image(cls, image: Image.Image) -> Bitmap:
        """From a PIL image: mode '1' as is (white = 1 in PIL), anything else thresholded."""
        return threshold_image(image)

    def to_image(self) -> Image.Image:
        """A PIL mode '1' image (PIL packs white as 1, so the bits are inverted)."""
        inverted = np.bitwise_not(self.packed()).tobytes()
        return Image.frombytes("1", (self.width, self.height), inverted)

    def row(self, y: int) -> bytes:
        """The packed bytes of row `y`."""
        return self.data[y * self.stride : (y + 1) * self.stride]

    def black_dots(self) -> int:
        """How many dots are black."""
        return int(np.unpackbits(self.packed()).sum()) if self.data else 0

    def is_blank(self) -> bool:
        """True when no dot is black."""
        return not any(self.data)

    def crop(self, x: int, y: int, width: int, height: int) -> Bitmap:
        """The `width` x `height` rectangle at (x, y); it must lie inside this bitmap."""
        if x < 0 or y < 0 or x + width > self.width or y + height > self.height:
            raise ValueError("crop rectangle outside the bitmap")
        return Bitmap.from_array(self.to_array()[y : y + height, x : x + width])

    def placed(self, canvas_width: int, canvas_height: int, x: int, y: int) -> Bitmap:
        """This bitmap pasted at (x, y) on a white canvas; parts outside the canvas are dropped."""
        canvas_stride = (canvas_width + 7) // 8
        inside = x >= 0 and y >= 0 and y + self.height <= canvas_height
        if inside and x % 8 == 0 and x // 8 + self.stride <= canvas_stride:
            # Byte-aligned: copy packed rows (our padding bits are 0, so nothing leaks).
            packed = np.zeros((canvas_height, canvas_stride), dtype=np.uint8)
            packed[y : y + self.height, x // 8 : x // 8 + self.stride] = self.packed()
            return Bitmap.from_packed(canvas_width, canvas_height, packed)
        canvas = np.zeros((canvas_height, canvas_width), dtype=bool)
        src = self.to_array()
        x0, y0 = max(x, 0), max(y, 0)
        x1, y1 = min(x + self.width, canvas_width), min(y + self.height, canvas_height)
        if x1 > x0 and y1 > y0:
            canvas[y0:y1, x0:x1] = src[y0 - y : y1 - y, x0 - x : x1 - x]
        return Bitmap.from_array(canvas)

    def ink_box(self) -> tuple[int, int, int, int] | None:
        """(x, y, width, height) of the smallest rectangle holding every black dot, or None."""
        if self.is_blank():
            return None
        black = self.to_array()
        rows = np.flatnonzero(black.any(axis=1))
        cols = np.flatnonzero(black.any(axis=0))
        return (
            int(cols[0]),
            int(rows[0]),
            int(cols[-1] - cols[0] + 1),
            int(rows[-1] - rows[0] + 1),
        )


@dataclass(frozen=True)
class RasterLabel:
    """A label as dots: `bitmap` at (`x`, `y`) of the model's printable area."""

    bitmap: Bitmap
    x: int
    y: int
    source_dpi: float
    scale: Fraction  # printer dots per source pixel (1 at native dpi)
    rotated: bool  # True when a landscape source was turned to portrait


@dataclass(frozen=True)
class RawLabel:
    """A label already in the printer's own language, sent byte for byte."""

    data: bytes
    language: Protocol  # ZPL or EPL2


Label = RasterLabel | RawLabel


class Rotation(StrEnum):
    """Which way a landscape label is turned to portrait (both lossless 90-degree transposes)."""

    CLOCKWISE = "cw"
    COUNTERCLOCKWISE = "ccw"
    NONE = "none"  # a landscape label that does not fit is then an error


def threshold_image(image: Image.Image, threshold: int = THRESHOLD) -> Bitmap:
    """Flatten transparency onto white, then black where luminance < threshold (no dithering)."""
    if image.mode == "1":
        black = ~np.asarray(image, dtype=bool)
        return Bitmap.from_array(black)
    if image.mode == "P" or "A" in image.getbands() or image.mode in {"LA", "PA", "RGBa"}:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode == "I;16" or image.mode == "I":
        gray = np.asarray(image, dtype=np.float64) / 257.0
        return Bitmap.from_array(gray < threshold)
    if image.mode != "L":
        image = image.convert("L")
    return Bitmap.from_array(np.asarray(image, dtype=np.uint8) < threshold)


# --- language sniffing -------------------------------------------------------------------------

_EPL_LINE = re.compile(rb"^(N|P\d+(,\d+)?|q\d+|Q\d+,\d+.*|O.*|S\d|D\d+|Z[TB]|R\d+,\d+|I8.*|JF|JB)$")


def sniff_language(data: bytes) -> Protocol | None:
    """ZPL or EPL2 when `data` is a raw label in that language, None otherwise."""
    head = data[:4096].lstrip()
    if head.startswith((b"\x89PNG", b"%PDF", b"GIF8", b"\xff\xd8")):
        return None
    if re.search(rb"\^XA", head) and (b"^XZ" in data or b"^xz" in data):
        return Protocol.ZPL
    if head.startswith(b"~") or head.startswith(b"^"):
        return Protocol.ZPL if b"^XZ" in data else None
    lines = [ln.strip() for ln in head.splitlines()[:12] if ln.strip()]
    if lines and lines[0] == b"N" and any(_EPL_LINE.match(ln) for ln in lines[1:]):
        return Protocol.EPL2
    return None


# --- loading -----------------------------------------------------------------------------------


def load_label(
    data: bytes,
    model: PrinterModel,
    *,
    source_dpi: float | None = None,
    rotation: Rotation = Rotation.CLOCKWISE,
    threshold: int = THRESHOLD,
) -> Label:
    """Turn label file bytes into what `model` prints.

    Raw ZPL/EPL2 passes through for a printer of that language (PrinterError BAD_LABEL for any
    other). Images and PDFs become a Bitmap at the printer's dpi, placed in the printable area;
    a label whose ink does not fit is PrinterError LABEL_DOES_NOT_FIT, never silently cropped
    (nor shrunk past what its barcode stands: see `choose_scale`). A PDF with more than one page
    with ink, or an animated image with more than one such frame, is BAD_LABEL: a source must
    be exactly one label (blank pages and frames are ignored).
    """
    language = sniff_language(data)
    if language is not None:
        if language is not model.family:
            raise PrinterError(
                PrinterErrorKind.BAD_LABEL,
                f"this label is {language.value.upper()} but the {model.display_name} speaks "
                f"{model.family.value.upper()}",
                hint="buy the label as PNG or PDF (or in the printer's language) and print again",
            )
        return RawLabel(data=data, language=language)
    if data.lstrip()[:5] == b"%PDF-":
        image, pdf_dpi = _render_pdf(data, model, threshold)
        return place_image(
            image, model, source_dpi=source_dpi or pdf_dpi, rotation=rotation, threshold=threshold
        )
    try:
        with warnings.catch_warnings():
            # A label is ~2 megapixels; anything near Pillow's bomb limit is not a label.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,  # some Pillow plugins report corrupt headers this way
        EOFError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL,
            f"cannot read the label: {exc}",
            hint="labels must be PNG, JPEG, GIF, PDF, ZPL or EPL2",
        ) from exc
    if getattr(image, "n_frames", 1) > 1:
        image.seek(_only_inked_frame(image, threshold))
    return place_image(image, model, source_dpi=source_dpi, rotation=rotation, threshold=threshold)


# A label source holds exactly one label. More pages or frames than this are refused unseen.
MAX_PAGES_CHECKED = 16
_ONE_LABEL_HINT = "print each {unit} as its own label (split it) or export a single 4x6 {unit}"


def _one_label(inked: list[int], total: int, unit: str, what: str) -> int:
    """The index of the only page/frame with ink (0 when none has); PrinterError when several."""
    if total > MAX_PAGES_CHECKED or len(inked) > 1:
        checked = total <= MAX_PAGES_CHECKED and len(inked) != total
        with_ink = f" ({len(inked)} with something on them)" if checked else ""
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL,
            f"{what} has {total} {unit}s{with_ink}; a shipping label source must hold exactly "
            "one label",
            hint=_ONE_LABEL_HINT.format(unit=unit),
        )
    return inked[0] if inked else 0


def _only_inked_frame(image: Image.Image, threshold: int) -> int:
    """The one frame of an animated GIF (APNG, TIFF...) with ink; blank frames are ignored."""
    total = int(getattr(image, "n_frames", 1))
    inked: list[int] = []
    if total <= MAX_PAGES_CHECKED:
        for index in range(total):
            image.seek(index)
            if not threshold_image(image, threshold).is_blank():
                inked.append(index)
    return _one_label(inked, total, "frame", f"the {image.format or 'image'} label")


def place_image(
    image: Image.Image,
    model: PrinterModel,
    *,
    source_dpi: float | None = None,
    rotation: Rotation = Rotation.CLOCKWISE,
    threshold: int = THRESHOLD,
) -> RasterLabel:
    """Threshold, orient, scale to `model`'s dpi and place `image` in its printable area."""
    bitmap = threshold_image(image, threshold)
    rotated = False
    if bitmap.width > bitmap.height and rotation is not Rotation.NONE:
        bitmap = rotate_quarter(bitmap, clockwise=rotation is Rotation.CLOCKWISE)
        rotated = True
    dpi = source_dpi or _image_dpi(image, bitmap, model)
    scale = Fraction(1)
    if not _same_dpi(dpi, model.dpi):
        area = (model.printable_width_dots, model.printable_height_dots)
        try:
            scale = choose_scale(bitmap, dpi, model.dpi, area)
            bitmap = scale_bitmap(bitmap, scale)
        except PrinterError:
            # No whole-module scale fits: the label at its true size, barcodes re-laid whole.
            relaid = scale_keeping_barcodes(bitmap, dpi, model.dpi)
            if relaid is None:
                raise
            scale = Fraction(model.dpi / dpi).limit_denominator(1000)
            bitmap = relaid
    bitmap, x, y = _fit(bitmap, model)
    return RasterLabel(bitmap=bitmap, x=x, y=y, source_dpi=dpi, scale=scale, rotated=rotated)


def rotate_quarter(bitmap: Bitmap, *, clockwise: bool = True) -> Bitmap:
    """Turn a bitmap by 90 degrees, dot for dot."""
    return Bitmap.from_array(
        np.ascontiguousarray(np.rot90(bitmap.to_array(), -1 if clockwise else 1))
    )


def _same_dpi(a: float, b: float) -> bool:
    # Zebra 8 dpmm = 203.2 and 12 dpmm = 304.8 are the nominal 203/300.
    return abs(a - b) / b < 0.02


def _image_dpi(image: Image.Image, bitmap: Bitmap, model: PrinterModel) -> float:
    """The source dpi: from the file when it says so, else inferred from a 4-inch-wide label."""
    info = image.info.get("dpi")
    if isinstance(info, tuple) and info and float(info[0]) >= 100:
        stated = float(info[0])  # PNG stores dots per metre: 203 comes back as 202.9968
        for nominal in (203.0, 300.0, 600.0):
            if abs(stated - nominal) <= 0.01 * nominal:
                return nominal
        return stated
    for dpi in (203.0, 300.0, 152.0, 600.0):
        if (
            abs(bitmap.width - 4 * dpi) <= 0.02 * 4 * dpi
            and abs(bitmap.height - 6 * dpi) <= 0.03 * 6 * dpi
        ):
            return dpi
    return float(model.dpi)


def _fit(bitmap: Bitmap, model: PrinterModel) -> tuple[Bitmap, int, int]:
    """Centre the bitmap in the printable area, trimming only white margins when it is larger."""
    area_w, area_h = model.printable_width_dots, model.printable_height_dots
    if bitmap.width <= area_w and bitmap.height <= area_h:
        return bitmap, (area_w - bitmap.width) // 2, (area_h - bitmap.height) // 2
    box = bitmap.ink_box()
    if box is None:
        return Bitmap.blank(min(bitmap.width, area_w), min(bitmap.height, area_h)), 0, 0
    bx, by, bw, bh = box
    if bw > area_w or bh > area_h:
        raise PrinterError(
            PrinterErrorKind.LABEL_DOES_NOT_FIT,
            f"the label needs {bw} x {bh} dots but the {model.display_name} prints at most "
            f"{area_w} x {area_h} dots",
            hint="buy the label at the printer's size (4x6) or pick the model it was made for",
        )
    # Keep the image's own margins where possible; cut only white so the ink stays whole.
    cx = _window(bitmap.width, area_w, bx, bw)
    cy = _window(bitmap.height, area_h, by, bh)
    w, h = min(bitmap.width, area_w), min(bitmap.height, area_h)
    trimmed = bitmap.crop(cx, cy, w, h)
    return trimmed, (area_w - w) // 2, (area_h - h) // 2


def _window(size: int, area: int, ink_start: int, ink_len: int) -> int:
    """Start of an `area`-long window over `size` that is centred but holds the ink span."""
    if size <= area:
        return 0
    start = (size - area) // 2
    start = min(start, ink_start)
    start = max(start, ink_start + ink_len - area)
    return start


# --- scaling across dpi ------------------------------------------------------------------------


def barcode_module(bitmap: Bitmap) -> int | None:
    """The narrowest bar/space width (pixels) of the linear barcodes in `bitmap`, if any.

    A barcode row is a row with many black/white runs that repeats unchanged over many rows.
    Every run in such a row must be a whole multiple (1..4) of the module.
    """
    black = bitmap.to_array()
    best: tuple[int, int] | None = None  # (run count, module)
    for grid in (black, black.T):
        module = _module_of(grid)
        if module is not None and (best is None or module[0] > best[0]):
            best = module
    return None if best is None else best[1]


def _module_of(black: NDArray[np.bool_]) -> tuple[int, int] | None:
    height = black.shape[0]
    if height < 20 or black.shape[1] < 20:
        return None
    edges = np.count_nonzero(black[:, 1:] != black[:, :-1], axis=1)
    same_as_next = np.all(black[1:] == black[:-1], axis=1)
    candidates = np.flatnonzero((edges[:-1] >= 40) & same_as_next)
    if candidates.size == 0:
        return None
    # Rows that start a block of >= 20 identical rows.
    runs: list[int] = []
    y = 0
    best_rows: list[int] = []
    candidate_set = set(candidates.tolist())
    while y < height - 1:
        if y in candidate_set:
            start = y
            while y in candidate_set:
                y += 1
            if y - start >= 20:
                best_rows.append(start)
        y += 1
    if not best_rows:
        return None
    for row_index in best_rows:
        row = black[row_index]
        change = np.flatnonzero(row[1:] != row[:-1]) + 1
        runs.extend(_densest_cluster(np.diff(change)))  # the outer white is not a bar or space
    if len(runs) < 20:
        return None
    counts = np.asarray(runs)
    for module in range(int(counts.min()), 0, -1):
        ratio = counts / module
        if np.all(np.abs(ratio - np.round(ratio)) < 0.01) and np.all(np.round(ratio) <= 4):
            return counts.size, module
    return None


def _densest_cluster(lengths: NDArray[np.intp]) -> list[int]:
    """The longest stretch of runs without a quiet zone (a run far wider than typical)."""
    if lengths.size == 0:
        return []
    limit = 5 * float(np.median(lengths))
    best: list[int] = []
    current: list[int] = []
    for value in lengths.tolist():
        if value > limit:
            current = []
            continue
        current.append(value)
        if len(current) > len(best):
            best = current
    return best if len(best) >= 20 else []


# How small cross-dpi scaling may make a label (why: scanners and USPS, not taste):
# * a barcode module never prints narrower than USPS's minimum IMpb narrow bar, 0.013 in
#   (Publication 199), or, when the source's own module is already narrower (our corpus and some
#   carriers draw 0.01-in modules: 3 px at 300 dpi), narrower than that source module; either
#   less 5 % for whole-dot rounding (a 0.01-in module may become 2 dots = 0.0099 in at 203 dpi);
# * the label never prints smaller than 7/8 of its true size (a 5-px module at 300 dpi becomes
#   3 dots at 203 dpi: 88.7 %); a bigger shrink would change the label, not just round it.
# When no whole-dot scale meets both and fits (a 300-dpi label with 4-px modules and ink from
# edge to edge, like the sandbox's, needs 3/4 = 4.4 in at 203 dpi), the label is printed at its
# true size with each linear barcode re-drawn at whole dots (`scale_keeping_barcodes`); when
# that would cover other ink, it is LABEL_DOES_NOT_FIT with the reason, never shrunk.
USPS_MIN_MODULE_INCH = 0.013
MODULE_ROUNDING_TOLERANCE = 0.05
MIN_SIZE_RATIO = Fraction(7, 8)


def min_module_dots(module_px: int, source_dpi: float, target_dpi: float) -> float:
    """The narrowest (in printer dots) that a `module_px`-pixel barcode module may be printed."""
    inches = min(USPS_MIN_MODULE_INCH, module_px / source_dpi)
    return inches * target_dpi * (1 - MODULE_ROUNDING_TOLERANCE)


def choose_scale(
    bitmap: Bitmap, source_dpi: float, target_dpi: float, area: tuple[int, int] | None = None
) -> Fraction:
    """Dots per source pixel so each barcode module becomes a whole number of dots.

    With module m source pixels turned into t dots, the scale is t/m: nearest-neighbour
    sampling at that ratio maps any run of a multiple of m pixels to exactly that multiple of
    t dots, whatever its phase, so every bar stays uniform. t is floor or ceil of the ideal
    m * target / source, whichever is closer and still lets the ink fit `area` (white margins
    are trimmed later), keeps bars at least `min_module_dots` and the label at least
    MIN_SIZE_RATIO of its size. PrinterError LABEL_DOES_NOT_FIT when neither does.
    """
    exact = Fraction(target_dpi / source_dpi).limit_denominator(1000)
    module = barcode_module(bitmap)
    if module is None:
        return exact
    ideal = module * target_dpi / source_dpi
    options = sorted(
        {max(1, math.floor(ideal)), max(1, math.ceil(ideal))}, key=lambda t: abs(t - ideal)
    )
    thinnest = min_module_dots(module, source_dpi, target_dpi)
    box = bitmap.ink_box()
    refused: list[str] = []
    for dots in options:
        scale = Fraction(dots, module)
        if dots < thinnest:
            need = min(USPS_MIN_MODULE_INCH, module / source_dpi)
            whose = "USPS's minimum" if need == USPS_MIN_MODULE_INCH else "the label's own bars"
            refused.append(
                f"{dots} dots per bar ({dots / target_dpi:.4f} in) is thinner than {whose}, "
                f"{need:.4f} in"
            )
            continue
        if scale < MIN_SIZE_RATIO * exact:
            refused.append(
                f"{dots} dots per bar would print the label at {float(scale / exact):.0%} of "
                "its size"
            )
            continue
        if area is None or box is None:
            return scale
        ink_w, ink_h = math.floor(box[2] * scale), math.floor(box[3] * scale)
        if ink_w <= area[0] and ink_h <= area[1]:
            return scale
        refused.append(
            f"{dots} dots per bar makes its ink {ink_w} x {ink_h} dots, more than the "
            f"{area[0]} x {area[1]} the printer prints"
        )
    width_hint = ""
    if area is not None:
        width_hint = (
            f", or trim the label's white margins so its ink is at most "
            f"{area[0] / target_dpi:.2f} x {area[1] / target_dpi:.2f} in"
        )
    raise PrinterError(
        PrinterErrorKind.LABEL_DOES_NOT_FIT,
        f"this {source_dpi:g}-dpi label's narrowest barcode bars are {module} px "
        f"({module / source_dpi:.4f} in) and cannot be scaled to {target_dpi:g} dpi: "
        + "; ".join(refused),
        hint=f"buy the label in the printer's own format and dpi (ZPL, or PNG/PDF at "
        f"{target_dpi:g} dpi){width_hint}",
    )


QUIET_ZONE_MODULES = 10  # Code 128 / GS1-128 needs 10 modules of white on each side


def scale_keeping_barcodes(bitmap: Bitmap, source_dpi: float, target_dpi: float) -> Bitmap | None:
    """The label at the true dpi ratio, each linear barcode re-drawn at a whole-dot module.

    For a label whose ink fills the page, no single whole-module scale fits (4-px modules at
    300 dpi need 3/4, 4.4 inches). So everything is sampled at the true ratio except the
    barcode blocks, which are scaled at `dots`/module (at least `min_module_dots`) about their
    own centre, with a fresh quiet zone. None when there is no such barcode, or when the wider
    barcode and its quiet zone would cover anything but white.
    """
    module = barcode_module(bitmap)
    if module is None:
        return None
    ideal = module * target_dpi / source_dpi
    thinnest = min_module_dots(module, source_dpi, target_dpi)
    options = [t for t in (math.floor(ideal), math.ceil(ideal)) if t >= max(thinnest, 1)]
    if not options:
        return None
    dots = min(options, key=lambda t: abs(t - ideal))
    exact = Fraction(target_dpi / source_dpi).limit_denominator(1000)
    black = bitmap.to_array()
    for transposed in (False, True):
        grid = black.T if transposed else black
        out = _relay_barcodes(np.ascontiguousarray(grid), exact, module, dots)
        if out is not None:
            return Bitmap.from_array(np.ascontiguousarray(out.T if transposed else out))
    return None


def _barcode_blocks(black: NDArray[np.bool_], module: int) -> list[tuple[int, int, int, int]]:
    """(row0, row1, col0, col1) of each block of >= 20 identical rows of bars (vertical bars)."""
    height = black.shape[0]
    edges = np.count_nonzero(black[:, 1:] != black[:, :-1], axis=1)
    same_as_next = np.all(black[1:] == black[:-1], axis=1)
    is_bar_row = np.zeros(height, dtype=bool)
    is_bar_row[:-1] = (edges[:-1] >= 40) & same_as_next
    blocks: list[tuple[int, int, int, int]] = []
    y = 0
    while y < height:
        if not is_bar_row[y]:
            y += 1
            continue
        start = y
        while y < height and is_bar_row[y]:
            y += 1
        if y - start < 20:
            continue
        row = black[start]
        change = np.flatnonzero(row[1:] != row[:-1]) + 1
        lengths = np.diff(change)
        limit = 4 * module  # Code 128 bars and spaces are 1..4 modules; wider is a quiet zone
        best = (0, 0)
        first = 0
        for index, value in enumerate(lengths.tolist()):
            if value > limit:
                first = index + 1
            elif index + 1 - first > best[1] - best[0]:
                best = (first, index + 1)
        if best[1] - best[0] < 20:
            continue
        col0, col1 = int(change[best[0]]), int(change[best[1]])
        if not row[col0]:
            col0 += int(lengths[best[0]])
        if not row[col1 - 1]:
            col1 -= int(lengths[best[1] - 1])
        blocks.append((start, y + 1, col0, col1))  # row y equals row y - 1: it is a bar row too
        y += 1
    return blocks


def _relay_barcodes(
    black: NDArray[np.bool_], exact: Fraction, module: int, dots: int
) -> NDArray[np.bool_] | None:
    height, width = black.shape
    blocks = _barcode_blocks(black, module)
    if not blocks:
        return None
    out_h, out_w = math.floor(height * exact), math.floor(width * exact)
    rows = _sample_index(out_h, exact, height)
    cols = _sample_index(out_w, exact, width)
    out = black.take(rows, axis=0).take(cols, axis=1)
    whole = Fraction(dots, module)
    for row0, row1, col0, col1 in blocks:
        bars = black[row0, col0:col1]
        if (col1 - col0) % module:
            return None
        drawn = bars.take(_sample_index((col1 - col0) * dots // module, whole, col1 - col0))
        centre = (col0 + col1) / 2 * exact
        left = round(centre - drawn.size / 2)
        quiet = QUIET_ZONE_MODULES * dots
        clear0, clear1 = left - quiet, left + drawn.size + quiet
        if clear0 < 0 or clear1 > out_w:
            return None
        out_rows = np.flatnonzero((rows >= row0) & (rows < row1))
        covered = cols[clear0:clear1]
        outside = covered[(covered < col0) | (covered >= col1)]
        if black[row0:row1][:, outside].any():
            return None  # the wider barcode would cover other ink: do not guess
        out[np.ix_(out_rows, np.arange(clear0, clear1))] = False
        out[np.ix_(out_rows, np.arange(left, left + drawn.size))] = drawn
    return out


def scale_bitmap(bitmap: Bitmap, scale: Fraction) -> Bitmap:
    """Nearest-neighbour scale by a rational factor with a periodic sampling pattern."""
    if scale == 1:
        return bitmap
    new_w = math.floor(bitmap.width * scale)
    new_h = math.floor(bitmap.height * scale)
    cols = _sample_index(new_w, scale, bitmap.width)
    rows = _sample_index(new_h, scale, bitmap.height)
    black = bitmap.to_array()
    return Bitmap.from_array(black.take(rows, axis=0).take(cols, axis=1))


def _sample_index(count: int, scale: Fraction, limit: int) -> NDArray[np.intp]:
    # Output dot j samples source pixel floor((2j + 1) * q / (2p)): the centre of the dot.
    p, q = scale.numerator, scale.denominator
    j = np.arange(count, dtype=np.int64)
    index = ((2 * j + 1) * q) // (2 * p)
    return np.minimum(index, limit - 1).astype(np.intp)


# --- PDF ---------------------------------------------------------------------------------------


def _render_pdf(data: bytes, model: PrinterModel, threshold: int) -> tuple[Image.Image, float]:
    """The label page as an image: its own bitmap when the page is one full-page image (carrier
    labels usually are), so it scales like a PNG; otherwise rendered at the printer's dpi, no AA.

    The label page is the only page with ink; blank pages are ignored, and more than one page
    with ink is PrinterError BAD_LABEL (printing page 1 alone would silently lose a label).
    """
    import pypdfium2 as pdfium  # heavy: only PDF labels need it

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise PrinterError(
            PrinterErrorKind.BAD_LABEL, f"cannot read the PDF label: {exc}", hint="re-download it"
        ) from exc
    try:
        if len(pdf) < 1:
            raise PrinterError(PrinterErrorKind.BAD_LABEL, "the PDF label has no pages")
        index = 0
        if len(pdf) > 1:
            inked: list[int] = []
            if len(pdf) <= MAX_PAGES_CHECKED:
                inked = [
                    i for i in range(len(pdf)) if not _pdf_page_blank(pdf[i], model, threshold)
                ]
            index = _one_label(inked, len(pdf), "page", "the PDF label")
        page = pdf[index]
        width_pt, height_pt = page.get_size()
        if max(width_pt, height_pt) > 20 * 72:  # a letter page with a label on it is fine
            raise PrinterError(
                PrinterErrorKind.LABEL_DOES_NOT_FIT,
                f"the PDF page is {width_pt / 72:.1f} x {height_pt / 72:.1f} inches",
                hint="use a 4x6 label PDF",
            )
        embedded = _full_page_image(page)
        if embedded is not None:
            return embedded
        image = _render_page(page, model)
    finally:
        pdf.close()
    return image, float(model.dpi)


def _render_page(page: Any, model: PrinterModel) -> Image.Image:
    """The page in grey at the printer's dpi, without anti-aliasing (edges stay crisp)."""
    bitmap = page.render(
        scale=model.dpi / 72,
        grayscale=True,
        no_smoothtext=True,
        no_smoothimage=True,
        no_smoothpath=True,
    )
    image: Image.Image = bitmap.to_pil().copy()
    return image


def _pdf_page_blank(page: Any, model: PrinterModel, threshold: int) -> bool:
    """True when the page prints no black dot (no objects, or only white/light ones)."""
    if not any(True for _ in page.get_objects(max_depth=3)):
        return True
    if max(page.get_size()) > 20 * 72:
        return False  # too big to render cheaply; the size check refuses it if it is the label
    gray = np.asarray(_render_page(page, model).convert("L"), dtype=np.uint8)
    return not bool((gray < threshold).any())


def _full_page_image(page: Any) -> tuple[Image.Image, float] | None:
    """The page's only object when it is an upright image covering the page, with its dpi."""
    import pypdfium2 as pdfium

    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=3))
    if len(objects) != 1 or not isinstance(objects[0], pdfium.PdfImage):
        return None
    image_object = objects[0]
    matrix = image_object.get_matrix().get()
    a, b, c, d = matrix[0], matrix[1], matrix[2], matrix[3]
    if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
        return None  # rotated or mirrored placement: let pdfium render it
    page_width, page_height = page.get_size()
    if a < 0.95 * page_width or d < 0.95 * page_height:
        return None
    try:
        image = image_object.get_bitmap(render=False).to_pil().copy()
    except (pdfium.PdfiumError, ValueError, OSError):
        return None
    dpi = image.width / (a / 72)
    for nominal in (203.0, 300.0, 600.0):
        if abs(dpi - nominal) <= 0.02 * nominal:
            dpi = nominal
    return image, dpi
