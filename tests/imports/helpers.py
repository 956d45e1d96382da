"""Shared helpers for import tests: write files, check that every data row is accounted for."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from app.imports import ParsedOrders


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> Path:
    """Write a CSV through the csv module (quotes and embedded newlines done right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def assert_every_row_accounted(parsed: ParsedOrders) -> None:
    """Orders (with their continuation rows), rejected rows and skipped rows cover every data row
    exactly once."""
    rejected = set(parsed.rejected_row_numbers)
    skipped = [skip.row for skip in parsed.skipped]
    assert len(skipped) == len(set(skipped)), "a row was skipped twice"
    first_rows = set(parsed.order_rows.values())
    assert not rejected & set(skipped), "a row is both rejected and skipped"
    assert not first_rows & (rejected | set(skipped)), "an imported row is also rejected/skipped"
    order_rows = sum(parsed.order_row_counts.get(o.external_id, 1) for o in parsed.orders)
    assert order_rows + len(rejected) + len(skipped) == parsed.rows_read
    assert set(parsed.rejected_rows) == rejected
