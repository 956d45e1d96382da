"""Label encoding speed: PNG -> printer bytes per family, against zebrafy and CUPS rastertolabel.

Run: .venv/bin/python bench/bench_encode.py [--runs N]. Prints figures, asserts nothing.
zebrafy comes with the `bench` extra; rastertolabel and ppdc come from Debian's `cups` and
`cups-ppdc` packages (the DYMO and Zebra ZPL PPDs are compiled from CUPS's sample.drv).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from printers.imaging import RasterLabel, load_label
from printers.models import get_model
from printers.pipeline import decode_job, encode_label, encode_page, page_bitmap
from tests.printers.corpus.make_corpus import make_corpus

RASTERTOLABEL = Path("/usr/lib/cups/filter/rastertolabel")
SAMPLE_DRV = Path("/usr/share/cups/drv/sample.drv")
GF_LIMIT = 99_999


def timed(func: Callable[[], object], runs: int) -> tuple[float, object]:
    """Median wall time in ms over `runs` calls (after one warm-up) and the last result."""
    result = func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def timed_pair(
    first: Callable[[], object], second: Callable[[], object], runs: int
) -> tuple[float, float]:
    """Median ms of two functions timed alternately, so machine load hits both alike."""
    first()
    second()
    a, b = [], []
    for _ in range(runs):
        start = time.perf_counter()
        first()
        middle = time.perf_counter()
        second()
        a.append((middle - start) * 1000)
        b.append((time.perf_counter() - middle) * 1000)
    return statistics.median(a), statistics.median(b)


def gf_sizes(zpl: bytes) -> list[int]:
    """Every ^GF b and c value in a ZPL job."""
    sizes = []
    for b, c in re.findall(rb"\^GF[ABC],(\d+),(\d+),", zpl):
        sizes += [int(b), int(c)]
    return sizes


def cups_raster(packed: bytes, width: int, height: int, dpi: int) -> bytes:
    """A one-page CUPS raster v3 (uncompressed) stream: sync word, 1796-byte header, rows."""
    header = bytearray(1796)
    struct.pack_into("<2I", header, 276, dpi, dpi)  # HWResolution
    struct.pack_into("<I", header, 340, 1)  # NumCopies
    struct.pack_into("<2I", header, 352, round(width * 72 / dpi), round(height * 72 / dpi))
    # cupsWidth, Height, MediaType, BitsPerColor, BitsPerPixel, BytesPerLine, ColorOrder,
    # ColorSpace (3 = K, 1 = black), Compression, RowCount, RowFeed, RowStep, NumColors
    struct.pack_into(
        "<13I", header, 372, width, height, 0, 1, 1, (width + 7) // 8, 0, 3, 0, 0, 0, 0, 1
    )
    return struct.pack("<I", 0x52615333) + bytes(header) + packed


def compile_ppds(out: Path) -> dict[str, Path]:
    subprocess.run(["ppdc", "-d", str(out), str(SAMPLE_DRV)], check=True, capture_output=True)
    return {"dymo": out / "dymo.ppd", "zebra": out / "zebra.ppd"}


def run_rastertolabel(raster: bytes, ppd: Path) -> bytes:
    result = subprocess.run(
        [str(RASTERTOLABEL), "1", "bench", "label", "1", ""],
        input=raster,
        capture_output=True,
        env={"PPD": str(ppd)},
        check=True,
    )
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    runs = args.runs
    rows: list[tuple[str, float, int, str]] = []
    ppd_dir = Path(tempfile.mkdtemp(prefix="bench-ppd-"))
    dymo_ppd = ppd_dir / "dymo.ppd"
    with tempfile.TemporaryDirectory() as tmp:
        corpus = make_corpus(Path(tmp) / "corpus")
        png203 = corpus["usps_203.png"].path.read_bytes()
        png300 = corpus["usps_300.png"].path.read_bytes()

        def ours(model_name: str, png: bytes) -> tuple[float, bytes]:
            model = get_model(model_name)
            ms, out = timed(lambda: encode_label(load_label(png, model), model), runs)
            assert isinstance(out, bytes)
            decode_job(out, model)  # printer-valid: our strict decoder accepts it
            return ms, out

        cases = [
            ("ZPL 203 Z64 (zd421-203)", "zd421-203", png203),
            ("ZPL 203 ACS (zpl-203)", "zpl-203", png203),
            ("ZPL 203 ~DG ACS (lp2844-z)", "lp2844-z", png203),
            ("ZPL 203 Z64 from a 300-dpi PNG", "zd421-203", png300),
            ("ZPL 300 Z64 (zd421-300)", "zd421-300", png300),
            ("ZPL 300 ACS (zpl-300)", "zpl-300", png300),
            ("EPL2 GW (lp2844)", "lp2844", png203),
            ("DYMO 450 raster (dymo-4xl)", "dymo-4xl", png300),
            ("DYMO 550 (dymo-5xl)", "dymo-5xl", png300),
        ]
        results: dict[str, tuple[float, bytes]] = {}
        for title, model_name, png in cases:
            ms, out = ours(model_name, png)
            results[title] = (ms, out)
            note = ""
            if model_name.startswith(("zd", "zpl", "lp2844-z")) and gf_sizes(out):
                note = f"max ^GF b/c {max(gf_sizes(out))}"
            rows.append((f"packdesk  {title}", ms, len(out), note))

        # Encoding alone (bitmap already thresholded and placed).
        for model_name, png in (("zd421-203", png203), ("dymo-4xl", png300)):
            model = get_model(model_name)
            label = load_label(png, model)
            assert isinstance(label, RasterLabel)
            page = page_bitmap(label, model)
            ms, out = timed(lambda m=model, p=page: encode_page(p, m), runs)  # type: ignore[misc]
            assert isinstance(out, bytes)
            rows.append((f"packdesk  encode only, {model_name} page", ms, len(out), ""))

        zebrafy_ms: float | None = None
        try:
            from zebrafy import ZebrafyImage
        except ImportError:
            print("zebrafy not installed: pip install -e '.[bench]'")
        else:
            variants = [
                ("zebrafy 2.0 default (ASCII hex, dithered)", {}),
                ("zebrafy 2.0 ASCII hex, no dither", {"dither": False}),
                (
                    "zebrafy 2.0 ASCII_COMPRESSED, no dither",
                    {"format": "ASCII_COMPRESSED", "dither": False},
                ),
                ("zebrafy 2.0 Z64, no dither", {"format": "Z64", "dither": False}),
            ]
            for title, options in variants:
                ms, text = timed(lambda o=options: ZebrafyImage(png203, **o).to_zpl(), runs)  # type: ignore[misc]
                assert isinstance(text, str)
                zpl = text.encode()
                biggest = max(gf_sizes(zpl))
                valid = "VALID" if biggest <= GF_LIMIT else "INVALID: ^GF over 99,999"
                rows.append((title, ms, len(zpl), f"max ^GF b/c {biggest} {valid}"))
                if not options:
                    zebrafy_ms = ms

        cups_ms: float | None = None
        if RASTERTOLABEL.exists() and shutil.which("ppdc"):
            ppds = compile_ppds(ppd_dir)
            dymo_ppd = ppds["dymo"]
            for name, model_name, png, ppd in (
                ("dymo-4xl", "dymo-4xl", png300, ppds["dymo"]),
                ("zebra ZPL 203", "zd421-203", png203, ppds["zebra"]),
            ):
                model = get_model(model_name)
                label = load_label(png, model)
                assert isinstance(label, RasterLabel)
                bitmap = label.bitmap
                raster = cups_raster(bitmap.data, bitmap.width, bitmap.height, model.dpi)
                ms, out = timed(lambda r=raster, p=ppd: run_rastertolabel(r, p), runs)  # type: ignore[misc]
                assert isinstance(out, bytes)
                rows.append(
                    (f"CUPS rastertolabel {name} (raster in, process incl.)", ms, len(out), "")
                )
                if name == "dymo-4xl":
                    cups_ms = ms
        else:
            print("rastertolabel/ppdc missing: apt-get install cups cups-ppdc")

    width = max(len(r[0]) for r in rows)
    print(f"{'encoding':{width}}  {'ms/label':>9}  {'bytes/label':>11}  notes")
    for title, ms, size, note in rows:
        print(f"{title:{width}}  {ms:9.2f}  {size:11,d}  {note}")
    print()
    print("Paired (alternating runs, same machine load):")
    for model_name in ("zd421-203", "zpl-203"):
        model = get_model(model_name)
        if zebrafy_ms is None:
            break
        ours_ms, ref_ms = timed_pair(
            lambda m=model: encode_label(load_label(png203, m), m),  # type: ignore[misc]
            lambda: ZebrafyImage(png203).to_zpl(),
            runs,
        )
        print(
            f"  {model_name} PNG->ZPL {ours_ms:.2f} ms vs zebrafy default {ref_ms:.2f} ms: "
            f"ratio {ours_ms / ref_ms:.2f} (target <= 1)"
        )
    if cups_ms is not None:
        model = get_model("dymo-4xl")
        label = load_label(png300, model)
        assert isinstance(label, RasterLabel)
        raster = cups_raster(label.bitmap.data, label.bitmap.width, label.bitmap.height, 300)
        ours_ms, ref_ms = timed_pair(
            lambda: encode_label(load_label(png300, model), model),
            lambda: run_rastertolabel(raster, dymo_ppd),
            runs,
        )
        print(
            f"  dymo-4xl PNG->bytes {ours_ms:.2f} ms vs rastertolabel (raster->bytes) "
            f"{ref_ms:.2f} ms: ratio {ours_ms / ref_ms:.2f} (target <= 2)"
        )
    shutil.rmtree(ppd_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
