"""Mark shipped by hand: audited, once, never for a cancelled order; the CLI does the same."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.errors import AppError
from app.domain.orders import OrderStatus
from app.services.audit import AuditAction, AuditLog
from app.services.manual_ship import ManualShipService
from tests.documents.world import NOW, DocWorld, make_order, standard_orders, world  # noqa: F401


@pytest.fixture
def service(world: DocWorld) -> ManualShipService:  # noqa: F811
    world.add_orders(standard_orders(), OrderStatus.READY_TO_SHIP)
    world.add_orders([make_order("1099", [("PIN", 1)], name="Gone")], OrderStatus.CANCELLED)
    world.label("1003")
    return ManualShipService(
        world.store, AuditLog(world.store, "desk-2", "packer", clock=lambda: NOW), clock=lambda: NOW
    )


def test_marks_shipped_and_audits_with_note_and_tracking_if_any(
    world: DocWorld,  # noqa: F811
    service: ManualShipService,
) -> None:
    ids = world.ids
    report = service.ship(["1001", "kickstarter:1003"], note="handed to courier")
    assert report.shipped == (ids["1001"], ids["1003"])
    with world.store.transaction() as tx:
        state = tx.shipping.order_by_id(ids["1001"])
        assert state is not None
        assert state.status == "shipped" and state.shipped_at == NOW
    entries = AuditLog(world.store).entries(action=AuditAction.ORDER_SHIPPED.value)
    details = {entry.order_id: entry.details for entry in entries}
    assert details[ids["1001"]] == {
        "manual": True,
        "note": "handed to courier",
        "tracking_code": None,
        "station": "desk-2",
    }
    assert details[ids["1003"]]["tracking_code"]
    again = service.ship(["1001"])
    assert again.shipped == () and again.already == (ids["1001"],)
    assert len(AuditLog(world.store).entries(action=AuditAction.ORDER_SHIPPED.value)) == 2


def test_cancelled_or_unknown_orders_change_nothing(
    world: DocWorld,  # noqa: F811
    service: ManualShipService,
) -> None:
    with pytest.raises(AppError, match="Cancelled"):
        service.ship(["1001", "1099"])
    with pytest.raises(AppError, match="Unknown order"):
        service.ship(["999"])
    with world.store.transaction() as tx:
        state = tx.shipping.order_by_id(world.ids["1001"])
        assert state is not None and state.shipped_at is None


def test_cli_ship(
    world: DocWorld,  # noqa: F811
    service: ManualShipService,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["--home", str(tmp_path / "home"), "--db", str(world.store.path)]
    capsys.readouterr()
    code = main([*base, "ship", "--order", "1002", "--note", "no tracking", "--json"])
    assert code == 0
    assert json.loads(capsys.readouterr().out) == {
        "shipped": [world.ids["1002"]],
        "already_shipped": [],
    }
