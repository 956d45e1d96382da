"""EPL2: a page bitmap -> one `GW` block (0 = black), and EPL2 bytes -> pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from printers.imaging import Bitmap
from printers.models import Protocol
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

GAP_DOTS = 24  # 3 mm gap between die-cut 4x6 labels


def encode_epl2(page: Bitmap, *, copies: int = 1, gap_dots: int = GAP_DOTS) -> bytes:
    """An EPL2 job printing `page` (q x Q dots) `copies` times with one GW over the ink.

    EPL2 GW data is inverted: a 0 bit prints black. The window never runs past the label
    width, which EPL would reject (error 02, object exceeded label border).
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    parts = [b"\nN\nq%d\nQ%d,%d\nZT\n" % (page.width, page.height, gap_dots)]
    black = page.to_array()
    window = ink_window(black, page.width)
    if window is not None:
        x, y, width_bytes, rows = window
        data = pack_window(black, x, y, width_bytes, rows)
        inverted = np.bitwise_not(np.frombuffer(data, dtype=np.uint8)).tobytes()
        parts.append(b"GW%d,%d,%d,%d,%s\n" % (x, y, width_bytes, rows, inverted))
    parts.append(b"P%d\n" % copies)
    return b"".join(parts)


# The data follows a comma (EPL2 manual) or a line break (CUPS rastertolabel).
_GW_HEADER = re.compile(rb"GW(\d+),(\d+),(\d+),(\d+)(?:,|\r?\n)")
_DRAWN_ELSEWHERE = ("A", "B", "b")


class Epl2Decoder(StreamDecoder):
    """Parses EPL2 line commands; N clears the image buffer, P prints it (GW, LO, X drawn)."""

    family = Protocol.EPL2

    def __init__(self, page_width: int, page_height: int) -> None:
        super().__init__(page_width, page_height)
        self._drawings: list[tuple[int, int, NDArray[np.bool_]]] = []
        self._reference = (0, 0)
        self._bottom_first = False
        self._printable = False

    def _parse(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        while position < len(buf) and buf[position] in b"\r\n":
            position += 1
        if position >= len(buf):
            return position
        if buf[position : position + 2] == b"GW":
            return self._graphic(position, final=final)
        end = buf.find(b"\n", position)
        if end < 0:
            if not final:
                return None
            end = len(buf)
        line = bytes(buf[position:end]).rstrip(b"\r")
        self._line(line, position)
        return end + 1

    def _graphic(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        head = bytes(buf[position : position + 40])
        match = _GW_HEADER.match(head)
        if match is None:
            if len(head) < 40 and not final and re.fullmatch(rb"GW[\d,]*\r?", head):
                return None
            raise protocol_error("EPL2: malformed GW header", self._consumed + position)
        x, y, width_bytes, rows = (int(v) for v in match.groups())
        size = width_bytes * rows
        if width_bytes < 1 or rows < 1 or size > 10_000_000:
            raise protocol_error("EPL2: GW with an impossible size", self._consumed + position)
        start = position + match.end()
        if len(buf) < start + size:
            if final:
                raise protocol_error("EPL2: GW data cut short", self._consumed + position)
            return None
        raw = bytes(buf[start : start + size])
        black = ~unpack_rows(raw, width_bytes, rows)  # 0 bits are black in EPL2
        rx, ry = self._reference
        self._drawings.append((x + rx, y + ry, black))
        self._printable = True
        self._command("GW", position, x, y, width_bytes, rows, payload=size)
        end = start + size
        if buf[end : end + 2] == b"\r\n":
            return end + 2
        if buf[end : end + 1] == b"\n":
            return end + 1
        return end

    def _numbers(self, text: bytes, count: int) -> list[int]:
        parts = text.split(b",")
        try:
            values = [int(p) for p in parts[:count] if p.strip()]
        except ValueError as exc:
            raise protocol_error(f"EPL2: bad number in {text[:40]!r}") from exc
        return values + [0] * (count - len(values))

    def _line(self, line: bytes, position: int) -> None:
        if not line.strip():
            return
        if line in {b"^ee", b"UQ", b"UE", b"UI"}:
            self._command("^ee" if line == b"^ee" else line.decode(), position)
            return
        if line == b"N":
            self._drawings.clear()
            self._printable = False
            self._command("N", position)
            return
        head, rest = line[:1], line[1:]
        name = (
            line[:2].decode("latin-1")
            if line[:2] in {b"LO", b"LE", b"LW", b"ZT", b"ZB"}
            else (head.decode("latin-1"))
        )
        if name == "q":
            self.page_width = self._numbers(rest, 1)[0] or self.page_width
            self._command("q", position, self.page_width)
        elif name == "Q":
            self.page_height = self._numbers(rest, 1)[0] or self.page_height
            self._command("Q", position, *self._numbers(rest, 2))
        elif name == "R":
            self._reference = tuple(self._numbers(rest, 2))  # type: ignore[assignment]
            self._command("R", position, *self._reference)
        elif name in {"ZT", "ZB"}:
            self._bottom_first = name == "ZB"
            self._command(name, position)
        elif name in {"LO", "LW", "LE"}:
            x, y, w, h = self._numbers(line[2:], 4)
            if w * h > 50_000_000:
                raise protocol_error("EPL2: line draw absurdly large")
            rx, ry = self._reference
            if name == "LO":
                self._drawings.append((x + rx, y + ry, np.ones((max(h, 0), max(w, 0)), bool)))
            else:
                self.unrendered.append(name)
            self._printable = True
            self._command(name, position, x, y, w, h)
        elif name == "X":
            x1, y1, t, x2, y2 = self._numbers(rest, 5)
            w, h = x2 - x1, y2 - y1
            if w * h > 50_000_000 or w < 0 or h < 0:
                raise protocol_error("EPL2: box absurdly large or inverted")
            box = np.ones((h, w), dtype=bool)
            box[t : h - t, t : w - t] = False
            rx, ry = self._reference
            self._drawings.append((x1 + rx, y1 + ry, box))
            self._printable = True
            self._command("X", position, x1, y1, t, x2, y2)
        elif name == "P":
            copies = max(1, self._numbers(rest, 1)[0] or 1)
            self._command("P", position, copies)
            self._print(copies)
        else:
            if not re.fullmatch(rb"[A-Za-z?^;]", head):
                raise protocol_error(
                    f"EPL2: {line[:20]!r} is not an EPL2 command", self._consumed + position
                )
            if name in _DRAWN_ELSEWHERE:
                self.unrendered.append(name)
                self._printable = True
            self._command(name, position, rest.decode("latin-1")[:80])

    def _print(self, copies: int) -> None:
        width, height = self.page_width, self.page_height
        if width * height > 100_000_000:
            raise protocol_error("EPL2: q/Q describe an absurdly large label")
        canvas = np.zeros((height, width), dtype=bool)
        for x, y, black in self._drawings:
            draw(canvas, x, y, black)
        if self._bottom_first:
            canvas = canvas[::-1, ::-1]
        self.pages.append(DecodedPage(Bitmap.from_array(canvas), copies))

    def _end_of_job(self) -> None:
        if not self.commands and self._consumed:
            raise protocol_error("no EPL2 command in the data")


def decode_epl2(data: bytes, page_width: int, page_height: int) -> DecodedJob:
    """Decode a whole EPL2 job; pages are q x Q dots (defaults until q/Q are seen)."""
    decoder = Epl2Decoder(page_width, page_height)
    decoder.feed(data)
    return decoder.finish()
