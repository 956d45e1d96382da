"""Every committed sample file reads as its manifest says: the orders, and exactly the planted bad
rows rejected and the planted pledges skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.imports import read_order_file

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
EXPECTED: dict[str, dict[str, object]] = json.loads(
    (SAMPLES / "expected.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_reads_with_exactly_the_planted_bad_rows(name: str) -> None:
    expected = EXPECTED[name]
    mapping = expected.get("mapping")
    parsed = read_order_file(
        SAMPLES / name, mapping_path=SAMPLES / str(mapping) if mapping else None
    )
    assert parsed.preset == expected["preset"]
    assert len(parsed.orders) == expected["orders"]
    assert list(parsed.rejected_row_numbers) == expected["rejected_rows"]
    assert [skip.row for skip in parsed.skipped] == expected["skipped_rows"]
    assert len({o.external_id for o in parsed.orders}) == len(parsed.orders)


def test_samples_are_realistic_mixes() -> None:
    parsed = read_order_file(SAMPLES / "kickstarter_backer_report.csv")
    countries = {order.recipient.country for order in parsed.orders}
    assert {"US", "CA", "GB", "DE", "AU", "JP"} <= countries
    assert any(len(order.lines) >= 4 for order in parsed.orders)
    assert any(not order.recipient.name.isascii() for order in parsed.orders)
    skus = {item.sku for item in parsed.items}
    assert {"ART-BOOK-HARDCOVER", "NEOPRENE-PLAYMAT", "LANTERNS-OF-THE-DEEP-CORE-GAME"} <= skus
    # Files only: running the demo (or the GUI bench) with bytecode writes leaves __pycache__ here.
    assert all(len(p.read_bytes()) < 500_000 for p in SAMPLES.iterdir() if p.is_file())


def test_generator_is_deterministic(tmp_path: Path) -> None:
    from resources.samples.generate import generate_all

    generate_all(tmp_path)
    for name in [*EXPECTED, "generic_3pl_mapping.json"]:
        assert (tmp_path / name).read_bytes() == (SAMPLES / name).read_bytes(), name
    assert json.loads((tmp_path / "expected.json").read_text(encoding="utf-8")) == EXPECTED
