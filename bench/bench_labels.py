"""Label rendering speed: how long the sandbox spends drawing one label at buy time.

Prints per-format median and p95 over N labels (distinct tracking numbers and addresses),
and the ratio against encoding a bare 1200x1800 1-bit PNG measured in the same run.
Run: .venv/bin/python bench/bench_labels.py [N]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from datetime import date, datetime
from decimal import Decimal

from PIL import Image

from app.domain.tracking import make_s10_tracking_number, make_usps_tracking_number, parse_scan
from app.postage.sandbox.label_data import LabelAddress, LabelCustomsItem, LabelData
from app.postage.sandbox.labels import render_customs_form, render_label, render_scan_form_pdf

FROM = LabelAddress("Packdesk Fulfilment", "388 Townsend St", "San Francisco", "CA", "94107", "US")


def label(n: int, international: bool = False) -> LabelData:
    if international:
        to = LabelAddress(f"Backer {n}", f"{n} Rue de Rivoli", "Paris", "", "75001", "FR")
        items = (LabelCustomsItem("Board game", 1, Decimal("59.99"), Decimal(48), "9504.90", "CN"),)
        tracking = make_s10_tracking_number(n)
    else:
        to = LabelAddress(f"Backer {n}", f"{n} Main St", "Saint Louis", "MO", "63118-2628", "US")
        items = ()
        tracking = make_usps_tracking_number(n)
    return LabelData(
        FROM, to, "GroundAdvantage", Decimal(20 + n % 50), tracking, date(2026, 11, 25),
        reference=f"ORDER-{n}", shipment_id=f"shp_{n:032x}", customs_items=items,
        customs_signer="Jane Packer",
    )  # fmt: skip


def measure(fn: object, count: int) -> tuple[float, float]:
    times = []
    for n in range(count):
        start = time.perf_counter()
        fn(n)  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    render_label(label(0), "PNG")  # load fonts once, as a running sandbox has

    def bare_png(_: int) -> None:
        Image.new("1", (1200, 1800), 1).save(io.BytesIO(), format="PNG", compress_level=1)

    ref_median, _ = measure(bare_png, count)
    print(f"reference: blank 1200x1800 1-bit PNG encode  median {ref_median:.2f} ms")
    for fmt in ("PNG", "PDF", "ZPL", "EPL2"):
        median, p95 = measure(lambda n, f=fmt: render_label(label(n), f), count)  # type: ignore[misc]
        print(f"render_label {fmt:<4} median {median:6.2f} ms  p95 {p95:6.2f} ms  "
              f"({median / ref_median:5.1f}x reference)")  # fmt: skip
    median, p95 = measure(lambda n: render_customs_form(label(n, True), "PNG"), count)
    print(f"render_customs_form PNG median {median:6.2f} ms  p95 {p95:6.2f} ms")
    codes = [make_usps_tracking_number(n) for n in range(200)]
    median, p95 = measure(
        lambda _: render_scan_form_pdf("sf_0", FROM, codes, datetime(2026, 11, 25)), 20
    )
    print(f"render_scan_form_pdf 200 pieces median {median:6.2f} ms  p95 {p95:6.2f} ms")
    scans = [f"]C142063118\x1d{c}\r\n" for c in codes]
    start = time.perf_counter()
    for _ in range(50):
        for scan in scans:
            parse_scan(scan)
    per_scan_us = (time.perf_counter() - start) / (50 * len(scans)) * 1e6
    print(f"parse_scan: {per_scan_us:.1f} us per scan")


if __name__ == "__main__":
    main()
