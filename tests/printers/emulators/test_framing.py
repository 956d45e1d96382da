"""The emulator's framers find job ends and status queries however the bytes are split."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from printers.emulators.framing import (
    Dymo550Framer,
    DymoLwFramer,
    Epl2Framer,
    Event,
    Framer,
    JobBytes,
    StatusQuery,
    ZplFramer,
)

ESC = b"\x1b"


def feed_in_pieces(framer: Framer, data: bytes, cuts: list[int]) -> list[Event]:
    events: list[Event] = []
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    for start, end in itertools.pairwise(points):
        events += framer.feed(data[start:end])
    return events


ZPL = (
    b"~HS^XA^PW812^FO0,0^GFA,4,4,2,:Z64:eJwLAAAA:1234^FS^XZ\r\n"
    b"^XA^FO10,10^GFA,2,2,1,FF^FS~HQES^PQ2^XZ"
)
# The raster payloads below contain the bytes of ESC A, ESC E and ESC Q on purpose.
DYMO_550 = (
    b"\x1bA\x01\x1bs\x01\x00\x00\x00\x1bC\x64\x1bh\x1bn\x01\x00"
    + b"\x1bD\x01\x02\x02\x00\x00\x00\x10\x00\x00\x00"
    + b"\x1bQ\x1bA"  # 4 bytes of data that look like ESC Q and ESC A
    + b"\x1bG\x1bA\x00\x1bE\x1bQ"
)
EPL = b"\nN\nq812\nQ1218,24\nGW0,0,2,2,P1\n\n^ee\nGW10,0,1,1,\x0a\nP1\n"


def test_zpl_jobs_and_queries() -> None:
    events = ZplFramer().feed(ZPL)
    assert [type(e).__name__ for e in events] == [
        "StatusQuery",
        "JobBytes",
        "StatusQuery",
        "JobBytes",
    ]
    assert events[0] == StatusQuery(b"~HS")
    assert events[2] == StatusQuery(b"~HQES")
    first = events[1]
    assert isinstance(first, JobBytes)
    assert first.data.startswith(b"^XA") and first.data.endswith(b"^XZ")


def test_dymo_lw_skips_raster_that_looks_like_commands() -> None:
    # ESC D 3 = 24 dots per line; the SYN data and the trailing bytes look like ESC A / ESC E.
    stream = (
        ESC * 90
        + b"\x1b@\x1bD\x03"
        + b"\x16\x1bA\x1b"
        + b"\x1bA"
        + b"\x17\x8f\x07"  # 16 black + 8 white = 24 dots
        + b"\x1bG\x16\x1bE\x00\x1bE"
    )
    events = DymoLwFramer().feed(stream)
    assert events[0] == StatusQuery(b"\x1bA")
    assert isinstance(events[1], JobBytes)
    assert len(events) == 2
    assert events[1].data.endswith(b"\x16\x1bE\x00\x1bE")


def test_dymo_550_block_data_is_skipped() -> None:
    events = Dymo550Framer().feed(DYMO_550)
    assert events[0] == StatusQuery(b"\x1bA\x01")
    assert events[1] == StatusQuery(b"\x1bA\x00")
    assert isinstance(events[2], JobBytes)
    assert events[2].data.endswith(b"\x1bE\x1bQ")
    assert len(events) == 3


def test_epl_gw_payload_may_hold_newlines_and_p() -> None:
    events = Epl2Framer().feed(EPL)
    assert events[0] == StatusQuery(b"^ee")
    job = events[1]
    assert isinstance(job, JobBytes)
    assert job.data.endswith(b"P1\n")
    assert len(events) == 2


def test_partial_job_is_reported_and_reset_forgets_it() -> None:
    framer = ZplFramer()
    assert framer.feed(b"^XA^FO0,0") == []
    assert framer.partial
    framer.reset()
    assert not framer.partial
    assert framer.feed(b"\r\n") == []
    assert not framer.partial  # whitespace between jobs is not a job


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(0, 400), max_size=12))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    dymo_lw = ESC * 90 + b"\x1b@\x1bD\x03\x16\x1bA\x1b\x1bA\x17\x8f\x07\x1bG\x16\x1bE\x00\x1bE"
    for make, data in (
        (ZplFramer, ZPL),
        (Epl2Framer, EPL),
        (DymoLwFramer, dymo_lw),
        (Dymo550Framer, DYMO_550),
    ):
        assert feed_in_pieces(make(), data, cuts) == make().feed(data)


@settings(max_examples=40, deadline=None)
@given(
    family=st.sampled_from(["zd421-203", "lp2844", "dymo-4xl", "dymo-5xl"]),
    seed=st.integers(0, 2**32 - 1),
    copies=st.integers(1, 3),
    cuts=st.lists(st.integers(0, 1 << 20), max_size=8),
)
def test_framers_agree_with_the_encoders(
    family: str, seed: int, copies: int, cuts: list[int]
) -> None:
    """Whatever bitmap P1's encoders turn into bytes, the framer finds exactly one job, with
    the status queries (DYMO 550 lock/status) taken out and every other byte kept."""
    import numpy as np

    from printers.emulators.framing import framer_for
    from printers.imaging import Bitmap
    from printers.models import get_model
    from printers.pipeline import encode_page

    model = get_model(family)
    rng = np.random.default_rng(seed)
    black = np.zeros((model.page_height_dots, model.page_width_dots), dtype=bool)
    h, w = int(rng.integers(1, 60)), int(rng.integers(1, 200))
    y, x = int(rng.integers(0, black.shape[0] - h)), int(rng.integers(0, black.shape[1] - w))
    black[y : y + h, x : x + w] = rng.random((h, w)) < 0.5
    data = encode_page(Bitmap.from_array(black), model, copies)
    events = feed_in_pieces(framer_for(model.family), data, cuts)
    jobs = [e for e in events if isinstance(e, JobBytes)]
    queries = [e.command for e in events if isinstance(e, StatusQuery)]
    assert len(jobs) == 1
    if family == "dymo-5xl":
        assert queries == [b"\x1bA\x01", b"\x1bA\x00"]
        assert (
            jobs[0].data
            == data.replace(b"\x1bA\x01", b"", 1)[::-1].replace(b"\x00A\x1b", b"", 1)[::-1]
        )
    else:
        assert queries == []
        assert jobs[0].data.strip() == data.strip()
