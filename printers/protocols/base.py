"""What every protocol decoder returns: commands, decoded pages and the job, plus shared helpers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap
from printers.models import Protocol

if TYPE_CHECKING:
    from numpy.typing import NDArray

# Command names that ask the printer for a status reply (emulators answer these).
STATUS_QUERIES = frozenset({"~HS", "~HQ", "~HI", "^ee", "UQ", "ESC A"})


@dataclass(frozen=True)
class Command:
    """One decoded printer command: its name ("^GF", "ESC D", "GW"...), its parameters and
    how many payload bytes (raster data) came with it; `offset` is where it starts in the job."""

    name: str
    args: tuple[int | str, ...] = ()
    payload: int = 0
    offset: int = 0

    @property
    def is_status_query(self) -> bool:
        """True when the printer answers this command with a status reply."""
        return self.name in STATUS_QUERIES


@dataclass(frozen=True)
class DecodedPage:
    """One label as the printer would print it (a page-sized bitmap) and how many copies."""

    bitmap: Bitmap
    copies: int = 1


@dataclass(frozen=True)
class DecodedJob:
    """A whole job decoded: pages in order, every command, and what could not be rendered."""

    family: Protocol
    pages: tuple[DecodedPage, ...]
    commands: tuple[Command, ...]
    unrendered: tuple[str, ...] = ()  # e.g. ZPL text/barcode fields this decoder does not draw

    @property
    def label_count(self) -> int:
        """Labels that come out of the printer (pages times copies)."""
        return sum(p.copies for p in self.pages)

    @property
    def status_queries(self) -> tuple[Command, ...]:
        """The commands that ask for a status reply, in order."""
        return tuple(c for c in self.commands if c.is_status_query)


class StreamDecoder(ABC):
    """Decodes a job incrementally: `feed` chunks as they arrive, `finish` at the end.

    `feed` returns the commands completed by that chunk, so an emulator can answer status
    queries mid-stream; completed pages accumulate in `pages`.
    """

    family: Protocol

    def __init__(self, page_width: int, page_height: int) -> None:
        self.page_width = page_width
        self.page_height = page_height
        self.pages: list[DecodedPage] = []
        self.commands: list[Command] = []
        self.unrendered: list[str] = []
        self._buffer = bytearray()
        self._consumed = 0  # bytes of the job before _buffer[0]

    def feed(self, data: bytes) -> list[Command]:
        """Parse as much of the stream as is complete; keep the rest for the next chunk."""
        self._buffer += data
        before = len(self.commands)
        position = 0
        while position < len(self._buffer):
            step = self._parse(position, final=False)
            if step is None:
                break
            position = step
        del self._buffer[:position]
        self._consumed += position
        return self.commands[before:]

    def finish(self) -> DecodedJob:
        """Parse what is left (truncation is PrinterError PROTOCOL) and return the job."""
        position = 0
        while position < len(self._buffer):
            step = self._parse(position, final=True)
            if step is None:
                raise protocol_error(
                    f"the {self.family.value} job ends in the middle of a command",
                    self._consumed + position,
                )
            position = step
        self._consumed += position
        self._buffer.clear()
        self._end_of_job()
        return DecodedJob(
            family=self.family,
            pages=tuple(merge_copies(self.pages)),
            commands=tuple(self.commands),
            unrendered=tuple(dict.fromkeys(self.unrendered)),
        )

    def _command(self, name: str, position: int, *args: int | str, payload: int = 0) -> None:
        self.commands.append(Command(name, tuple(args), payload, self._consumed + position))

    @abstractmethod
    def _parse(self, position: int, *, final: bool) -> int | None:
        """Parse one command at `position` of the buffer; its end, or None when incomplete."""

    def _end_of_job(self) -> None:  # noqa: B027  (an optional hook, empty by default)
        """Hook: flush a page still open when the stream ends."""


def merge_copies(pages: list[DecodedPage]) -> list[DecodedPage]:
    """Consecutive identical pages become one page with their copies added up."""
    merged: list[DecodedPage] = []
    for page in pages:
        if merged and merged[-1].bitmap == page.bitmap:
            merged[-1] = DecodedPage(page.bitmap, merged[-1].copies + page.copies)
        else:
            merged.append(page)
    return merged


def protocol_error(message: str, offset: int | None = None) -> PrinterError:
    """PrinterError PROTOCOL for bytes a decoder cannot read."""
    where = f" (byte {offset})" if offset is not None else ""
    return PrinterError(
        PrinterErrorKind.PROTOCOL,
        message + where,
        hint="the data is not a valid job for this printer family; check the model",
    )


def ink_window(
    black: NDArray[np.bool_], limit: int, *, byte_aligned: bool = False
) -> tuple[int, int, int, int] | None:
    """(x, y, byte_columns, rows) of a window that holds all ink and lies in [0, limit).

    The window is `byte_columns * 8` dots wide; it starts at the first ink column (rounded
    down to a byte when `byte_aligned`) and moves left if it would run past `limit`.
    """
    rows = np.flatnonzero(black.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(black.any(axis=0))
    first, last = int(cols[0]), int(cols[-1])
    if byte_aligned:
        first -= first % 8
    width_bytes = (last - first) // 8 + 1
    x = min(first, limit - width_bytes * 8)
    if byte_aligned:
        x -= x % 8
    x = max(x, 0)
    return x, int(rows[0]), width_bytes, int(rows[-1] - rows[0] + 1)


def pack_window(black: NDArray[np.bool_], x: int, y: int, width_bytes: int, rows: int) -> bytes:
    """The window's dots packed MSB-first, 1 = black, padded with white past the page edge."""
    window = np.zeros((rows, width_bytes * 8), dtype=bool)
    part = black[y : y + rows, x : x + width_bytes * 8]
    window[:, : part.shape[1]] = part
    return np.packbits(window, axis=1).tobytes()


def draw(
    canvas: NDArray[np.bool_], x: int, y: int, black: NDArray[np.bool_], *, clear: bool = False
) -> None:
    """OR `black` onto `canvas` at (x, y) (or clear those dots), clipped to the canvas."""
    height, width = canvas.shape
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + black.shape[1], width), min(y + black.shape[0], height)
    if x1 > x0 and y1 > y0:
        part = black[y0 - y : y1 - y, x0 - x : x1 - x]
        if clear:
            canvas[y0:y1, x0:x1] &= ~part
        else:
            canvas[y0:y1, x0:x1] |= part


def unpack_rows(data: bytes, width_bytes: int, rows: int) -> NDArray[np.bool_]:
    """Packed MSB-first rows -> a boolean array (True = bit set)."""
    packed = np.frombuffer(data, dtype=np.uint8, count=width_bytes * rows)
    return np.unpackbits(packed.reshape(rows, width_bytes), axis=1).astype(bool)
