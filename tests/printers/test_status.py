"""Status decoders on the real frames from the reference notes, and builder round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import MODELS, get_model
from printers.pipeline import parse_status, reply_complete, status_query, status_reply
from printers.protocols.base import Command
from printers.status import (
    Dymo550Engine,
    PrinterState,
    build_dymo550_status,
    build_epl_error,
    build_zebra_hqes,
    build_zebra_hs,
    offline_status,
    parse_dymo450_status,
    parse_dymo550_status,
    parse_epl_error,
    parse_zebra_hqes,
    parse_zebra_hs,
)

# WebZLP CmdHostStatus.test.ts: a real ~HS reply (633-dot labels, idle).
WEBZLP_HS = (
    b"\x02014,0,0,0633,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02000,0,0,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)
# WebZLP CmdHostQuery.ts: ~HQES with media out + head open.
WEBZLP_HQES = (
    b"\x02\r\n\r\n  PRINTER STATUS                    \r\n"
    b"   ERRORS:         1 00000000 00000005\r\n"
    b"   WARNINGS:       0 00000000 00000000\r\n\x03"
)


def test_real_hs_frame_is_ready() -> None:
    status = parse_zebra_hs(WEBZLP_HS)
    assert status.state is PrinterState.READY and status.ok
    assert status.labels_remaining == 0
    assert status.detail("label_length_dots") == "633"
    assert status.detail("print_mode") == "2"  # tear-off


def test_hs_with_stale_noise_before_it_uses_the_last_reply() -> None:
    stale = build_zebra_hs(paper_out=True)
    assert parse_zebra_hs(b"garbage" + stale + WEBZLP_HS).state is PrinterState.READY


def test_real_hqes_frame_is_head_open_and_paper_out() -> None:
    status = parse_zebra_hqes(WEBZLP_HQES)
    assert status.state is PrinterState.HEAD_OPEN
    assert status.problems == (PrinterState.HEAD_OPEN, PrinterState.PAPER_OUT)
    assert "media out" in status.message and "head open" in status.message
    with pytest.raises(PrinterError) as info:
        status.raise_for_problem("usb://0a5f:0166")
    assert info.value.kind is PrinterErrorKind.HEAD_OPEN and info.value.hint


def test_dymo_450_idle_byte_and_paper_out() -> None:
    assert parse_dymo450_status(b"\x03").state is PrinterState.READY  # idle per TECH_REVIEW
    assert parse_dymo450_status(b"\x03\x03\xa3").state is PrinterState.PAPER_OUT  # last wins
    assert parse_dymo450_status(b"\xc3").state is PrinterState.PAPER_JAM
    assert parse_dymo450_status(b"\x02").state is PrinterState.BUSY


def test_dymo_550_block_fields() -> None:
    block = build_dymo550_status(
        engine=Dymo550Engine.PRINTING, job_id=0x01020304, label_index=2, media_remaining=199
    )
    assert len(block) == 32 and block[0] == 1 and block[1:5] == b"\x04\x03\x02\x01"
    assert block[10] == 8 and block[27:29] == b"\xc7\x00"
    status = parse_dymo550_status(block)
    assert status.state is PrinterState.BUSY and status.media_remaining == 199
    assert status.detail("job_id") == str(0x01020304) and status.detail("label_index") == "2"


@pytest.mark.parametrize(
    ("bay", "state"),
    [
        (1, PrinterState.HEAD_OPEN),
        (2, PrinterState.PAPER_OUT),
        (5, PrinterState.PAPER_OUT),
        (7, PrinterState.READY),
        (9, PrinterState.PAPER_JAM),
        (10, PrinterState.MEDIA_NOT_SUPPORTED),
    ],
)
def test_dymo_550_media_bay(bay: int, state: PrinterState) -> None:
    assert parse_dymo550_status(build_dymo550_status(bay=bay)).state is state


def test_550_counterfeit_media_raises_unsupported_media() -> None:
    status = parse_dymo550_status(build_dymo550_status(bay=10))
    with pytest.raises(PrinterError) as info:
        status.raise_for_problem()
    assert info.value.kind is PrinterErrorKind.UNSUPPORTED_MEDIA
    assert "genuine" in info.value.hint


def test_epl_error_codes() -> None:
    assert parse_epl_error(b"00\r\n").state is PrinterState.READY
    waiting = parse_epl_error(b"07 P002\r\n")
    assert waiting.state is PrinterState.PAPER_OUT and waiting.labels_remaining == 2
    assert parse_epl_error(build_epl_error(11)).state is PrinterState.HEAD_OPEN


REPLY_CASES = [
    (model, state)
    for model in ("zd421-203", "lp2844", "dymo-4xl", "dymo-5xl")
    for state in (
        PrinterState.READY,
        PrinterState.PAPER_OUT,
        PrinterState.HEAD_OPEN,
        PrinterState.PAUSED,
        PrinterState.BUSY,
    )
    # DYMO printers have no pause; the 450-series status byte has no cover bit.
    if not (state is PrinterState.PAUSED and model.startswith("dymo"))
    and not (state is PrinterState.HEAD_OPEN and model == "dymo-4xl")
]


@pytest.mark.parametrize(("model_name", "state"), REPLY_CASES)
def test_emulator_replies_decode_to_the_state(model_name: str, state: PrinterState) -> None:
    model = get_model(model_name)
    assert status_query(model)  # every family has a query
    name = {"zd421-203": "~HS", "lp2844": "^ee"}.get(model_name, "ESC A")
    reply = status_reply(model, Command(name, (0,)), state, labels_remaining=0)
    assert reply_complete(model, reply)
    assert not reply_complete(model, reply[: max(0, len(reply) - 4)])
    assert parse_status(model, reply).state is state


def test_zebra_extended_query_round_trip() -> None:
    model = get_model("zd421-203")
    assert status_query(model, extended=True) == b"~HQES"
    reply = status_reply(model, Command("~HQ", ("ES",)), PrinterState.RIBBON_OUT)
    assert reply_complete(model, reply, extended=True)
    assert parse_status(model, reply).state is PrinterState.RIBBON_OUT


def test_offline_status() -> None:
    status = offline_status()
    assert status.state is PrinterState.OFFLINE and not status.ok
    with pytest.raises(PrinterError) as info:
        status.raise_for_problem()
    assert info.value.kind is PrinterErrorKind.TIMEOUT


def test_hqes_builder_round_trips() -> None:
    assert parse_zebra_hqes(build_zebra_hqes(errors=0x10000)).state is PrinterState.PAUSED


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80))
def test_status_decoders_never_crash(data: bytes) -> None:
    for model in (MODELS["zd421-203"], MODELS["lp2844"], MODELS["dymo-4xl"], MODELS["dymo-5xl"]):
        try:
            parse_status(model, data)
        except PrinterError as exc:
            assert exc.kind is PrinterErrorKind.PROTOCOL
