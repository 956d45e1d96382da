"""Each label remembers the address it was bought for; a later change shows "needs relabel",
and relabel refunds the old label and buys a new one as one action."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text

from app.domain.errors import AppError, ErrorKind
from app.domain.fulfilment import LabelStatus
from app.domain.groups import group_id_for
from app.domain.order_freeze import address_snapshot, needs_relabel
from app.domain.orders import Address, OrderStatus
from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditLog
from app.services.buy_plan import Selection
from app.services.purchase import PurchaseService
from app.services.refunds import RefundService
from app.services.relabel import RelabelService
from app.store import Store
from tests.services.purchase_world import NOW, ledger_purchases, purchase_service, seed, us_order

TEE_GROUP = group_id_for((("TEE-M", 1),))


def test_needs_relabel_ignores_case_spaces_phone_and_old_labels() -> None:
    home = Address("Ann Lee", "1 Main St", "Boston", "02108", "US", state="MA")
    snapshot = address_snapshot(home)
    assert not needs_relabel(snapshot, replace(home, street1="1  MAIN st", phone="555"))
    assert needs_relabel(snapshot, replace(home, street1="2 Main St"))
    assert not needs_relabel(None, replace(home, street1="2 Main St"))
    assert not needs_relabel("", replace(home, street1="2 Main St"))


def _world(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> tuple[PurchaseService, RelabelService]:
    purchases = purchase_service(store, gateway, tmp_path / "labels")
    refunds = RefundService(store, gateway, AuditLog(store), clock=lambda: NOW)
    relabel = RelabelService(
        store, lambda: refunds, lambda: purchases, AuditLog(store), clock=lambda: NOW
    )
    return purchases, relabel


def test_an_address_changed_after_the_buy_needs_relabel_and_relabel_rebuys(
    store: Store, gateway: EasyPostGateway, sandbox: SandboxServer, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(n) for n in range(2)])
    purchases, relabel = _world(store, gateway, tmp_path)
    purchases.buy(Selection(groups=(TEE_GROUP,)), verify_addresses=False)
    assert relabel.needing_relabel() == {}
    with store.transaction(write=True) as tx:  # a difference of case only does not count
        tx.session.execute(
            text("UPDATE orders SET street1 = upper(street1) WHERE id = :id"), {"id": ids[0]}
        )
    assert relabel.needing_relabel() == {}
    # A labelled order is not changed by an import (a conflict), so the change comes from
    # an edit of the stored address (the order dialog, or a support fix in the database).
    with store.transaction(write=True) as tx:
        tx.session.execute(
            text("UPDATE orders SET street1 = '77 Elm St' WHERE id = :id"), {"id": ids[0]}
        )

    needs = relabel.needing_relabel()
    assert list(needs) == [ids[0]] and needs[ids[0]].changed == ("street1",)
    old = needs[ids[0]]

    result = relabel.relabel(ids[0], verify_addresses=False)

    assert result.refund_status == "submitted"
    assert result.new_label is not None and result.problem == ""
    assert relabel.needing_relabel() == {}
    with store.transaction() as tx:
        labels = tx.labels.for_order(ids[0])
        order = tx.orders.get(ids[0])
    assert [label.id for label in labels] == [old.label_id, result.new_label.label_id]
    assert labels[0].status is LabelStatus.REFUND_SUBMITTED and labels[0].superseded_at
    assert labels[1].is_live and "77 Elm St" in (labels[1].to_address or "")
    assert order is not None and order.status is OrderStatus.LABEL_PURCHASED
    assert order.tracking_code == result.new_label.tracking_code
    assert len(ledger_purchases(sandbox.ledger())) == 3


def test_relabel_refuses_an_order_whose_label_matches_its_address(
    store: Store, gateway: EasyPostGateway, tmp_path: Path
) -> None:
    ids = seed(store, [us_order(0)])
    purchases, relabel = _world(store, gateway, tmp_path)
    with pytest.raises(AppError) as none:
        relabel.relabel(ids[0])
    assert none.value.kind is ErrorKind.NOT_FOUND
    purchases.buy(Selection(groups=(TEE_GROUP,)), verify_addresses=False)
    with pytest.raises(AppError) as same:
        relabel.relabel(ids[0])
    assert same.value.kind is ErrorKind.CONFLICT
