"""The state file: a day's history survives a restart; writes are atomic; bad files are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_support import bought_shipment, create_shipment, make_client

from app.domain.errors import AppError
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer
from app.postage.sandbox.store import SandboxStore


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
    leftovers = sorted(p.name for p in tmp_path.iterdir())
    assert leftovers == ["state.json", "state.json.lock"]  # no temporary files, no journal


def test_a_buy_is_on_disk_before_its_answer(tmp_path: Path, clock: SandboxClock) -> None:
    state = tmp_path / "state.json"
    with SandboxServer(state, clock=clock) as sandbox:
        client = make_client(sandbox.api_base)
        bought = bought_shipment(client)
        # What a restart after a crash right now would load: the snapshot plus the journal.
        recovered = SandboxStore(state)
        assert recovered.objects["shipments"][bought.id]["tracking_code"] == bought.tracking_code
        assert recovered.ledger[0]["event"] == "purchase"
        assert recovered.tracking_sequence == 1
        sandbox.store.save()  # compaction folds the journal into the state file
        assert not (tmp_path / "state.json.journal").exists()
        second = bought_shipment(client)
        recovered = SandboxStore(state)
        assert set(recovered.objects["shipments"]) == {bought.id, second.id}
        assert [e["tracking_code"] for e in recovered.ledger] == [
            bought.tracking_code,
            second.tracking_code,
        ]


def test_a_torn_journal_line_is_ignored(tmp_path: Path, clock: SandboxClock) -> None:
    state = tmp_path / "state.json"
    with SandboxServer(state, clock=clock) as sandbox:
        bought = bought_shipment(make_client(sandbox.api_base))
        journal = (tmp_path / "state.json.journal").read_text()
    (tmp_path / "state.json").unlink()
    (tmp_path / "state.json.journal").write_text(journal + '{"o": "shipments", "id": "sh')
    assert bought.id in SandboxStore(state).objects["shipments"]


@pytest.mark.parametrize("content", ["{not json", '{"version": 99}', "[]"])
def test_unreadable_state_is_refused(tmp_path: Path, content: str) -> None:
    state = tmp_path / "state.json"
    state.write_text(content)
    with pytest.raises(AppError) as caught:
        SandboxServer(state)
    assert "Move the file" in caught.value.hint


def test_batch_purchases_are_journaled_with_their_trackers(
    tmp_path: Path, clock: SandboxClock
) -> None:
    state = tmp_path / "state.json"
    with SandboxServer(state, clock=clock) as sandbox:
        client = make_client(sandbox.api_base)
        batch = client.batch.create(shipments=[create_shipment(client) for _ in range(2)])
        sandbox.advance(sandbox.timings.batch_s)
        client.batch.buy(batch.id)
        sandbox.advance(sandbox.timings.batch_s)
        bought = client.batch.retrieve(batch.id)
        assert bought.state == "purchased"
        sandbox.store.wait_durable(sandbox.store.mark_dirty())
        recovered = SandboxStore(state)  # as if the process died now
        for entry in bought.shipments:
            shipment = recovered.objects["shipments"][entry.id]
            assert shipment["tracking_code"] == entry.tracking_code
            assert shipment["tracker"]["id"] in recovered.objects["trackers"]
            assert "started_at" in recovered.meta[shipment["tracker"]["id"]]
            assert recovered.meta[shipment["postage_label"]["id"]]["shipment_id"] == entry.id
        assert recovered.objects["batches"][batch.id]["state"] == "purchased"


def test_one_running_sandbox_per_state_file(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with SandboxServer(state):
        second = SandboxServer(state)
        with pytest.raises(AppError) as caught:
            second.start()
        assert "in use" in caught.value.message and "--api-base" in caught.value.hint
    with SandboxServer(state) as again:  # free once the first one stopped
        assert again.api_base.endswith("/v2")
