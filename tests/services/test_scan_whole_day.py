"""A whole day after the labels, on labels bought by the purchase pipeline: the barcode decoded
from the bought label image is scanned, the batch goes on a SCAN form, one label is refunded
before it, the trackers deliver, and the batch overview adds it all up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from app.domain.groups import group_id_for
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditLog
from app.services.batches import BatchOverviewService
from app.services.buy_plan import Selection
from app.services.refunds import RefundService
from app.services.scan_forms import ScanFormService
from app.services.scan_to_ship import ScanStatus, ScanToShipService
from app.services.tracking import TrackingService
from app.store import Store
from tests.dates import FIXED_MOMENTS, RunningClock, aware
from tests.services.purchase_world import make_gateway, purchase_service, seed, us_order


@pytest.fixture
def sandbox(tmp_path: Path, desk_moment: datetime) -> Iterator[SandboxServer]:
    clock = SandboxClock(aware(desk_moment))  # the same fixed day as the desk's services
    with SandboxServer(tmp_path / "sandbox.json", clock=clock) as server:
        server.set_timings(scan_form_s=0.0)
        yield server


def _scanned_text(png: Path) -> str:
    """What a handheld scanner sends for the label's largest 1D barcode (GS for FNC1)."""
    results = zxingcpp.read_barcodes(Image.open(png), text_mode=zxingcpp.TextMode.Plain)
    linear = [r for r in results if r.format in (zxingcpp.BarcodeFormat.Code128,)]
    assert linear, f"no Code 128 barcode found on {png}"
    best = max(linear, key=lambda r: len(r.text))
    return f"]C1{best.text}" if best.symbology_identifier == "]C1" else best.text


@pytest.mark.parametrize(
    "desk_moment",
    [FIXED_MOMENTS["saturday"], FIXED_MOMENTS["year-end"]],
    ids=["saturday", "year-end"],
)
def test_bought_labels_through_the_whole_day(
    store: Store, sandbox: SandboxServer, tmp_path: Path, desk_moment: datetime
) -> None:
    clock = RunningClock(desk_moment)
    gateway = make_gateway(sandbox.api_base)
    audit = AuditLog(store, station="desk-2", user="ann", clock=clock)
    try:
        ids = seed(store, [us_order(n) for n in range(4)])
        bought = purchase_service(store, gateway, tmp_path / "labels", clock=clock).buy(
            Selection(groups=(group_id_for((("TEE-M", 1),)),), service="GroundAdvantage"),
            verify_addresses=False,
        )
        assert [label.order_id for label in bought.bought] == ids
        batch = bought.batch_reference
        first, second, third, fourth = bought.bought

        scanner = ScanToShipService(store, audit, clock=clock)
        assert first.preview_path is not None
        text = _scanned_text(Path(first.preview_path))
        assert text.startswith("]C1420") and text.endswith("\x1d" + first.tracking_code)
        outcome = scanner.scan(text)
        assert (outcome.status, outcome.order_id, outcome.station) == (
            ScanStatus.SHIPPED,
            first.order_id,
            "desk-2",
        )
        assert scanner.scan(f"PD-ORDER:{second.order_id}").status is ScanStatus.SHIPPED

        refunds = RefundService(store, gateway, audit, clock=clock)
        (line,) = refunds.refund(refunds.labels(label_ids=[fourth.label_id])).lines
        assert line.status == "submitted"

        forms = ScanFormService(
            store, gateway, audit, tmp_path / "documents", poll_interval=0.05, clock=clock
        )
        run = forms.for_batch(batch)
        (form,) = run.forms
        assert (form.status, form.label_count) == ("created", 3)
        assert [label for label, _, _ in run.excluded] == [fourth.label_id]
        (too_late,) = refunds.refund(refunds.labels(label_ids=[third.label_id])).lines
        assert too_late.status == "refused" and "SCAN form" in too_late.reason

        sandbox.advance(10 * 60)
        report = TrackingService(store, gateway, audit, clock=clock).refresh()
        assert report.delivered == 3
        (summary,) = BatchOverviewService(store, clock=clock).today()
        assert (summary.reference, summary.bought, summary.shipped) == (batch, 4, 3)
        assert (summary.refunded, summary.refund_pending) == (0, 1)
        assert summary.scan_form_state == "complete"
        assert summary.spent_usd == bought.batch_spent
    finally:
        gateway.close()
