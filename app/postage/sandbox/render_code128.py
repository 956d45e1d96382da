"""Code 128 / GS1-128 encoder: text -> codewords -> bar modules, exact and dependency-free."""

from __future__ import annotations

# Bar/space widths of the 107 Code 128 symbols (value 0..105, then 106 = stop with its final bar).
_PATTERNS = (
    "212222",
    "222122",
    "222221",
    "121223",
    "121322",
    "131222",
    "122213",
    "122312",
    "132212",
    "221213",
    "221312",
    "231212",
    "112232",
    "122132",
    "122231",
    "113222",
    "123122",
    "123221",
    "223211",
    "221132",
    "221231",
    "213212",
    "223112",
    "312131",
    "311222",
    "321122",
    "321221",
    "312212",
    "322112",
    "322211",
    "212123",
    "212321",
    "232121",
    "111323",
    "131123",
    "131321",
    "112313",
    "132113",
    "132311",
    "211313",
    "231113",
    "231311",
    "112133",
    "112331",
    "132131",
    "113123",
    "113321",
    "133121",
    "313121",
    "211331",
    "231131",
    "213113",
    "213311",
    "213131",
    "311123",
    "311321",
    "331121",
    "312113",
    "312311",
    "332111",
    "314111",
    "221411",
    "431111",
    "111224",
    "111422",
    "121124",
    "121421",
    "141122",
    "141221",
    "112214",
    "112412",
    "122114",
    "122411",
    "142112",
    "142211",
    "241211",
    "221114",
    "413111",
    "241112",
    "134111",
    "111242",
    "121142",
    "121241",
    "114212",
    "124112",
    "124211",
    "411212",
    "421112",
    "421211",
    "212141",
    "214121",
    "412121",
    "111143",
    "111341",
    "131141",
    "114113",
    "114311",
    "411113",
    "411311",
    "113141",
    "114131",
    "311141",
    "411131",
    "211412",
    "211214",
    "211232",
    "2331112",
)

START_B, START_C, CODE_B, CODE_C, FNC1, STOP = 104, 105, 100, 99, 102, 106
GS = "\x1d"  # stands for FNC1 inside a GS1 element string
QUIET_ZONE_MODULES = 10  # GS1-128 asks for at least 10 X on each side


def _digit_run(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end].isdigit() and text[end].isascii():
        end += 1
    return end - start


def code128_codewords(text: str, *, gs1: bool = False) -> list[int]:
    """Codewords (start .. check, stop) for `text`.

    With `gs1`, a leading FNC1 marks the symbol as GS1-128 and each GS in `text` becomes an
    FNC1 separator. Digit runs of 4 or more go in Code Set C (2 digits per symbol), the rest
    in Code Set B. Raises ValueError for characters Code Set B cannot carry.
    """
    for ch in text:
        if ch == GS and gs1:
            continue
        if not 32 <= ord(ch) <= 126:
            raise ValueError(f"Code 128 set B cannot encode {ch!r} in {text!r}")
    run = _digit_run(text, 0)
    code_c = run >= 4 or (run == len(text) and run % 2 == 0 and run > 0)
    words = [START_C if code_c else START_B]
    if gs1:
        words.append(FNC1)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == GS and gs1:
            words.append(FNC1)
            i += 1
            continue
        run = _digit_run(text, i)
        if code_c:
            if run >= 2:
                words.append(int(text[i : i + 2]))
                i += 2
                continue
            words.append(CODE_B)
            code_c = False
            continue
        if run >= 4:
            if run % 2:  # odd run: one digit in set B keeps the rest in pairs
                words.append(ord(ch) - 32)
                i += 1
            words.append(CODE_C)
            code_c = True
            continue
        words.append(ord(ch) - 32)
        i += 1
    check = (words[0] + sum(pos * w for pos, w in enumerate(words[1:], start=1))) % 103
    return [*words, check, STOP]


def code128_modules(codewords: list[int]) -> str:
    """The symbol as a string of modules, 1 = bar, 0 = space, without quiet zones."""
    out: list[str] = []
    for word in codewords:
        for n, width in enumerate(_PATTERNS[word]):
            out.append(("1" if n % 2 == 0 else "0") * int(width))
    return "".join(out)


def code128_bars(text: str, *, gs1: bool = False) -> list[tuple[int, int]]:
    """Bars as (start module, width in modules), for drawing as rectangles."""
    modules = code128_modules(code128_codewords(text, gs1=gs1))
    bars: list[tuple[int, int]] = []
    start = -1
    for pos, module in enumerate(modules + "0"):
        if module == "1" and start < 0:
            start = pos
        elif module == "0" and start >= 0:
            bars.append((start, pos - start))
            start = -1
    return bars


def code128_width_modules(text: str, *, gs1: bool = False) -> int:
    """Width of the symbol in modules (11 per symbol, 13 for stop), without quiet zones."""
    return len(code128_modules(code128_codewords(text, gs1=gs1)))
