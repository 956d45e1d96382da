"""ZPL II: a page bitmap -> ^GF bands (Z64 or ASCII-compressed), and ZPL bytes -> pages."""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np

from printers.imaging import Bitmap
from printers.models import Protocol, ZplGraphicEncoding
from printers.protocols.base import (
    DecodedJob,
    DecodedPage,
    StreamDecoder,
    draw,
    ink_window,
    pack_window,
    protocol_error,
    unpack_rows,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

GF_LIMIT = 99_999  # ^GF b and c: larger values are clamped by the printer, i.e. garbage
GRAPHIC_NAME = b"R:PACKDESK.GRF"  # ~DG target in DRAM, deleted after the label
_HEX_DIGITS = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)


# --- encoding ----------------------------------------------------------------------------------


def encode_zpl(
    page: Bitmap,
    *,
    copies: int = 1,
    encoding: ZplGraphicEncoding = ZplGraphicEncoding.Z64,
    max_field_bytes: int = GF_LIMIT,
    media_tracking: str = "",
) -> bytes:
    """One ZPL format printing `page` (^PW x ^LL dots) `copies` times.

    `media_tracking` ("Y" die-cut gap, "N" continuous) adds ^MN for the loaded stock; empty
    leaves the printer's setting alone.

    With ^GF encodings the inked rows are split into as few horizontal bands as keep every
    ^GF's b and c within `max_field_bytes`; each band is a ^GFA at its ^FO. DOWNLOAD_ACS sends
    the ink window once with ~DG, prints it with ^XG and deletes it with ^ID afterwards.
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    tracking = f"^MN{media_tracking}\n" if media_tracking else ""
    head = f"^XA\n^PW{page.width}\n^LL{page.height}\n{tracking}^LH0,0\n^PON\n^LRN\n^FWN\n"
    setup = head.encode()
    parts = [setup]
    black = page.to_array()
    window = ink_window(black, page.width)
    if window is not None and encoding is ZplGraphicEncoding.DOWNLOAD_ACS:
        x, y, width_bytes, rows = window
        data = pack_window(black, x, y, width_bytes, rows)
        packed = np.frombuffer(data, dtype=np.uint8).reshape(rows, width_bytes)
        download = b"~DG%s,%d,%d,%s\n" % (
            GRAPHIC_NAME,
            len(data),
            width_bytes,
            acs_compress(packed),
        )
        recall = b"^FO%d,%d^XG%s,1,1^FS\n" % (x, y, GRAPHIC_NAME)
        delete = b"^XA^ID%s^FS^XZ\n" % GRAPHIC_NAME
        return download + setup + recall + f"^PQ{copies}\n^XZ\n".encode() + delete
    if window is not None:
        x, y, width_bytes, rows = window
        rows_per_band = max_field_bytes // width_bytes
        if rows_per_band < 1:
            raise ValueError("a single row exceeds the ^GF size limit")
        bands = -(-rows // rows_per_band)
        band_rows = -(-rows // bands)
        for top in range(y, y + rows, band_rows):
            height = min(band_rows, y + rows - top)
            parts += _bands(black, x, top, width_bytes, height, encoding, max_field_bytes)
    else:
        parts.append(b"^FO0,0^GB1,1,1,W^FS\n")  # a blank label still feeds one label
    parts.append(f"^PQ{copies}\n^XZ\n".encode())
    return b"".join(parts)


def _bands(
    black: NDArray[np.bool_],
    x: int,
    top: int,
    width_bytes: int,
    height: int,
    encoding: ZplGraphicEncoding,
    limit: int,
) -> list[bytes]:
    """^GF fields for rows top..top+height, halved until b fits (Z64 of noise can grow)."""
    if not black[top : top + height].any():
        return []
    data = pack_window(black, x, top, width_bytes, height)
    field = graphic_field(x, top, data, width_bytes, encoding)
    header = re.search(rb"\^GFA,(\d+),", field)
    count = int(header.group(1)) if header else len(field)
    if count <= limit or height == 1:
        return [field]
    half = height // 2
    return _bands(black, x, top, width_bytes, half, encoding, limit) + _bands(
        black, x, top + half, width_bytes, height - half, encoding, limit
    )


def graphic_field(
    x: int, y: int, data: bytes, width_bytes: int, encoding: ZplGraphicEncoding
) -> bytes:
    """`^FOx,y^GFA,b,c,d,<data>^FS` for packed rows `data` (1 = black)."""
    total = len(data)
    if encoding is ZplGraphicEncoding.Z64:
        body = z64(data)
        count = len(body)
    else:
        body = acs_compress(np.frombuffer(data, dtype=np.uint8).reshape(-1, width_bytes))
        count = total  # "for ASCII download, b should match c" (ZPL manual)
    return b"^FO%d,%d^GFA,%d,%d,%d,%s^FS\n" % (x, y, count, total, width_bytes, body)


def z64(data: bytes) -> bytes:
    """`:Z64:<base64(zlib(data))>:<CRC-16/XMODEM of the base64 text>`."""
    encoded = base64.b64encode(zlib.compress(data, 3))  # 2.5x faster than level 6, ~25 % larger
    return b":Z64:" + encoded + b":%04X" % binascii.crc_hqx(encoded, 0)


def _count_codes() -> NDArray[np.uint8]:
    """For each repeat count 0..419 the (up to) two ZPL count letters, 0 = none."""
    codes = np.zeros((420, 2), dtype=np.uint8)
    for count in range(2, 420):
        twenties, ones = divmod(count, 20)
        if twenties:
            codes[count, 0] = ord("f") + twenties  # g = 20 ... z = 400
        if ones:
            codes[count, 1] = ord("F") + ones  # G = 1 ... Y = 19
    return codes


_COUNT_CODES = _count_codes()


def acs_compress(packed: NDArray[np.uint8]) -> bytes:
    """ZPL ASCII compression of packed rows: hex with repeat counts and the `,` `:` shortcuts.

    `:` repeats the previous row, `,` fills the rest of a row with 0, and a run of n equal hex
    digits is written as count letters (g..z = 20..400, G..Y = 1..19) + the digit. Trailing
    black is a run of `F`, never `!`: renderers disagree on `!` (Zebrash reads it as the hex
    digit 1), and CUPS rastertolabel and LPrint never send it either.
    """
    rows, width_bytes = packed.shape
    n = 2 * width_bytes
    if rows == 0:
        return b""
    if n > 419:
        raise ValueError("rows wider than 209 bytes need run splitting")
    chars = np.empty((rows, n), dtype=np.uint8)
    chars[:, 0::2] = _HEX_DIGITS[packed >> 4]
    chars[:, 1::2] = _HEX_DIGITS[packed & 0x0F]
    repeat = np.zeros(rows, dtype=bool)
    repeat[1:] = np.all(packed[1:] == packed[:-1], axis=1)
    zeros_tail = _trailing(chars == ord("0"))
    body = n - zeros_tail
    body[repeat] = 0
    tail = np.where(zeros_tail > 0, ord(","), 0)
    tail[repeat] = ord(":")
    columns = np.arange(n)
    valid = columns[None, :] < body[:, None]
    change = np.ones((rows, n), dtype=bool)
    change[:, 1:] = chars[:, 1:] != chars[:, :-1]
    starts_mask = valid & change
    ends_mask = np.zeros((rows, n), dtype=bool)
    ends_mask[:, :-1] = valid[:, :-1] & (change[:, 1:] | ~valid[:, 1:])
    ends_mask[:, -1] = valid[:, -1]
    starts = np.flatnonzero(starts_mask.ravel())
    ends = np.flatnonzero(ends_mask.ravel())
    lengths = ends - starts + 1
    tokens = np.zeros((starts.size, 3), dtype=np.uint8)
    tokens[:, :2] = _COUNT_CODES[lengths]
    tokens[:, 2] = chars.ravel()[starts]
    run_rows = starts // n
    has_tail = np.flatnonzero(tail)
    tail_tokens = np.zeros((has_tail.size, 3), dtype=np.uint8)
    tail_tokens[:, 0] = tail[has_tail]
    where = np.searchsorted(run_rows, has_tail, side="right")
    merged: NDArray[np.uint8] = np.insert(tokens, where, tail_tokens, axis=0).ravel()
    return bytes(merged[merged != 0].tobytes())


def _trailing(mask: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Per row, how many True values end the row."""
    reverse = ~mask[:, ::-1]
    counts: NDArray[np.intp] = np.where(
        reverse.any(axis=1), np.argmax(reverse, axis=1), mask.shape[1]
    )
    return counts


# --- decoding ----------------------------------------------------------------------------------

# Tilde commands without parameters: complete as soon as their two letters arrive.
_IMMEDIATE = {"HS", "HI", "HM", "HD", "HB", "HH", "JA", "JR", "HU", "JL", "JC"}
_NO_PARAMETERS = {"XA", "XZ", "FS"}
_DRAWN = {"GF", "XG", "GB"}
_NOT_DRAWN = {"FD", "FV", "A0", "GC", "GD", "GE", "GS", "IM", "BC", "BQ", "BX", "B7", "B3", "BY"}


class BangReading(StrEnum):
    """How a decoder reads `!` in ZPL ASCII-compressed data: renderers disagree."""

    FILL_ONES = "fill-ones"  # "fill the rest of the row with 1s", the common reading
    HEX_ONE = "hex-one"  # the hex digit 1, as Zebrash (zpl-renderer-js) reads the manual


def acs_decode(
    text: bytes, width_bytes: int, total: int, *, bang: BangReading = BangReading.FILL_ONES
) -> bytes:
    """ZPL ASCII hex (plain or compressed) -> `total` bytes of rows `width_bytes` long."""
    n = 2 * width_bytes
    hex_one = bang is BangReading.HEX_ONE
    out = bytearray()
    row: list[str] = []
    previous = "0" * n
    count = 0
    for raw in text.decode("latin-1"):
        if raw in "\r\n\t ":
            continue
        if "G" <= raw <= "Y":
            count += ord(raw) - ord("F")
        elif "g" <= raw <= "z":
            count += (ord(raw) - ord("f")) * 20
        elif raw in "0123456789ABCDEFabcdef" or (hex_one and raw == "!"):
            row.append(("1" if raw == "!" else raw.upper()) * (count or 1))
            count = 0
            filled = sum(len(r) for r in row)
            if filled >= n:
                joined = "".join(row)
                if filled > n:
                    raise protocol_error("a ^GF row runs past its bytes-per-row")
                previous = joined
                out += bytes.fromhex(joined)
                row = []
        elif raw in ",!:":
            if count:
                raise protocol_error(f"a repeat count before {raw!r} in ^GF data")
            if raw == ":":
                if row:
                    raise protocol_error("':' in the middle of a ^GF row")
                joined = previous
            else:
                joined = "".join(row)
                joined += ("0" if raw == "," else "F") * (n - len(joined))
            previous = joined
            out += bytes.fromhex(joined)
            row = []
        else:
            raise protocol_error(f"unexpected {raw!r} in ZPL graphic data")
        if len(out) > total:
            raise protocol_error("^GF data is longer than its byte count c")
    if row or count:
        raise protocol_error("^GF data ends in the middle of a row")
    if len(out) != total:
        raise protocol_error(f"^GF data gives {len(out)} bytes, its byte count c says {total}")
    return bytes(out)


def decode_graphic_data(
    data: bytes, width_bytes: int, total: int, *, bang: BangReading = BangReading.FILL_ONES
) -> bytes:
    """^GFA/~DG data in any ZPL ASCII form (hex, compressed hex, :B64:, :Z64:) -> bytes."""
    stripped = data.strip()
    if stripped[:5].upper() in (b":Z64:", b":B64:"):
        match = re.fullmatch(rb":([ZB]64):([A-Za-z0-9+/=\s]*):([0-9A-Fa-f]{4})", stripped, re.I)
        if match is None:
            raise protocol_error("malformed :Z64:/:B64: graphic data")
        encoded = re.sub(rb"\s", b"", match.group(2))
        if binascii.crc_hqx(encoded, 0) != int(match.group(3), 16):
            raise protocol_error("graphic data CRC mismatch: the printer would drop this label")
        try:
            raw = base64.b64decode(encoded, validate=True)
            if match.group(1).upper() == b"Z64":
                raw = zlib.decompress(raw)
        except (binascii.Error, zlib.error) as exc:
            raise protocol_error(f"cannot decode graphic data: {exc}") from exc
        if len(raw) != total:
            raise protocol_error(f"graphic data is {len(raw)} bytes, its byte count says {total}")
        return raw
    return acs_decode(stripped, width_bytes, total, bang=bang)


class ZplDecoder(StreamDecoder):
    """Parses ZPL: formats (^XA..^XZ) with ^GF/~DG/^XG graphics and ^GB boxes into pages."""

    family = Protocol.ZPL

    def __init__(
        self, page_width: int, page_height: int, *, bang: BangReading = BangReading.FILL_ONES
    ) -> None:
        super().__init__(page_width, page_height)
        self.bang = bang
        self.caret, self.tilde, self.delimiter = ord("^"), ord("~"), ord(",")
        self.stored: dict[str, NDArray[np.bool_]] = {}
        self._in_format = False
        self._reset_format()

    def _reset_format(self) -> None:
        self._drawings: list[tuple[int, int, NDArray[np.bool_], bool]] = []  # ..., white
        self._origin = (0, 0)
        self._home = (0, 0)
        self._copies = 1
        self._invert = False
        self._printable = False

    def _next_prefix(self, start: int) -> int:
        buf = self._buffer
        caret = buf.find(self.caret, start)
        tilde = buf.find(self.tilde, start)
        found = [i for i in (caret, tilde) if i >= 0]
        return min(found) if found else -1

    def _parse(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        prefix = self._next_prefix(position)
        if prefix < 0:
            return len(buf)  # text outside commands: ignored, as printers do
        if prefix > position:
            return prefix
        if len(buf) < prefix + 3:
            return None if not final else self._fail("a command cut short", prefix)
        code = bytes(buf[prefix + 1 : prefix + 3]).decode("latin-1").upper()
        kind = "~" if buf[prefix] == self.tilde else "^"
        start = prefix + 3
        if code in {"CC", "CT", "CD"}:
            if len(buf) < start + 1:
                return None if not final else self._fail("a command cut short", prefix)
            new = buf[start]
            if code == "CC":
                self.caret = new
            elif code == "CT":
                self.tilde = new
            else:
                self.delimiter = new
            self._command(kind + code, prefix, chr(new))
            return start + 1
        if (kind == "~" and code in _IMMEDIATE) or (kind == "^" and code in _NO_PARAMETERS):
            # Complete now: an emulator must see a format end (^XZ) without the next job.
            self._handle(kind + code, b"", prefix)
            return start
        if kind == "~" and code == "HQ":
            if len(buf) < start + 2:
                return None if not final else self._fail("~HQ cut short", prefix)
            self._command("~HQ", prefix, bytes(buf[start : start + 2]).decode("latin-1"))
            return start + 2
        if code == "GF" and kind == "^" and buf[start : start + 1].upper() == b"B":
            return self._binary_graphic(prefix, start, final=final)
        end = self._next_prefix(start)
        if end < 0:
            if not final:
                return None
            end = len(buf)
        params = bytes(buf[start:end])
        self._handle(kind + code, params, prefix)
        return end

    def _fail(self, what: str, position: int) -> int:
        raise protocol_error(f"ZPL: {what}", self._consumed + position)

    def _fields(self, params: bytes, count: int) -> list[str]:
        parts = params.decode("latin-1").split(chr(self.delimiter), count - 1)
        return [p.strip() for p in parts] + [""] * (count - len(parts))

    def _int(self, text: str, default: int) -> int:
        text = text.strip()
        if not text:
            return default
        try:
            return int(text)
        except ValueError as exc:
            raise protocol_error(f"ZPL: {text!r} is not a number") from exc

    def _handle(self, name: str, params: bytes, position: int) -> None:
        code = name[1:]
        if code == "XA":
            self._in_format = True
            self._reset_format()
            self._command(name, position)
        elif code == "XZ":
            self._command(name, position)
            self._end_format()
        elif code == "PW":
            self.page_width = self._int(self._fields(params, 1)[0], self.page_width)
            self._command(name, position, self.page_width)
        elif code == "LL":
            self.page_height = self._int(self._fields(params, 1)[0], self.page_height)
            self._command(name, position, self.page_height)
        elif code == "LH":
            x, y = self._fields(params, 2)
            self._home = (self._int(x, 0), self._int(y, 0))
            self._command(name, position, *self._home)
        elif code in {"FO", "FT"}:
            x, y, _ = self._fields(params, 3)
            self._origin = (self._int(x, 0), self._int(y, 0))
            self._origin_is_baseline = code == "FT"
            self._command(name, position, *self._origin)
        elif code == "GF":
            self._ascii_graphic(params, position)
        elif code == "DG":
            self._download_graphic(params, position)
        elif code == "XG":
            self._recall_graphic(params, position)
        elif code == "ID":
            self.stored.pop(self._fields(params, 1)[0].upper(), None)
            self._command(name, position, params.decode("latin-1"))
        elif code == "GB":
            self._box(params, position)
        elif code == "PQ":
            self._copies = max(1, self._int(self._fields(params, 4)[0], 1))  # ^PQq,p,r,o
            self._command(name, position, self._copies)
        elif code == "PO":
            self._invert = params.strip().upper().startswith(b"I")
            self._command(name, position, params.decode("latin-1").strip())
        else:
            text = params.decode("latin-1")
            args = (text.strip()[:80],) if text.strip() else ()
            self._command(name, position, *args)
            drawn_elsewhere = code in _NOT_DRAWN or code.startswith(("B", "A"))
            if drawn_elsewhere and self._in_format and code != "BY":
                self._printable = True
                self.unrendered.append(name)

    def _place(self, black: NDArray[np.bool_], *, white: bool = False) -> None:
        x = self._home[0] + self._origin[0]
        y = self._home[1] + self._origin[1]
        if getattr(self, "_origin_is_baseline", False):
            y -= black.shape[0]
        self._drawings.append((x, y, black, white))
        self._printable = True

    def _graphic_header(self, params: bytes, count: int) -> list[str]:
        fields = params.decode("latin-1").split(chr(self.delimiter), count)
        if len(fields) < count + 1:
            raise protocol_error("ZPL: graphic command with missing parameters")
        return fields

    def _ascii_graphic(self, params: bytes, position: int) -> None:
        fmt, b_text, c_text, d_text, data = self._graphic_header(params, 4)
        fmt = fmt.strip().upper() or "A"
        b, c, d = (self._int(v, 0) for v in (b_text, c_text, d_text))
        if fmt != "A":
            raise protocol_error(f"ZPL: ^GF format {fmt!r} is not supported")
        self._check_gf(b, c, d)
        raw_data = data.encode("latin-1")
        if raw_data.strip()[:5].upper() not in (b":Z64:", b":B64:") and b != c:
            raise protocol_error(f"ZPL: ^GFA with b={b} != c={c}: printers reject it")
        raw = decode_graphic_data(raw_data, d, c, bang=self.bang)
        self._command("^GF", position, "A", b, c, d, payload=len(raw_data))
        self._place(unpack_rows(raw, d, c // d))

    def _check_gf(self, b: int, c: int, d: int) -> None:
        if not (1 <= b <= GF_LIMIT and 1 <= c <= GF_LIMIT):
            raise protocol_error(f"ZPL: ^GF byte counts b={b} c={c} outside 1..{GF_LIMIT}")
        if d < 1 or c % d:
            raise protocol_error(f"ZPL: ^GF byte count c={c} is not a multiple of d={d}")

    def _binary_graphic(self, prefix: int, start: int, *, final: bool) -> int | None:
        buf = self._buffer
        header_end = start
        for _ in range(4):
            header_end = buf.find(self.delimiter, header_end) + 1
            if header_end == 0:
                return None if not final else self._fail("^GFB cut short", prefix)
        fields = bytes(buf[start:header_end]).decode("latin-1").split(chr(self.delimiter))
        b, c, d = (self._int(v, 0) for v in fields[1:4])
        self._check_gf(b, c, d)
        if b != c:
            raise protocol_error("ZPL: ^GFB must send exactly c bytes")
        if len(buf) < header_end + b:
            return None if not final else self._fail("^GFB data cut short", prefix)
        raw = bytes(buf[header_end : header_end + b])
        self._command("^GF", prefix, "B", b, c, d, payload=b)
        self._place(unpack_rows(raw, d, c // d))
        return header_end + b

    def _download_graphic(self, params: bytes, position: int) -> None:
        name, t_text, w_text, data = self._graphic_header(params, 3)
        total, width = self._int(t_text, 0), self._int(w_text, 0)
        if width < 1 or total < 1 or total % width:
            raise protocol_error(f"ZPL: ~DG sizes t={total} w={width} are inconsistent")
        raw = decode_graphic_data(data.encode("latin-1"), width, total, bang=self.bang)
        key = _graphic_name(name)
        self.stored[key] = unpack_rows(raw, width, total // width)
        self._command("~DG", position, key, total, width, payload=len(data))

    def _recall_graphic(self, params: bytes, position: int) -> None:
        name, mx, my = self._fields(params, 3)
        key = _graphic_name(name)
        if key not in self.stored:
            raise protocol_error(f"ZPL: ^XG recalls {key}, which was never downloaded")
        sx, sy = max(1, self._int(mx, 1)), max(1, self._int(my, 1))
        image = self.stored[key]
        if sx > 1 or sy > 1:
            image = np.repeat(np.repeat(image, sy, axis=0), sx, axis=1)
        self._command("^XG", position, key, sx, sy)
        self._place(image)

    def _box(self, params: bytes, position: int) -> None:
        w_text, h_text, t_text, color, _ = self._fields(params, 5)
        thickness = max(1, self._int(t_text, 1))
        width = max(self._int(w_text, thickness), thickness)
        height = max(self._int(h_text, thickness), thickness)
        if width * height > 50_000_000:
            raise protocol_error("ZPL: ^GB box is absurdly large")
        box = np.ones((height, width), dtype=bool)
        box[thickness : height - thickness, thickness : width - thickness] = False
        self._command("^GB", position, width, height, thickness, color or "B")
        self._place(box, white=color.upper().startswith("W"))

    def _end_format(self) -> None:
        if self._printable:
            width, height = max(self.page_width, 0), max(self.page_height, 0)
            if width * height > 100_000_000:
                raise protocol_error("ZPL: ^PW/^LL describe an absurdly large label")
            canvas = np.zeros((height, width), dtype=bool)
            for x, y, black, white in self._drawings:
                draw(canvas, x, y, black, clear=white)
            if self._invert:
                canvas = canvas[::-1, ::-1]
            self.pages.append(DecodedPage(Bitmap.from_array(canvas), self._copies))
        self._in_format = False
        self._reset_format()

    def _end_of_job(self) -> None:
        if not self.commands and self._consumed:
            raise protocol_error("no ZPL command in the data")
        if self._in_format and self._printable:
            raise protocol_error("the last label format has no ^XZ: the printer would wait")


def _graphic_name(name: str) -> str:
    name = name.strip().upper()
    if ":" not in name:
        name = "R:" + name
    if "." not in name:
        name += ".GRF"
    return name


def decode_zpl(
    data: bytes, page_width: int, page_height: int, *, bang: BangReading = BangReading.FILL_ONES
) -> DecodedJob:
    """Decode a whole ZPL job; pages default to `page_width` x `page_height` until ^PW/^LL."""
    decoder = ZplDecoder(page_width, page_height, bang=bang)
    decoder.feed(data)
    return decoder.finish()
