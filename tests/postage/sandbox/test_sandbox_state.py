"""The state file: a day's history survives a restart; writes are atomic; bad files are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sandbox_support import bought_shipment, create_shipment, make_client

from app.domain.errors import AppError
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer


def test_history_survives_a_restart(tmp_path: Path, clock: SandboxClock) -> None:
    state = tmp_path / "state.json"
    with SandboxServer(state, clock=clock) as first:
        client = make_client(first.api_base)
        bought = bought_shipment(client)
        pending = create_shipment(client)
        client.shipment.refund(bought.id)
        ledger = first.ledger()

    with SandboxServer(state, clock=clock) as second:
        client = make_client(second.api_base)
        again = client.shipment.retrieve(bought.id)
        assert again.tracking_code == bought.tracking_code
        assert again.refund_status == "submitted"
        assert second.ledger() == ledger
        # the next label gets a new tracking number, the refund still completes on the clock
        later = client.shipment.buy(pending.id, rate=pending.lowest_rate())
        assert later.tracking_code != bought.tracking_code
        second.advance(second.timings.refund_s + 1)
        assert client.shipment.retrieve(bought.id).refund_status == "refunded"
        listed = client.shipment.all(page_size=10)
        assert [s.id for s in listed.shipments] == [pending.id, bought.id]
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary files left


def test_a_buy_is_on_disk_before_its_answer(tmp_path: Path, clock: SandboxClock) -> None:
    state = tmp_path / "state.json"
    with SandboxServer(state, clock=clock) as sandbox:
        bought = bought_shipment(make_client(sandbox.api_base))
        saved = json.loads(state.read_text())
        assert saved["objects"]["shipments"][bought.id]["tracking_code"] == bought.tracking_code
        assert saved["ledger"][0]["event"] == "purchase"


@pytest.mark.parametrize("content", ["{not json", '{"version": 99}', "[]"])
def test_unreadable_state_is_refused(tmp_path: Path, content: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    with pytest.raises(AppError) as caught:
        SandboxServer(state)
    assert "Move the file away" in caught.value.hint
