"""The Code 128 / GS1-128 encoder: every string it accepts scans back exactly."""

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from app.postage.sandbox.render_code128 import (
    FNC1,
    START_B,
    START_C,
    STOP,
    code128_bars,
    code128_codewords,
    code128_modules,
)

X = 3  # pixels per module for the test image


def scan(text: str, *, gs1: bool) -> list[tuple[bytes, str]]:
    modules = code128_modules(code128_codewords(text, gs1=gs1))
    image = Image.new("L", ((len(modules) + 20) * X, 60), 255)
    for start, width in code128_bars(text, gs1=gs1):
        image.paste(0, ((10 + start) * X, 5, (10 + start + width) * X, 55))
    return [(r.bytes, r.symbology_identifier) for r in zxingcpp.read_barcodes(image)]


def test_impb_element_string_is_all_code_c() -> None:
    words = code128_codewords("42063118\x1d9202290109769900000018", gs1=True)
    assert words[:2] == [START_C, FNC1]
    assert words[2:6] == [42, 6, 31, 18]
    assert words[6] == FNC1
    assert words[-1] == STOP
    assert len(words) == 2 + 4 + 1 + 11 + 2  # start, FNC1, 4 pairs, FNC1, 11 pairs, check, stop


def test_known_check_value() -> None:
    # Start B 104 + P 48x1 + J 42x2 + J 42x3 + 1 17x4 + 2 18x5 + 3 19x6 + C 35x7 = 879;
    # 879 mod 103 = 55. (The digit run is 3 long, too short for Code C.)
    words = code128_codewords("PJJ123C")
    assert words == [START_B, 48, 42, 42, 17, 18, 19, 35, 55, STOP]


def test_modules_start_and_end_like_code_128() -> None:
    modules = code128_modules(code128_codewords("1234"))
    assert modules.startswith("11010011100")  # Start C
    assert modules.endswith("1100011101011")  # Stop with its final bar
    assert len(modules) == 11 * 4 + 13


@pytest.mark.parametrize("bad", ["\t", "é", "\x7f"])
def test_refuses_what_code_set_b_cannot_carry(bad: str) -> None:
    with pytest.raises(ValueError, match="cannot encode"):
        code128_codewords(f"AB{bad}")


printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=30)
gs1_strings = st.lists(st.text("0123456789", min_size=1, max_size=20), min_size=1, max_size=3).map(
    "\x1d".join
)


@settings(max_examples=60, deadline=None)
@given(printable)
def test_any_printable_ascii_scans_back(text: str) -> None:
    assert scan(text, gs1=False) == [(text.encode(), "]C0")]


@settings(max_examples=60, deadline=None)
@given(gs1_strings)
def test_gs1_digit_strings_scan_back_with_gs_separators(text: str) -> None:
    ((data, symbology),) = scan(text, gs1=True)
    assert symbology == "]C1"
    assert data == text.encode()
