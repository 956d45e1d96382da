"""Streaming framers: split a printer's input into whole jobs and immediate status queries.

A real printer answers a status query the moment it reads it, even between the lines of a
job, and starts a job once it has all of it. The framers find those points in a byte stream
that arrives in arbitrary pieces; the protocol decoders then turn each whole job into bitmaps.
They know just enough of each grammar to skip raster data safely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from printers.models import Protocol

ESC = 0x1B
SYN = 0x16
ETB = 0x17


@dataclass(frozen=True)
class StatusQuery:
    """A command the printer answers at once: ~HS, ~HQES, ^ee, ESC A (450), ESC A n (550)."""

    command: bytes


@dataclass(frozen=True)
class JobBytes:
    """One whole job (everything up to and including its end command), status queries removed."""

    data: bytes


Event = StatusQuery | JobBytes


class Framer:
    """Base: `feed(bytes) -> events`; `pending` is how many bytes wait for their job's end."""

    def __init__(self) -> None:
        self._buf = bytearray()  # unparsed input
        self._job = bytearray()  # parsed bytes of the job in progress

    @property
    def pending(self) -> int:
        return len(self._buf) + len(self._job)

    @property
    def partial(self) -> bool:
        """True when part of a job has arrived (whitespace between jobs does not count)."""
        return bool(self._job.strip() or self._buf.strip())

    def reset(self) -> None:
        """Forget a half-received job (the printer was unplugged or reset)."""
        self._buf.clear()
        self._job.clear()

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        return self._parse()

    def _parse(self) -> list[Event]:
        raise NotImplementedError

    def _end_job(self, events: list[Event]) -> None:
        events.append(JobBytes(bytes(self._job)))
        self._job.clear()


_ZPL_TOKEN = re.compile(rb"~HQES|~HQOD|~HS|~HI|\^XZ", re.IGNORECASE)
_ZPL_TOKEN_MAX = 5


class ZplFramer(Framer):
    """ZPL: a job ends with ^XZ; ~HS, ~HQES, ~HQOD and ~HI are answered immediately."""

    def _parse(self) -> list[Event]:
        events: list[Event] = []
        buf = self._buf
        start = 0
        for match in _ZPL_TOKEN.finditer(buf):
            token = match.group(0).upper()
            if token == b"^XZ":
                self._job += buf[start : match.end()]
                self._end_job(events)
            else:
                self._job += buf[start : match.start()]
                events.append(StatusQuery(token))
            start = match.end()
        rest = buf[start:]
        # Keep a tail that could be the start of a token split across two reads.
        cut = len(rest)
        for i in range(max(0, len(rest) - _ZPL_TOKEN_MAX + 1), len(rest)):
            if rest[i] in b"~^":
                cut = i
                break
        self._job += rest[:cut]
        self._buf = bytearray(rest[cut:])
        return events


_EPL_GW = re.compile(rb"GW(\d+),(\d+),(\d+),(\d+),")


class Epl2Framer(Framer):
    """EPL2: line commands; GW carries width*height raw bytes; a P line prints and ends the job."""

    def _parse(self) -> list[Event]:
        events: list[Event] = []
        buf = self._buf
        pos = 0
        while pos < len(buf):
            if buf.startswith(b"GW", pos):
                head = _EPL_GW.match(buf, pos)
                if head is None:
                    if b"\n" in buf[pos : pos + 40] or len(buf) - pos > 40:
                        pos = self._take_line(buf, pos, events)  # malformed; pass it on
                        if pos < 0:
                            break
                        continue
                    break  # header still arriving
                end = head.end() + int(head.group(3)) * int(head.group(4))
                if end > len(buf):
                    break
                self._job += buf[pos:end]
                pos = end
                continue
            new_pos = self._take_line(buf, pos, events)
            if new_pos < 0:
                break
            pos = new_pos
        self._buf = bytearray(buf[pos:])
        return events

    def _take_line(self, buf: bytearray, pos: int, events: list[Event]) -> int:
        nl = buf.find(b"\n", pos)
        if nl < 0:
            return -1
        line = bytes(buf[pos:nl]).strip(b"\r")
        if line.lower() == b"^ee":
            events.append(StatusQuery(b"^ee"))
        else:
            self._job += buf[pos : nl + 1]
            if re.fullmatch(rb"P\d+(,\d+)?", line):
                self._end_job(events)
        return nl + 1


# ESC command argument lengths (bytes after the command letter) for the 450-series protocol.
_LW_ARGS = {ord("B"): 1, ord("D"): 1, ord("L"): 2, ord("f"): 2, ord("q"): 1, ord("Q"): 2}


class DymoLwFramer(Framer):
    """DYMO 450 series: ESC commands, SYN raw lines, ETB run-length lines; ESC E ends the job."""

    def __init__(self) -> None:
        super().__init__()
        self._width = 0  # bytes per line (ESC D)

    def reset(self) -> None:
        super().reset()
        self._width = 0

    def _parse(self) -> list[Event]:
        events: list[Event] = []
        buf = self._buf
        pos = 0
        n = len(buf)
        while pos < n:
            byte = buf[pos]
            if byte == SYN:
                end = pos + 1 + self._width
                if end > n:
                    break
            elif byte == ETB:
                end = self._etb_end(buf, pos + 1)
                if end < 0:
                    break
            elif byte == ESC:
                if pos + 1 >= n:
                    break
                cmd = buf[pos + 1]
                if cmd == ESC:  # resync run: ESC ESC ... is a no-op
                    self._job.append(ESC)
                    pos += 1
                    continue
                end = pos + 2 + _LW_ARGS.get(cmd, 0)
                if end > n:
                    break
                if cmd == ord("A"):
                    events.append(StatusQuery(bytes(buf[pos:end])))
                    pos = end
                    continue
                if cmd == ord("D"):
                    self._width = buf[pos + 2]
                self._job += buf[pos:end]
                pos = end
                if cmd == ord("E"):
                    self._end_job(events)
                continue
            else:
                end = pos + 1  # stray byte; the decoder judges it
            self._job += buf[pos:end]
            pos = end
        self._buf = bytearray(buf[pos:])
        return events

    def _etb_end(self, buf: bytearray, start: int) -> int:
        dots, need = 0, self._width * 8
        pos = start
        while dots < need:
            if pos >= len(buf):
                return -1
            dots += (buf[pos] & 0x7F) + 1
            pos += 1
        return pos


_550_ARGS = {
    ord("A"): 1,
    ord("s"): 4,
    ord("L"): 2,
    ord("C"): 1,
    ord("T"): 1,
    ord("M"): 8,
    ord("q"): 1,
    ord("n"): 2,
}


class Dymo550Framer(Framer):
    """DYMO 550 series: ESC A n (32-byte status) anywhere; ESC D blocks; ESC Q ends the job."""

    def _parse(self) -> list[Event]:
        events: list[Event] = []
        buf = self._buf
        pos = 0
        n = len(buf)
        while pos < n:
            if buf[pos] != ESC:
                self._job.append(buf[pos])  # stray; the decoder judges it
                pos += 1
                continue
            if pos + 1 >= n:
                break
            cmd = buf[pos + 1]
            if cmd == ord("D"):
                if pos + 12 > n:
                    break
                bpp = buf[pos + 2]
                lines = int.from_bytes(buf[pos + 4 : pos + 8], "little")
                dots = int.from_bytes(buf[pos + 8 : pos + 12], "little")
                end = pos + 12 + lines * ((dots * max(bpp, 1) + 7) // 8)
            else:
                end = pos + 2 + _550_ARGS.get(cmd, 0)
            if end > n:
                break
            if cmd == ord("A"):
                events.append(StatusQuery(bytes(buf[pos:end])))
            else:
                self._job += buf[pos:end]
                if cmd == ord("Q"):
                    self._end_job(events)
            pos = end
        self._buf = bytearray(buf[pos:])
        return events


def framer_for(family: Protocol) -> Framer:
    """A fresh framer for one printer language."""
    if family is Protocol.ZPL:
        return ZplFramer()
    if family is Protocol.EPL2:
        return Epl2Framer()
    if family is Protocol.DYMO_LW:
        return DymoLwFramer()
    return Dymo550Framer()
