"""Packing slips: a page per order, names in any script, a barcode the scan station opens."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from app.cli.main import main
from app.domain.errors import AppError
from app.domain.orders import OrderStatus
from app.domain.slips import SlipDecor
from app.domain.tracking import ScanKind, parse_scan
from app.services.slips import PackingSlipService, slip_decor
from tests.documents.pdf_reading import (
    barcodes,
    compact,
    page_sizes_in,
    page_texts,
    render_page,
)
from tests.documents.world import (  # noqa: F401
    ARABIC_NAME,
    JAPANESE_NAME,
    LONG_STREET,
    DocWorld,
    standard_orders,
    world,
)


@pytest.fixture
def batch(world: DocWorld) -> str:  # noqa: F811
    world.add_orders(standard_orders(), OrderStatus.READY_TO_SHIP)
    reference = world.batch()
    for external_id in ("1001", "1002", "1003"):
        world.label(external_id, batch=reference)
    return reference


def test_one_page_per_order_of_the_batch_with_recipient_items_and_note(
    world: DocWorld,  # noqa: F811
    batch: str,
) -> None:
    logo = world.tmp / "logo.png"
    Image.new("RGB", (300, 100), (20, 20, 120)).save(logo)
    service = PackingSlipService(world.store, lambda: SlipDecor(str(logo), "Thanks for backing!"))
    target = world.tmp / "slips.pdf"
    assert service.write(target, batch=batch) == 3
    assert page_sizes_in(target) == [(8.5, 11.0)] * 3
    texts = page_texts(target)
    assert "Order 1001" in texts[0] and compact(JAPANESE_NAME) in compact(texts[0])
    assert "Order 1003" in texts[2]
    assert compact(LONG_STREET) in compact(texts[2])  # wrapped or not, all of it is there
    assert "TEE-M" in texts[2] and "Enamel pin" in texts[2]
    assert all("Thanks for backing!" in text for text in texts)


def test_each_slip_barcode_scans_as_its_order(world: DocWorld, batch: str) -> None:  # noqa: F811
    target = world.tmp / "slips.pdf"
    PackingSlipService(world.store).write(target, batch=batch, paper="4x6")
    assert page_sizes_in(target) == [(4.0, 6.0)] * 3
    for index, external_id in enumerate(("1001", "1002", "1003")):
        found = barcodes(render_page(target, index))
        assert len(found) == 1, found
        scanned = parse_scan(found[0][1])
        assert scanned.kind is ScanKind.ORDER
        assert scanned.order_ref == str(world.ids[external_id])


def test_group_slips_cover_orders_still_to_pack(world: DocWorld) -> None:  # noqa: F811
    world.add_orders(standard_orders(), OrderStatus.READY_TO_SHIP)
    with world.store.transaction() as tx:
        group = tx.orders.group_of(world.ids["1004"])
    assert group is not None
    slips = PackingSlipService(world.store).slips(group_ids=[group])
    assert [slip.external_id for slip in slips] == ["1004", "1005"]
    with pytest.raises(AppError, match="Choose the orders"):
        PackingSlipService(world.store).slips()


def test_logo_and_note_come_from_the_settings() -> None:
    decor = slip_decor({"documents": {"slip_logo": "/x/logo.png", "slip_note": "Hi"}})
    assert decor == SlipDecor("/x/logo.png", "Hi")
    assert slip_decor({}) == SlipDecor()


def test_cli_slips(world: DocWorld, batch: str, tmp_path: Path) -> None:  # noqa: F811
    target = tmp_path / "cli-slips.pdf"
    code = main(
        [
            "--home",
            str(tmp_path / "home"),
            "--db",
            str(world.store.path),
            "slips",
            "--batch",
            batch,
            "--pdf",
            str(target),
            "--note",
            "Handle with care",
        ]
    )
    assert code == 0
    assert "Handle with care" in page_texts(target)[1]


def test_a_long_order_shrinks_then_carries_on_never_off_the_page(world: DocWorld) -> None:  # noqa: F811
    from app.documents import slips_pdf
    from app.domain.orders import Address
    from app.domain.slips import PackingSlip, SlipLine

    lines = tuple(SlipLine(n + 1, f"SKU-{n:03d}", f"Item number {n}") for n in range(120))
    slip = PackingSlip(1, "9001", Address("Big Order", "1 Main St", "Boston", "02108", "US"), lines)
    texts = page_texts(slips_pdf.render([slip]))
    assert len(texts) >= 2 and "Order 9001 (continued)" in texts[1]
    joined = "".join(texts)
    assert all(f"SKU-{n:03d}" in joined for n in range(120))
