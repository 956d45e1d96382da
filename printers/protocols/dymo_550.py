"""DYMO LabelWriter 550 series: job header, lock, one ESC D bitmap block per label, end of job."""

from __future__ import annotations

import struct

from printers.imaging import Bitmap
from printers.models import Protocol
from printers.protocols.base import DecodedJob, DecodedPage, StreamDecoder, protocol_error

ESC = 0x1B
LOCK_REQUEST = b"\x1bA\x01"  # status + ask for the lock; the printer answers 32 bytes
STATUS_QUERY = b"\x1bA\x00"  # status without taking the lock
DENSITY_NORMAL = 100  # ESC C duty in percent


def encode_dymo_550(
    page: Bitmap,
    *,
    copies: int = 1,
    job_id: int = 1,
    density: int = DENSITY_NORMAL,
    lock: bool = True,
) -> bytes:
    """A 550-series job printing `page` `copies` times.

    `page` rows are the lines in feed order, each `page.width` dots across the head (a
    multiple of 8), MSB first = leftmost dot, 1 = black, as dymon sends it. With `lock` the job
    starts with ESC A 1 (status + lock request) and ends with ESC A 0 before ESC Q; the
    printer answers each with a 32-byte status block the sender should read.
    """
    if copies < 1:
        raise ValueError("copies must be at least 1")
    if page.width % 8:
        raise ValueError("a 550 label must be a whole number of bytes wide")
    parts = [LOCK_REQUEST if lock else b""]
    parts.append(b"\x1bs" + struct.pack("<I", job_id))
    parts.append(b"\x1bC" + bytes([density]))
    parts.append(b"\x1bh")
    parts.append(b"\x1bM" + bytes(8))  # standard media (sent by DYMO's driver and dymon)
    block = b"\x1bD\x01\x02" + struct.pack("<II", page.height, page.width) + page.data
    for index in range(copies):
        parts.append(b"\x1bn" + struct.pack("<H", index + 1))
        parts.append(block)
        parts.append(b"\x1bG" if index < copies - 1 else b"\x1bE")
    if lock:
        parts.append(STATUS_QUERY)
    parts.append(b"\x1bQ")
    return b"".join(parts)


# ESC commands: letter -> parameter byte count (ESC D has its own parser).
_PARAMS = {
    ord("A"): 1, ord("s"): 4, ord("C"): 1, ord("h"): 0, ord("i"): 0, ord("M"): 8, ord("T"): 1,
    ord("q"): 1, ord("n"): 2, ord("L"): 2, ord("G"): 0, ord("E"): 0, ord("Q"): 0, ord("U"): 0,
    ord("V"): 0, ord("e"): 0, ord("@"): 0, ord("*"): 0,
}  # fmt: skip


class Dymo550Decoder(StreamDecoder):
    """Parses a 550-series stream: each ESC D block is one label bitmap."""

    family = Protocol.DYMO_550

    def __init__(self, page_width: int, page_height: int) -> None:
        super().__init__(page_width, page_height)
        self.job_id: int | None = None

    def _parse(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        if buf[position] != ESC:
            raise protocol_error(
                f"DYMO 550: expected ESC, got 0x{buf[position]:02X}", self._consumed + position
            )
        if position + 1 >= len(buf):
            return None if not final else self._cut(position)
        letter = buf[position + 1]
        if letter == ord("D"):
            return self._block(position, final=final)
        if letter not in _PARAMS:
            raise protocol_error(
                f"DYMO 550: unknown command ESC 0x{letter:02X}", self._consumed + position
            )
        end = position + 2 + _PARAMS[letter]
        if end > len(buf):
            return None if not final else self._cut(position)
        params = bytes(buf[position + 2 : end])
        name = "ESC " + chr(letter)
        if letter == ord("s"):
            (self.job_id,) = struct.unpack("<I", params)
            self._command(name, position, self.job_id)
        elif letter in {ord("n"), ord("L")}:
            self._command(name, position, struct.unpack("<H", params)[0])
        elif letter == ord("Q"):
            self._command(name, position)
            self.job_id = None
        else:
            self._command(name, position, *params)
        return end

    def _cut(self, position: int) -> int:
        raise protocol_error("DYMO 550: the job ends in the middle of a command", position)

    def _block(self, position: int, *, final: bool) -> int | None:
        buf = self._buffer
        header_end = position + 12
        if header_end > len(buf):
            return None if not final else self._cut(position)
        header: tuple[int, int, int, int] = struct.unpack_from("<BBII", buf, position + 2)
        bpp, alignment, lines, dots = header
        if self.job_id is None:
            raise protocol_error(
                "DYMO 550: ESC D before ESC s (start of job)", self._consumed + position
            )
        if bpp != 1:
            raise protocol_error(f"DYMO 550: {bpp} bits per pixel is not supported")
        if dots % 8 or dots > self.page_width or lines > 20_000:
            raise protocol_error(
                f"DYMO 550: a {lines} x {dots} block does not fit the {self.page_width}-dot head",
                self._consumed + position,
            )
        size = lines * dots // 8
        end = header_end + size
        if end > len(buf):
            return None if not final else self._cut(position)
        bitmap = Bitmap(dots, lines, bytes(buf[header_end:end]))
        self.pages.append(DecodedPage(bitmap))
        self._command("ESC D", position, bpp, alignment, lines, dots, payload=size)
        return end


def decode_dymo_550(data: bytes, page_width: int, page_height: int = 0) -> DecodedJob:
    """Decode a whole 550-series job; `page_width` is the most dots a line may have."""
    decoder = Dymo550Decoder(page_width, page_height)
    decoder.feed(data)
    return decoder.finish()
