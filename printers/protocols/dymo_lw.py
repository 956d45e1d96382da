"""DYMO LabelWriter 450 series (and 4XL) raster: ESC setup, SYN/ETB lines, ESC f skips."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from printers.imaging import Bitmap
from printers.models import Protocol
from printers.protocols.base import DecodedJob, DecodedPage, StreamDecoder, protocol_error

if TYPE_CHECKING:
    from numpy.typing import NDArray

ESC, SYN, ETB = 0x1B, 0x16, 0x17
RESYNC = bytes([ESC]) * 100  # the TRM asks for at least 85 ESC to resynchronise
STATUS_QUERY = b"\x1bA"
DENSITY = {"light": b"\x1bc", "medium": b"\x1bd", "normal": b"\x1be", "dark": b"\x1bg"}


def encode_dymo_lw(
    page: Bitmap,
    *,
    copies: int = 1,
    label_length: int | None = None,
    density: str = "normal",
) -> bytes:
    """A 450-series job printing `page` (head-wide lines, one per row) `copies` times.

    Lines use ESC B/ESC D once for the job's ink columns, ETB run-length lines where shorter
    than SYN, ESC f for blank lines; ESC G between copies, ESC E after the last.
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    if page.width % 8:
        raise ValueError("a DYMO page must be a whole number of bytes wide")
    length = label_length if label_length is not None else page.height + 100
    header = RESYNC + b"\x1b@" + b"\x1bL" + length.to_bytes(2, "big") + b"\x1bh"
    header += DENSITY[density]
    body = encode_lines(page)
    labels = [body] * copies
    return header + b"\x1bG".join(labels) + b"\x1bE"


def encode_lines(page: Bitmap) -> bytes:
    """The raster part for one page: ESC B, ESC D, then every row as SYN/ETB/ESC f."""
    packed = page.packed()
    nonblank = packed.any(axis=1)
    out = bytearray()
    if not nonblank.any():
        out += _skips(page.height)
        return bytes(out)
    cols = np.flatnonzero(packed.any(axis=0))
    first, last = int(cols[0]), int(cols[-1])
    width = last - first + 1
    out += bytes([ESC, ord("B"), first, ESC, ord("D"), width])
    window = packed[:, first : last + 1]
    rows = np.flatnonzero(nonblank)
    etb_bytes, etb_rows = _etb_runs(window[rows])
    counts = np.bincount(etb_rows, minlength=rows.size)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    etb_data = etb_bytes.tobytes()
    window_data = window.tobytes()
    y = 0
    for index, row in enumerate(rows.tolist()):
        if row > y:
            out += _skips(row - y)
        if counts[index] < width:
            out.append(ETB)
            out += etb_data[offsets[index] : offsets[index + 1]]
        else:
            out.append(SYN)
            out += window_data[row * width : (row + 1) * width]
        y = row + 1
    if page.height > y:
        out += _skips(page.height - y)
    return bytes(out)


def _skips(count: int) -> bytes:
    out = bytearray()
    while count > 0:
        step = min(count, 255)
        out += bytes([ESC, ord("f"), 1, step])
        count -= step
    return bytes(out)


def _etb_runs(packed_rows: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], NDArray[np.intp]]:
    """ETB bytes for each row (bit 7 = black, low 7 bits = run length - 1) and their row ids."""
    black = np.unpackbits(packed_rows, axis=1).astype(bool)
    rows, dots = black.shape
    change = np.ones((rows, dots), dtype=bool)
    change[:, 1:] = black[:, 1:] != black[:, :-1]
    flat_change = change.ravel()
    starts = np.flatnonzero(flat_change)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1] = rows * dots
    lengths = ends - starts
    colors = black.ravel()[starts]
    run_rows = starts // dots
    chunks = (lengths + 127) // 128
    total = int(chunks.sum())
    chunk_run = np.repeat(np.arange(starts.size), chunks)
    first_chunk = np.cumsum(chunks) - chunks
    within = np.arange(total) - np.repeat(first_chunk, chunks)
    last = within == chunks[chunk_run] - 1
    chunk_len = np.where(last, lengths[chunk_run] - 128 * within, 128)
    values = (colors[chunk_run].astype(np.uint8) << 7) | (chunk_len - 1).astype(np.uint8)
    return values.astype(np.uint8), run_rows[chunk_run]


# --- decoding ----------------------------------------------------------------------------------

# ESC commands: letter -> parameter byte count.
_PARAMS = {
    ord("@"): 0, ord("*"): 0, ord("B"): 1, ord("D"): 1, ord("L"): 2, ord("E"): 0, ord("G"): 0,
    ord("A"): 0, ord("h"): 0, ord("i"): 0, ord("c"): 0, ord("d"): 0, ord("e"): 0, ord("g"): 0,
    ord("q"): 1, ord("V"): 0, ord("Q"): 2, ord("f"): 2, ESC: 0,
}  # fmt: skip


class DymoLwDecoder(StreamDecoder):
    """Parses a 450-series stream into pages of head-wide lines (ESC E/G end a page)."""

    family = Protocol.DYMO_LW

    def __init__(self, page_width: int, page_height: int) -> None:
        super().__init__(page_width, page_height)
        self._dot_tab = 0
        self._bytes_per_line = 0
        self._lines: list[tuple[int, bytes] | int] = []  # (dot tab, data) or a count of blanks
        self._line_count = 0

    def _parse(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        lead = buf[position]
        if lead == ESC:
            if position + 1 >= len(buf):
                return None if not final else self._cut(position)
            letter = buf[position + 1]
            if letter not in _PARAMS:
                raise protocol_error(
                    f"DYMO: unknown command ESC 0x{letter:02X}", self._consumed + position
                )
            end = position + 2 + _PARAMS[letter]
            if end > len(buf):
                return None if not final else self._cut(position)
            if letter == ESC:
                return position + 1  # resync filler: the next ESC starts the next command
            self._escape(letter, bytes(buf[position + 2 : end]), position)
            return end
        if lead == SYN:
            end = position + 1 + self._width(position)
            if end > len(buf):
                return None if not final else self._cut(position)
            self._line(bytes(buf[position + 1 : end]))
            self._command("SYN", position, payload=end - position - 1)
            return end
        if lead == ETB:
            return self._compressed(position, final=final)
        raise protocol_error(f"DYMO: unexpected byte 0x{lead:02X}", self._consumed + position)

    def _cut(self, position: int) -> int:
        raise protocol_error("DYMO: the job ends in the middle of a command", position)

    def _width(self, position: int) -> int:
        if self._bytes_per_line < 1:
            raise protocol_error("DYMO: raster line before ESC D", self._consumed + position)
        if (self._dot_tab + self._bytes_per_line) * 8 > self.page_width:
            raise protocol_error(
                f"DYMO: ESC B {self._dot_tab} + ESC D {self._bytes_per_line} bytes is wider than "
                f"the {self.page_width}-dot head",
                self._consumed + position,
            )
        return self._bytes_per_line

    def _compressed(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        needed = self._width(position) * 8
        start = position + 1
        # At most one byte per dot: look at that much, find where the runs cover the line.
        window = np.frombuffer(bytes(buf[start : start + needed]), dtype=np.uint8)
        lengths = (window & 0x7F).astype(np.intp) + 1
        covered = np.cumsum(lengths)
        count = int(np.searchsorted(covered, needed)) + 1  # runs up to the one reaching it
        if count > window.size:
            return None if not final else self._cut(position)
        if covered[count - 1] != needed:
            raise protocol_error(
                f"DYMO: ETB runs cover {int(covered[count - 1])} dots, ESC D says {needed}",
                self._consumed + position,
            )
        dots = np.repeat(window[:count] >= 0x80, lengths[:count])
        self._line(np.packbits(dots).tobytes())
        self._command("ETB", position, payload=count)
        return start + count

    def _line(self, data: bytes) -> None:
        self._lines.append((self._dot_tab, data))
        self._line_count += 1

    def _escape(self, letter: int, params: bytes, position: int) -> None:
        name = "ESC " + chr(letter)
        if letter == ord("B"):
            self._dot_tab = params[0]
        elif letter == ord("D"):
            self._bytes_per_line = params[0]
        elif letter == ord("f"):
            if params[0] != 1:
                raise protocol_error(
                    "DYMO: ESC f must be followed by 01", self._consumed + position
                )
            self._lines.append(params[1])
            self._line_count += params[1]
        elif letter in {ord("E"), ord("G")}:
            self._command(name, position)
            self._end_page()
            return
        elif letter == ord("@"):
            self._dot_tab = 0
        args: tuple[int, ...] = ()
        if letter == ord("L") or letter == ord("Q"):
            args = (int.from_bytes(params, "big"),)
        elif params:
            args = tuple(params)
        self._command(name, position, *args)

    def _end_page(self) -> None:
        if self._line_count == 0:
            return
        stride = self.page_width // 8
        canvas = bytearray(stride * self._line_count)
        y = 0
        for item in self._lines:
            if isinstance(item, int):
                y += item
                continue
            tab, data = item
            start = y * stride + tab
            canvas[start : start + len(data)] = data
            y += 1
        packed = np.frombuffer(bytes(canvas), dtype=np.uint8).reshape(self._line_count, stride)
        self.pages.append(
            DecodedPage(Bitmap.from_packed(self.page_width, self._line_count, packed))
        )
        self._lines = []
        self._line_count = 0

    def _end_of_job(self) -> None:
        self._end_page()


def decode_dymo_lw(data: bytes, page_width: int, page_height: int = 0) -> DecodedJob:
    """Decode a whole 450-series job; pages are `page_width` dots (the head) wide."""
    decoder = DymoLwDecoder(page_width, page_height)
    decoder.feed(data)
    return decoder.finish()
