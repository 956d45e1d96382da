"""Labels on plain paper: bought for real in the sandbox, printed at exact 4x6 scale, barcodes
that scan, international labels followed by their customs form, SCAN forms reprinted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from app.cli.main import main
from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.domain.tracking import parse_scan
from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.buy_plan import Selection
from app.services.paper_labels import PaperLabelService
from app.store import Store, open_store
from tests.documents.pdf_reading import barcodes, page_sizes_in, page_texts, render_page
from tests.services.purchase_world import (
    foreign_order,
    make_gateway,
    purchase_service,
    seed,
    us_order,
)


@pytest.fixture
def bought(tmp_path: Path) -> Iterator[tuple[Store, EasyPostGateway, str]]:
    store = open_store(tmp_path / "packdesk.sqlite3")
    with SandboxServer(tmp_path / "sandbox.json") as sandbox:
        gateway = make_gateway(sandbox.api_base)
        try:
            seed(
                store,
                [us_order(1), us_order(2), us_order(3), foreign_order(4, [("TEE-M", 2)])],
                international_service="PriorityMailInternational",
            )
            result = purchase_service(store, gateway, tmp_path / "labels").buy(
                Selection(groups=(group_id_for((("TEE-M", 1),)), group_id_for((("TEE-M", 2),))))
            )
            assert len(result.bought) == 4, result
            yield store, gateway, result.batch_reference
        finally:
            gateway.close()
            store.close()


def _image_boxes_in(path: Path, page: int) -> list[tuple[float, float]]:
    """(width, height) in inches of each image drawn on a page, from its transformation."""
    found: list[tuple[float, float]] = []

    def visitor(op: bytes, args: list[object], cm: list[float], tm: list[float]) -> None:
        if op == b"Do":
            a, b, c, d = (float(v) for v in cm[:4])
            # The bounding box on paper of the unit square the image fills (turned or not).
            found.append((round((abs(a) + abs(c)) / 72, 3), round((abs(b) + abs(d)) / 72, 3)))

    pypdf.PdfReader(path).pages[page].extract_text(visitor_operand_before=visitor)
    return found


def test_one_label_a_sheet_at_exact_4x6_with_scannable_barcodes(
    bought: tuple[Store, EasyPostGateway, str], tmp_path: Path
) -> None:
    store, gateway, batch = bought
    target = tmp_path / "labels.pdf"
    run = PaperLabelService(store, lambda: gateway).write(target, batch, paper="letter")
    assert (run.labels, run.customs_forms) == (4, 1)
    sizes = page_sizes_in(target)
    assert all(size == (8.5, 11.0) for size in sizes)
    assert _image_boxes_in(target, 0) == [(4.0, 6.0)]
    with store.transaction() as tx:
        labels = {label.tracking_code for label in tx.labels.list()}
    found = barcodes(render_page(target, 0, dpi=300))
    scanned = {parse_scan(text).tracking_code for _fmt, text in found}
    assert scanned & labels, found  # the IMpb on the paper reads as the label's number


def test_international_label_is_followed_by_its_customs_form(
    bought: tuple[Store, EasyPostGateway, str], tmp_path: Path
) -> None:
    store, gateway, batch = bought
    target = tmp_path / "labels.pdf"
    PaperLabelService(store, lambda: gateway).write(target, batch, paper="a4")
    texts = page_texts(target)
    assert page_sizes_in(target)[0] == (8.268, 11.693)
    assert len(texts) == 5  # 4 labels, 1 customs form right after the international label
    customs_pages = [i for i, text in enumerate(texts) if "customs form, order #1004" in text]
    label_page = next(i for i, text in enumerate(texts) if text.startswith("order #1004"))
    assert customs_pages == [label_page + 1]
    # Stored beside the label now: a second run needs no network.
    offline = tmp_path / "again.pdf"
    PaperLabelService(store, None).write(offline, batch, paper="a4")
    assert len(page_texts(offline)) == 5


def test_two_labels_a_sheet_turned_a_quarter(
    bought: tuple[Store, EasyPostGateway, str], tmp_path: Path
) -> None:
    store, gateway, batch = bought
    target = tmp_path / "two.pdf"
    PaperLabelService(store, lambda: gateway).write(target, batch, per_sheet=2)
    assert len(page_sizes_in(target)) == 3  # 5 items, two a sheet
    assert _image_boxes_in(target, 0) == [(6.0, 4.0), (6.0, 4.0)]
    found = barcodes(render_page(target, 0, dpi=300))
    assert len([text for _fmt, text in found if parse_scan(text).ok]) >= 2


def test_cli_print_on_paper_and_unknown_batch(
    bought: tuple[Store, EasyPostGateway, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, gateway, batch = bought
    base = ["--home", str(tmp_path / "home"), "--db", str(store.path)]
    base += ["--api-base", gateway.api_base, "--sandbox"]
    target = tmp_path / "cli.pdf"
    assert main([*base, "print", "--batch", batch, "--paper", "letter", "--pdf", str(target)]) == 0
    assert "4 labels, 1 customs forms" in capsys.readouterr().out
    with pytest.raises(AppError, match="no batch"):
        PaperLabelService(store).write(tmp_path / "x.pdf", "B-20000101-001")
