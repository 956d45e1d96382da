"""Every decoder gives the same job whether the bytes arrive at once or in random chunks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from printers.imaging import Bitmap
from printers.models import get_model
from printers.pipeline import decode_job, encode_page, stream_decoder

MODELS = ["zd421-203", "zpl-203", "lp2844-z", "lp2844", "dymo-4xl", "dymo-5xl"]


@pytest.mark.parametrize("model_name", MODELS)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 5000), max_size=30))
def test_chunked_feed_equals_whole_decode(model_name: str, seed: int, cuts: list[int]) -> None:
    model = get_model(model_name)
    rng = np.random.default_rng(seed)
    black = np.zeros((model.page_height_dots, model.page_width_dots), dtype=bool)
    top = int(rng.integers(0, model.page_height_dots - 40))
    black[top : top + 40, 16:400] = rng.random((40, 384)) < 0.4
    data = encode_page(Bitmap.from_array(black), model, copies=2)
    whole = decode_job(data, model)
    decoder = stream_decoder(model)
    position = 0
    for cut in cuts:
        decoder.feed(data[position : position + cut])
        position += cut
    decoder.feed(data[position:])
    chunked = decoder.finish()
    assert chunked.pages == whole.pages
    assert [(c.name, c.args) for c in chunked.commands] == [
        (c.name, c.args) for c in whole.commands
    ]
    assert whole.label_count == 2


@pytest.mark.parametrize("model_name", MODELS)
def test_a_complete_job_yields_its_label_before_finish(model_name: str) -> None:
    model = get_model(model_name)
    black = np.zeros((model.page_height_dots, model.page_width_dots), dtype=bool)
    black[10:20, 16:80] = True
    decoder = stream_decoder(model)
    decoder.feed(encode_page(Bitmap.from_array(black), model))
    assert len(decoder.pages) == 1  # the emulator can print it without waiting for more
