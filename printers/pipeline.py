"""Label -> the exact bytes for one printer, bytes -> decoded labels, and status round-trips."""

from __future__ import annotations

import re

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap, Label, RasterLabel, RawLabel
from printers.media import Media, Sensing, check_media
from printers.models import PrinterModel, Protocol
from printers.protocols import dymo_550, dymo_lw, epl2, zpl
from printers.protocols.base import Command, DecodedJob, StreamDecoder
from printers.status import (
    Dymo550Engine,
    PrinterState,
    PrinterStatus,
    build_dymo450_status,
    build_dymo550_status,
    build_epl_error,
    build_zebra_hqes,
    build_zebra_hs,
    parse_dymo450_status,
    parse_dymo550_status,
    parse_epl_error,
    parse_zebra_hqes,
    parse_zebra_hs,
)

__all__ = [
    "DecodedJob",
    "decode_job",
    "encode_label",
    "encode_page",
    "page_bitmap",
    "parse_status",
    "reply_complete",
    "status_query",
    "status_reply",
    "stream_decoder",
]


def page_bitmap(label: RasterLabel, model: PrinterModel) -> Bitmap:
    """The whole page the printer prints: the label at its place in the printable area."""
    return label.bitmap.placed(
        model.page_width_dots,
        model.page_height_dots,
        model.printable_x + label.x,
        model.printable_y + label.y,
    )


def encode_label(
    label: Label, model: PrinterModel, copies: int = 1, *, media: Media | None = None
) -> bytes:
    """Exactly the bytes to send to `model` to print `label` `copies` times.

    Raw ZPL/EPL2 goes unchanged (repeated for copies); it must be in the model's language.
    With `media` the job also tells the printer how to find the next label on that stock
    (ZPL ^MN, EPL2 Q's gap); None leaves the printer's own media setting alone.
    """
    if copies < 1:
        raise PrinterError(PrinterErrorKind.BAD_LABEL, f"cannot print {copies} copies")
    if media is not None:
        check_media(media, model)
    if isinstance(label, RawLabel):
        if label.language is not model.family:
            raise PrinterError(
                PrinterErrorKind.BAD_LABEL,
                f"a {label.language.value.upper()} label cannot go to the {model.display_name}",
                hint="load the label again for this printer (PNG or PDF work on every printer)",
            )
        return _raw_for_media(label.data, model, media) * copies
    return encode_page(page_bitmap(label, model), model, copies, media=media)


def encode_page(
    page: Bitmap, model: PrinterModel, copies: int = 1, *, media: Media | None = None
) -> bytes:
    """Encode a page-sized bitmap in `model`'s language (for `media` when given)."""
    if media is not None:
        check_media(media, model)
    family = model.family
    if family is Protocol.ZPL:
        return zpl.encode_zpl(
            page,
            copies=copies,
            encoding=model.zpl_graphic_encoding,
            max_field_bytes=model.max_gf_bytes,
            media_tracking=_ZPL_TRACKING[media.sensing] if media else "",
        )
    if family is Protocol.EPL2:
        if media is None:
            return epl2.encode_epl2(page, copies=copies)
        return epl2.encode_epl2(page, copies=copies, gap_dots=media.gap_dots(model.dpi))
    if family is Protocol.DYMO_LW:
        return dymo_lw.encode_dymo_lw(
            page, copies=copies, label_length=model.max_label_length_dots or None
        )
    return dymo_550.encode_dymo_550(page, copies=copies)


# ZPL ^MN: Y = web (the gap between die-cut labels), N = continuous.
_ZPL_TRACKING = {Sensing.GAP: "Y", Sensing.CONTINUOUS: "N"}
_EPL2_FORM_LENGTH = re.compile(rb"^Q(\d+),(\d+)", re.MULTILINE)


def _raw_for_media(data: bytes, model: PrinterModel, media: Media | None) -> bytes:
    """A bought ZPL/EPL2 label set up for the loaded stock: ZPL gets a ^MN format before it
    (a printer setting the label's own format keeps); EPL2's Q gets the stock's gap (the
    label's form length stays)."""
    if media is None:
        return data
    if model.family is Protocol.ZPL:
        return b"^XA^MN%s^XZ\n" % _ZPL_TRACKING[media.sensing].encode() + data
    if model.family is Protocol.EPL2:
        gap = media.gap_dots(model.dpi)
        return _EPL2_FORM_LENGTH.sub(lambda m: b"Q%s,%d" % (m.group(1), gap), data)
    return data


def stream_decoder(
    model: PrinterModel, *, zpl_bang: zpl.BangReading = zpl.BangReading.FILL_ONES
) -> StreamDecoder:
    """An incremental decoder for `model`'s language (feed chunks, then finish).

    `zpl_bang` picks how ZPL's ambiguous `!` is read (the encoders never send it).
    """
    width, height = model.page_width_dots, model.page_height_dots
    if model.family is Protocol.ZPL:
        return zpl.ZplDecoder(width, height, bang=zpl_bang)
    if model.family is Protocol.EPL2:
        return epl2.Epl2Decoder(width, height)
    if model.family is Protocol.DYMO_LW:
        return dymo_lw.DymoLwDecoder(model.head_width_dots, height)
    return dymo_550.Dymo550Decoder(model.head_width_dots, height)


def decode_job(
    data: bytes, model: PrinterModel, *, zpl_bang: zpl.BangReading = zpl.BangReading.FILL_ONES
) -> DecodedJob:
    """Decode printer bytes into labels (page bitmaps in order, with copies) and commands.

    Garbage is PrinterError PROTOCOL, never another exception.
    """
    decoder = stream_decoder(model, zpl_bang=zpl_bang)
    decoder.feed(data)
    return decoder.finish()


def status_query(model: PrinterModel, *, extended: bool = False) -> bytes:
    """The bytes that ask `model` for its status (`extended`: ZPL ~HQES instead of ~HS)."""
    if model.family is Protocol.ZPL:
        return b"~HQES" if extended else b"~HS"
    if model.family is Protocol.EPL2:
        return b"\r\n^ee\r\n"
    if model.family is Protocol.DYMO_LW:
        return dymo_lw.STATUS_QUERY
    return dymo_550.STATUS_QUERY


def reply_complete(model: PrinterModel, reply: bytes, *, extended: bool = False) -> bool:
    """True once `reply` holds a whole answer to `status_query(model, extended=...)`."""
    if model.family is Protocol.ZPL:
        if extended:
            return b"WARNINGS" in reply and reply.rstrip().endswith(b"\x03")
        return reply.count(b"\x03") >= 3
    if model.family is Protocol.EPL2:
        return b"\n" in reply
    if model.family is Protocol.DYMO_LW:
        return len(reply) >= 1
    return len(reply) >= 32


def parse_status(model: PrinterModel, reply: bytes) -> PrinterStatus:
    """Decode a status reply from `model` (PrinterError PROTOCOL when unreadable)."""
    if model.family is Protocol.ZPL:
        return parse_zebra_hqes(reply) if b"ERRORS" in reply else parse_zebra_hs(reply)
    if model.family is Protocol.EPL2:
        return parse_epl_error(reply)
    if model.family is Protocol.DYMO_LW:
        return parse_dymo450_status(reply)
    return parse_dymo550_status(reply)


_HQES_BITS = {
    PrinterState.PAPER_OUT: 0x1,
    PrinterState.RIBBON_OUT: 0x2,
    PrinterState.HEAD_OPEN: 0x4,
    PrinterState.PAPER_JAM: 0x1000,
    PrinterState.PAUSED: 0x10000,
    PrinterState.ERROR: 0x10,
}
_EPL_CODES = {
    PrinterState.PAPER_OUT: 7,
    PrinterState.RIBBON_OUT: 7,
    PrinterState.HEAD_OPEN: 11,
    PrinterState.PAUSED: 12,
    PrinterState.BUSY: 50,
    PrinterState.PAPER_JAM: 84,
    PrinterState.ERROR: 13,
}
_550_BAY = {
    PrinterState.PAPER_OUT: 5,
    PrinterState.HEAD_OPEN: 1,
    PrinterState.MEDIA_NOT_SUPPORTED: 10,
    PrinterState.PAPER_JAM: 9,
}


def status_reply(
    model: PrinterModel,
    query: Command,
    state: PrinterState,
    *,
    labels_remaining: int = 0,
    job_id: int = 0,
    label_index: int = 0,
) -> bytes:
    """What `model` answers to the status `query` when in `state` (for emulators).

    Returns b"" for a query this family does not answer (e.g. ZPL ~HI is not modelled).
    """
    family = model.family
    if family is Protocol.ZPL:
        if query.name == "~HQ":
            return build_zebra_hqes(errors=_HQES_BITS.get(state, 0))
        if query.name != "~HS":
            return b""
        return build_zebra_hs(
            paper_out=state is PrinterState.PAPER_OUT,
            paused=state in {PrinterState.PAUSED, PrinterState.PAPER_OUT},
            head_open=state is PrinterState.HEAD_OPEN,
            ribbon_out=state is PrinterState.RIBBON_OUT,
            labels_remaining=labels_remaining,
            formats_in_buffer=1 if state is PrinterState.BUSY and not labels_remaining else 0,
            label_length_dots=model.page_height_dots,
        )
    if family is Protocol.EPL2:
        if query.name != "^ee":
            return b""
        return build_epl_error(_EPL_CODES.get(state, 0))
    if family is Protocol.DYMO_LW:
        return build_dymo450_status(
            paper_out=state is PrinterState.PAPER_OUT,
            jam=state is PrinterState.PAPER_JAM,
            busy=state is PrinterState.BUSY,
        )
    engine = Dymo550Engine.IDLE
    if state is PrinterState.BUSY:
        engine = Dymo550Engine.PRINTING
    elif state in {PrinterState.ERROR, *_550_BAY}:
        engine = Dymo550Engine.ERROR
    return build_dymo550_status(
        engine=engine,
        job_id=job_id,
        label_index=label_index,
        bay=_550_BAY.get(state, 8),
        head_overheated=state is PrinterState.ERROR,
    )
