"""Code 128 / GS1-128 reader for label bitmaps: the encoder's inverse, no external decoder.

It reads straight scan lines, as a handheld laser scanner does: each row's bar and space runs
are matched symbol by symbol (every symbol is normalised by its own 11-module width, so any
whole or fractional module size reads), and a symbol counts only with a valid check value.
The self-test uses it to prove a bought label scans, because zxing-cpp is a test dependency.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from app.postage.sandbox.render_code128 import _PATTERNS, FNC1, GS, STOP

_SYMBOLS = {pattern: value for value, pattern in enumerate(_PATTERNS[:STOP])}
_START_A, _START_B, _START_C = 103, 104, 105
_CODE_A_IN_B, _CODE_B, _CODE_C, _SHIFT = 101, 100, 99, 98
_STOP_PATTERN = _PATTERNS[STOP]
_MIN_RUNS = 6 * 3 + 7  # start, one data symbol, check, stop


@dataclass(frozen=True, slots=True)
class Code128Symbol:
    """One decoded symbol: its text (FNC1 separators as GS) and whether it is GS1-128."""

    text: str
    gs1: bool


def read_code128(image: Image.Image, *, row_step: int = 3) -> list[Code128Symbol]:
    """Every distinct Code 128 symbol found on horizontal scan lines, top to bottom."""
    black = np.asarray(image.convert("L"), dtype=np.uint8) < 128
    found: list[Code128Symbol] = []
    for y in range(0, black.shape[0], max(1, row_step)):
        for symbol in _read_row(black[y]):
            if symbol not in found:
                found.append(symbol)
    return found


def _runs(row: NDArray[np.bool_]) -> tuple[list[int], bool]:
    """Run lengths of a row and whether the first run is a bar."""
    edges = np.flatnonzero(row[1:] != row[:-1]) + 1
    bounds = np.concatenate(([0], edges, [row.size]))
    return np.diff(bounds).tolist(), bool(row[0])


def _read_row(row: NDArray[np.bool_]) -> list[Code128Symbol]:
    runs, first_is_bar = _runs(row)
    if len(runs) < _MIN_RUNS:
        return []
    found: list[Code128Symbol] = []
    # Bars sit at even indices when the row starts with a bar, at odd ones otherwise.
    for start in range(0 if first_is_bar else 1, len(runs) - _MIN_RUNS + 1, 2):
        if _symbol_at(runs, start) in (_START_A, _START_B, _START_C):
            symbol = _decode_from(runs, start)
            if symbol is not None:
                found.append(symbol)
    return found


def _pattern(widths: list[int], modules: int) -> str:
    """Widths normalised to whole modules (as a pattern string), '' when they cannot be."""
    total = sum(widths)
    if total == 0:
        return ""
    out = []
    for width in widths:
        units = round(width * modules / total)
        if not 1 <= units <= 4:
            return ""
        out.append(str(units))
    text = "".join(out)
    return text if sum(map(int, text)) == modules else ""


def _symbol_at(runs: list[int], index: int) -> int | None:
    return _SYMBOLS.get(_pattern(runs[index : index + 6], 11)) if index + 6 <= len(runs) else None


def _decode_from(runs: list[int], start: int) -> Code128Symbol | None:
    """The symbol starting at run `start` (a start code), or None when it does not check."""
    values: list[int] = []
    index = start
    while index + 7 <= len(runs):
        if _pattern(runs[index : index + 7], 13) == _STOP_PATTERN:
            return _interpret(values)
        value = _symbol_at(runs, index)
        if value is None:
            return None
        values.append(value)
        index += 6
    return None


def _interpret(values: list[int]) -> Code128Symbol | None:
    if len(values) < 3:
        return None
    *body, check = values
    weighted = body[0] + sum(pos * value for pos, value in enumerate(body[1:], start=1))
    if weighted % 103 != check:
        return None
    code_set = {_START_A: "A", _START_B: "B", _START_C: "C"}[body[0]]
    data = body[1:]
    gs1 = bool(data) and data[0] == FNC1
    if gs1:
        data = data[1:]
    text: list[str] = []
    shift = False
    for value in data:
        current = ("B" if code_set == "A" else "A") if shift else code_set
        shift = False
        if value == FNC1:
            text.append(GS)
        elif current == "C":
            if value < 100:
                text.append(f"{value:02d}")
            else:
                code_set = "B" if value == _CODE_B else "A"
        elif value < 96:
            text.append(chr(value + 32) if current == "B" or value < 64 else chr(value - 64))
        elif value == _CODE_C:
            code_set = "C"
        elif value == _SHIFT:
            shift = True
        elif (current, value) in (("A", _CODE_B), ("B", _CODE_A_IN_B)):
            code_set = "B" if current == "A" else "A"
        # FNC2, FNC3 and FNC4 carry no text of their own
    return Code128Symbol("".join(text), gs1)
