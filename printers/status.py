"""Printer status replies (Zebra ~HS/~HQES, EPL2 ^ee, DYMO 450 ESC A, DYMO 550) -> PrinterStatus.

Each decoder has a matching builder so emulators answer status queries with realistic frames.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from enum import StrEnum

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import open_value


class PrinterState(StrEnum):
    """The one thing a packer needs to know about a printer right now."""

    READY = "ready"
    BUSY = "busy"  # printing or holding labels still to print
    PAPER_OUT = "paper_out"
    HEAD_OPEN = "head_open"  # Zebra head up, DYMO cover/bay open
    PAUSED = "paused"
    RIBBON_OUT = "ribbon_out"
    MEDIA_NOT_SUPPORTED = "media_not_supported"  # incl. DYMO 550 non-genuine (no NFC) labels
    PAPER_JAM = "paper_jam"
    ERROR = "error"  # another fault the printer reports (overheated head, cutter, ...)
    OFFLINE = "offline"  # no answer
    UNKNOWN = "unknown"


# The order a packer must fix things in: the first problem present becomes `state`.
_PRIORITY = (
    PrinterState.OFFLINE,
    PrinterState.HEAD_OPEN,
    PrinterState.PAPER_JAM,
    PrinterState.PAPER_OUT,
    PrinterState.RIBBON_OUT,
    PrinterState.MEDIA_NOT_SUPPORTED,
    PrinterState.ERROR,
    PrinterState.PAUSED,
    PrinterState.UNKNOWN,
    PrinterState.BUSY,
    PrinterState.READY,
)

_ERROR_KIND: dict[PrinterState, PrinterErrorKind] = {
    PrinterState.PAPER_OUT: PrinterErrorKind.PAPER_OUT,
    PrinterState.HEAD_OPEN: PrinterErrorKind.HEAD_OPEN,
    PrinterState.PAUSED: PrinterErrorKind.PAUSED,
    PrinterState.RIBBON_OUT: PrinterErrorKind.RIBBON_OUT,
    PrinterState.MEDIA_NOT_SUPPORTED: PrinterErrorKind.UNSUPPORTED_MEDIA,
    PrinterState.PAPER_JAM: PrinterErrorKind.PAPER_OUT,
    PrinterState.ERROR: PrinterErrorKind.PROTOCOL,
    PrinterState.OFFLINE: PrinterErrorKind.TIMEOUT,
}

_HINTS: dict[PrinterState, str] = {
    PrinterState.PAPER_OUT: "load labels, close the cover and press feed",
    PrinterState.HEAD_OPEN: "close the print head / cover until it clicks",
    PrinterState.PAUSED: "press the pause button on the printer to resume",
    PrinterState.RIBBON_OUT: "load a ribbon, or set the printer to direct thermal",
    PrinterState.MEDIA_NOT_SUPPORTED: "load genuine DYMO labels of the right size (550 series "
    "reads the NFC tag on the roll)",
    PrinterState.PAPER_JAM: "open the printer, clear the jammed label and reload",
    PrinterState.ERROR: "power the printer off and on; see the message for the fault",
    PrinterState.OFFLINE: "check the cable or network and that the printer is on",
}


class RollLevel(StrEnum):
    """How full the loaded roll is, as a DYMO 550's main bay reports it (status byte 10)."""

    OK = "ok"
    LOW = "low"
    CRITICALLY_LOW = "critically_low"
    EMPTY = "empty"
    COUNTERFEIT = "counterfeit"  # non-genuine labels: the 550 series will not print on them
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class PrinterStatus:
    """A decoded status reply: the main `state`, every problem seen, and the raw frame."""

    state: PrinterState
    problems: tuple[PrinterState, ...] = ()  # all conditions flagged, most urgent first
    labels_remaining: int | None = None  # labels the printer still has to print (buffer/batch)
    media_remaining: int | None = None  # labels left on the roll (DYMO 550 NFC), if known
    media_level: RollLevel | None = None  # the roll's state as the printer reports it (550)
    message: str = ""
    raw: bytes = b""
    details: tuple[tuple[str, str], ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when the printer can take a label now (ready, or busy with earlier ones)."""
        return self.state in {PrinterState.READY, PrinterState.BUSY}

    def detail(self, key: str) -> str | None:
        """One decoded field by name, as text."""
        return dict(self.details).get(key)

    def raise_for_problem(self, device: str = "") -> None:
        """Raise the PrinterError matching `state` unless the printer can print."""
        if self.ok or self.state is PrinterState.UNKNOWN:
            return
        raise PrinterError(
            _ERROR_KIND[self.state],
            self.message or self.state.value.replace("_", " "),
            hint=_HINTS.get(self.state, ""),
            device=device,
        )


def _status(
    problems: set[PrinterState],
    *,
    labels_remaining: int | None = None,
    media_remaining: int | None = None,
    media_level: RollLevel | None = None,
    message: str = "",
    raw: bytes = b"",
    details: dict[str, object] | None = None,
) -> PrinterStatus:
    ordered = tuple(s for s in _PRIORITY if s in problems)
    state = ordered[0] if ordered else PrinterState.READY
    problem_list = tuple(s for s in ordered if s not in {PrinterState.READY, PrinterState.BUSY})
    if not message:
        message = ", ".join(s.value.replace("_", " ") for s in ordered) or "ready"
    return PrinterStatus(
        state=state,
        problems=problem_list,
        labels_remaining=labels_remaining,
        media_remaining=media_remaining,
        media_level=media_level,
        message=message,
        raw=raw,
        details=tuple((k, str(v)) for k, v in (details or {}).items()),
    )


def _protocol_error(what: str, raw: bytes) -> PrinterError:
    return PrinterError(
        PrinterErrorKind.PROTOCOL,
        f"cannot read the printer's {what} reply: {raw[:80]!r}",
        hint="check the printer model; another program may be talking to the printer",
    )


# --- Zebra ~HS --------------------------------------------------------------------------------

_FRAME = re.compile(rb"\x02([^\x02\x03]*)\x03")


def parse_zebra_hs(reply: bytes) -> PrinterStatus:
    """Decode the three STX...ETX strings of a ZPL `~HS` reply (noise around them is skipped)."""
    frames = _FRAME.findall(reply)
    if len(frames) < 2:
        raise _protocol_error("~HS", reply)
    # The last complete triple wins: stale replies may precede it.
    first, second = (frames[-3], frames[-2]) if len(frames) >= 3 else (frames[-2], frames[-1])
    try:
        f1 = [int(v) for v in first.decode("ascii").split(",")]
        f2 = [int(v) for v in second.decode("ascii").split(",")]
    except (UnicodeDecodeError, ValueError) as exc:
        raise _protocol_error("~HS", reply) from exc
    if len(f1) < 12 or len(f2) < 11:
        raise _protocol_error("~HS", reply)
    paper_out, paused, label_length, formats = f1[1], f1[2], f1[3], f1[4]
    buffer_full, partial_format = f1[5], f1[7]
    head_up, ribbon_out, thermal_transfer_mode = f2[2], f2[3], f2[4]
    labels_remaining = f2[8]
    problems: set[PrinterState] = set()
    if paper_out:
        problems.add(PrinterState.PAPER_OUT)
    if paused:
        problems.add(PrinterState.PAUSED)
    if head_up:
        problems.add(PrinterState.HEAD_OPEN)
    if ribbon_out:
        problems.add(PrinterState.RIBBON_OUT)
    if formats or labels_remaining or partial_format or buffer_full:
        problems.add(PrinterState.BUSY)
    return _status(
        problems,
        labels_remaining=labels_remaining,
        raw=reply,
        details={
            "label_length_dots": label_length,
            "formats_in_buffer": formats,
            "buffer_full": buffer_full,
            "partial_format": partial_format,
            "thermal_transfer": thermal_transfer_mode,
            "print_mode": f2[5],
            "graphics_stored": f2[10],
        },
    )


def build_zebra_hs(
    *,
    paper_out: bool = False,
    paused: bool = False,
    head_open: bool = False,
    ribbon_out: bool = False,
    formats_in_buffer: int = 0,
    labels_remaining: int = 0,
    label_length_dots: int = 1218,
    partial_format: bool = False,
) -> bytes:
    """A `~HS` reply as a ZPL printer sends it (three STX...ETX CR LF strings)."""
    s1 = (
        f"014,{int(paper_out)},{int(paused)},{label_length_dots:04d},{formats_in_buffer:03d},"
        f"0,0,{int(partial_format)},000,0,0,0"
    )
    s2 = f"001,0,{int(head_open)},{int(ribbon_out)},0,2,6,0,{labels_remaining:08d},1,000"
    s3 = "1234,0"
    return b"".join(b"\x02" + s.encode("ascii") + b"\x03\r\n" for s in (s1, s2, s3))


# --- Zebra ~HQES ------------------------------------------------------------------------------

HQES_ERROR_FLAGS: dict[int, str] = {
    0x1: "media out",
    0x2: "ribbon out",
    0x4: "head open",
    0x8: "cutter fault",
    0x10: "printhead over temperature",
    0x20: "motor over temperature",
    0x40: "bad printhead element",
    0x80: "printhead detection error",
    0x1000: "paper jam",
    0x2000: "presenter not running",
    0x4000: "paper feed error",
    0x8000: "clear paper path failed",
    0x10000: "paused",
    0x20000: "retract function timed out",
    0x40000: "black mark calibrate error",
    0x80000: "black mark not found",
}
HQES_WARNING_FLAGS: dict[int, str] = {
    0x1: "need to calibrate media",
    0x2: "clean printhead",
    0x4: "replace printhead",
    0x8: "paper near end",
}
_HQES = re.compile(
    rb"ERRORS:\s*(\d)\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8}).*?WARNINGS:\s*(\d)\s+"
    rb"([0-9A-Fa-f]{8})\s+([0-9A-Fa-f]{8})",
    re.DOTALL,
)


def parse_zebra_hqes(reply: bytes) -> PrinterStatus:
    """Decode a ZPL `~HQES` reply (PRINTER STATUS / ERRORS / WARNINGS bit flags)."""
    matches = list(_HQES.finditer(reply))
    if not matches:
        raise _protocol_error("~HQES", reply)
    match = matches[-1]  # the last reply wins: stale ones may precede it
    errors = int(match.group(3), 16) if match.group(1) == b"1" else 0
    warnings = int(match.group(6), 16) if match.group(4) == b"1" else 0
    problems: set[PrinterState] = set()
    flags = {
        0x1: PrinterState.PAPER_OUT,
        0x2: PrinterState.RIBBON_OUT,
        0x4: PrinterState.HEAD_OPEN,
        0x1000: PrinterState.PAPER_JAM,
        0x10000: PrinterState.PAUSED,
    }
    for bit, state in flags.items():
        if errors & bit:
            problems.add(state)
    if errors & ~sum(flags):
        problems.add(PrinterState.ERROR)
    names = [name for bit, name in HQES_ERROR_FLAGS.items() if errors & bit]
    warned = [name for bit, name in HQES_WARNING_FLAGS.items() if warnings & bit]
    return _status(
        problems,
        message=", ".join(names) if names else "",
        raw=reply,
        details={
            "errors": f"{errors:08X}",
            "warnings": f"{warnings:08X}",
            "warning_text": "; ".join(warned),
        },
    )


def build_zebra_hqes(errors: int = 0, warnings: int = 0) -> bytes:
    """A `~HQES` reply with the given error and warning flag words."""
    return (
        b"\x02\r\n\r\n  PRINTER STATUS                    \r\n"
        + f"   ERRORS:         {int(bool(errors))} 00000000 {errors:08X}\r\n".encode()
        + f"   WARNINGS:       {int(bool(warnings))} 00000000 {warnings:08X}\r\n".encode()
        + b"\x03\r\n"
    )


# --- EPL2 ^ee ---------------------------------------------------------------------------------

EPL_ERRORS: dict[int, tuple[PrinterState, str]] = {
    0: (PrinterState.READY, "no error"),
    1: (PrinterState.ERROR, "syntax error"),
    2: (PrinterState.ERROR, "object exceeded label border"),
    3: (PrinterState.ERROR, "bar code data length error"),
    4: (PrinterState.ERROR, "insufficient memory to store data"),
    5: (PrinterState.ERROR, "memory configuration error"),
    6: (PrinterState.ERROR, "RS-232 interface error"),
    7: (PrinterState.PAPER_OUT, "paper or ribbon empty"),
    8: (PrinterState.ERROR, "duplicate name"),
    9: (PrinterState.ERROR, "name not found"),
    10: (PrinterState.ERROR, "not in data entry mode"),
    11: (PrinterState.HEAD_OPEN, "print head up"),
    12: (PrinterState.PAUSED, "paused"),
    13: (PrinterState.ERROR, "print head too hot"),
    14: (PrinterState.ERROR, "motor too hot"),
    50: (PrinterState.BUSY, "busy processing a print job"),
    81: (PrinterState.ERROR, "cutter jammed or not installed"),
    82: (PrinterState.ERROR, "auto-sense or sensor failure"),
    84: (PrinterState.PAPER_JAM, "media error: gap/black line not found or excessive feeding"),
}


def parse_epl_error(reply: bytes) -> PrinterStatus:
    """Decode an EPL2 `^ee` reply: a two-digit error code (07 may add `Pnnn` labels waiting)."""
    matches = list(re.finditer(rb"(\d\d)(?: ?P(\d{3}))?(?: ?L(\d{5}))?", reply.strip()))
    if not matches:
        raise _protocol_error("^ee", reply)
    match = matches[-1]
    code = int(match.group(1))
    state, text = EPL_ERRORS.get(code, (PrinterState.ERROR, f"error {code:02d}"))
    waiting = int(match.group(2)) if match.group(2) else None
    return _status(
        {state},
        labels_remaining=waiting,
        message=text,
        raw=reply,
        details={"code": f"{code:02d}"},
    )


def build_epl_error(code: int = 0, labels_waiting: int | None = None) -> bytes:
    """An EPL2 `^ee` reply."""
    tail = f" P{labels_waiting:03d}" if labels_waiting is not None else ""
    return f"{code:02d}{tail}\r\n".encode("ascii")


# --- DYMO LabelWriter 450 series ESC A ---------------------------------------------------------

DYMO_450_READY = 0x01
DYMO_450_TOP_OF_FORM = 0x02
DYMO_450_PAPER_OUT = 0x20
DYMO_450_JAM = 0x40
DYMO_450_ERROR = 0x80


def parse_dymo450_status(reply: bytes) -> PrinterStatus:
    """Decode the 450-series one-byte status; the last byte wins (replies pile up)."""
    if not reply:
        raise _protocol_error("ESC A", reply)
    byte = reply[-1]
    problems: set[PrinterState] = set()
    if byte & DYMO_450_PAPER_OUT:
        problems.add(PrinterState.PAPER_OUT)
    if byte & DYMO_450_JAM:
        problems.add(PrinterState.PAPER_JAM)
    if byte & DYMO_450_ERROR and not byte & (DYMO_450_PAPER_OUT | DYMO_450_JAM):
        problems.add(PrinterState.ERROR)
    if not byte & DYMO_450_READY and not problems:
        problems.add(PrinterState.BUSY)
    return _status(
        problems,
        raw=reply,
        details={"byte": f"0x{byte:02X}", "top_of_form": int(bool(byte & DYMO_450_TOP_OF_FORM))},
    )


def build_dymo450_status(
    *, paper_out: bool = False, jam: bool = False, top_of_form: bool = True, busy: bool = False
) -> bytes:
    """A 450-series status byte: idle is 0x03; paper out sets 0x20 plus the error bit 0x80."""
    byte = 0 if busy else DYMO_450_READY
    if top_of_form:
        byte |= DYMO_450_TOP_OF_FORM
    if paper_out:
        byte |= DYMO_450_PAPER_OUT | DYMO_450_ERROR
    if jam:
        byte |= DYMO_450_JAM | DYMO_450_ERROR
    return bytes([byte])


# --- DYMO LabelWriter 550 series ---------------------------------------------------------------

DYMO_550_STATUS_SIZE = 32


class Dymo550Engine(StrEnum):
    """Byte 0 of the 550 status block."""

    IDLE = "idle"
    PRINTING = "printing"
    ERROR = "error"
    CANCEL = "cancel"
    BUSY = "busy"
    UNLOCK = "unlock"


_ENGINE = list(Dymo550Engine)

DYMO_550_BAY = {
    1: (PrinterState.HEAD_OPEN, "media bay open"),
    2: (PrinterState.PAPER_OUT, "no media"),
    3: (PrinterState.MEDIA_NOT_SUPPORTED, "media not inserted properly"),
    4: (PrinterState.UNKNOWN, "media status unknown"),
    5: (PrinterState.PAPER_OUT, "media empty"),
    6: (PrinterState.READY, "media critically low"),
    7: (PrinterState.READY, "media low"),
    8: (PrinterState.READY, "media ok"),
    9: (PrinterState.PAPER_JAM, "media jammed"),
    10: (PrinterState.MEDIA_NOT_SUPPORTED, "counterfeit (non-genuine) media"),
}


DYMO_550_LEVEL = {
    2: RollLevel.EMPTY,  # no media
    5: RollLevel.EMPTY,
    6: RollLevel.CRITICALLY_LOW,
    7: RollLevel.LOW,
    8: RollLevel.OK,
    10: RollLevel.COUNTERFEIT,
}


def parse_dymo550_status(reply: bytes) -> PrinterStatus:
    """Decode the 550-series 32-byte status block (the last complete block wins)."""
    if len(reply) < DYMO_550_STATUS_SIZE:
        raise _protocol_error("550 status", reply)
    block = reply[len(reply) - len(reply) % DYMO_550_STATUS_SIZE - DYMO_550_STATUS_SIZE :][
        :DYMO_550_STATUS_SIZE
    ]
    engine_code = block[0]
    if engine_code >= len(_ENGINE):
        raise _protocol_error("550 status", reply)
    engine = _ENGINE[engine_code]
    job_id, label_index = struct.unpack_from("<IH", block, 1)
    head, density, bay = block[8], block[9], block[10]
    sku = block[11:23].rstrip(b"\x00 ").decode("ascii", "replace")
    (error_id,) = struct.unpack_from("<I", block, 23)
    (remaining,) = struct.unpack_from("<H", block, 27)
    head_voltage = block[open_value("dymo-550.head_voltage_byte")]
    problems: set[PrinterState] = set()
    bay_state, bay_text = DYMO_550_BAY.get(bay, (PrinterState.UNKNOWN, f"media bay state {bay}"))
    if bay_state is not PrinterState.READY:
        problems.add(bay_state)
    if head == 1:
        problems.add(PrinterState.ERROR)
    if head_voltage == 4:
        problems.add(PrinterState.ERROR)
    if engine is Dymo550Engine.ERROR and not problems:
        problems.add(PrinterState.ERROR)
    if engine in {Dymo550Engine.PRINTING, Dymo550Engine.BUSY, Dymo550Engine.CANCEL}:
        problems.add(PrinterState.BUSY)
    messages = [bay_text] if bay_state is not PrinterState.READY else []
    if head == 1:
        messages.append("print head overheated")
    if head_voltage == 4:
        messages.append("print head voltage too low (check the power supply)")
    level = DYMO_550_LEVEL.get(bay, RollLevel.UNKNOWN)
    if level in {RollLevel.LOW, RollLevel.CRITICALLY_LOW}:
        messages.append(f"{bay_text}: {remaining} labels left")
    return _status(
        problems,
        media_remaining=remaining,
        media_level=level,
        message=", ".join(messages),
        raw=reply,
        details={
            "engine": engine.value,
            "job_id": job_id,
            "label_index": label_index,
            "density": density,
            "media_bay": bay_text,
            "sku": sku,
            "error_id": error_id,
            "locked_by_other_host": int(engine is Dymo550Engine.BUSY and job_id != 0),
        },
    )


def build_dymo550_status(
    *,
    engine: Dymo550Engine = Dymo550Engine.IDLE,
    job_id: int = 0,
    label_index: int = 0,
    head_overheated: bool = False,
    density: int = 100,
    bay: int = 8,
    sku: str = "S0947420",
    error_id: int = 0,
    media_remaining: int = 220,
    head_voltage_low: bool = False,
) -> bytes:
    """A 550-series 32-byte status block laid out as in the LW 550 Technical Reference."""
    block = bytearray(DYMO_550_STATUS_SIZE)
    block[0] = _ENGINE.index(engine)
    struct.pack_into("<IH", block, 1, job_id, label_index)
    block[8] = int(head_overheated)
    block[9] = density
    block[10] = bay
    block[11:23] = sku.encode("ascii")[:12].ljust(12, b"\x00")
    struct.pack_into("<I", block, 23, error_id)
    struct.pack_into("<H", block, 27, media_remaining)
    block[open_value("dymo-550.head_voltage_byte")] = 4 if head_voltage_low else 0
    return bytes(block)


# --- Zebra ~HQOD (odometer) -------------------------------------------------------------------


@dataclass(frozen=True)
class Odometer:
    """A ZPL `~HQOD` reply: media fed through the printer, in the printer's unit (^MA)."""

    total: int  # TOTAL NONRESETTABLE
    counter1: int | None  # USER RESETTABLE CNTR1
    counter2: int | None  # USER RESETTABLE CNTR2
    unit: str  # "in" or "cm"

    @property
    def total_inches(self) -> float:
        return self.total / 2.54 if self.unit == "cm" else float(self.total)


_ODOMETER_LINE = r"{}:\s*(\d+)\s*(cm|\"|'|in)?"


def parse_zebra_odometer(reply: bytes) -> Odometer:
    """Decode a `~HQOD` reply (PRINT METERS / TOTAL NONRESETTABLE / USER RESETTABLE CNTR1, 2)."""
    text = reply.decode("latin-1")
    total = re.findall(_ODOMETER_LINE.format("TOTAL NONRESETTABLE"), text, re.IGNORECASE)
    if not total:
        raise _protocol_error("~HQOD", reply)
    value, unit = total[-1]

    def counter(name: str) -> int | None:
        found = re.findall(_ODOMETER_LINE.format(name), text, re.IGNORECASE)
        return int(found[-1][0]) if found else None

    return Odometer(
        total=int(value),
        counter1=counter("USER RESETTABLE CNTR1"),
        counter2=counter("USER RESETTABLE CNTR2"),
        unit="cm" if unit.lower() == "cm" else "in",
    )


def build_zebra_odometer(total_inches: int, counter1: int = 0, counter2: int = 0) -> bytes:
    """A `~HQOD` reply in inches, laid out as the ZPL manual's example."""
    lines = (
        "  PRINT METERS",
        f'   TOTAL NONRESETTABLE:   {total_inches:>10} "',
        f'   USER RESETTABLE CNTR1: {counter1:>10} "',
        f'   USER RESETTABLE CNTR2: {counter2:>10} "',
    )
    return b"\x02\r\n" + "\r\n".join(lines).encode("ascii") + b"\r\n\x03\r\n"


def offline_status(message: str = "the printer did not answer") -> PrinterStatus:
    """The status to report when a query timed out."""
    return _status({PrinterState.OFFLINE}, message=message)
