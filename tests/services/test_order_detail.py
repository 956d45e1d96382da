"""OrderDetailService: one order in full; its address changes by hand, logged without the data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.errors import AppError, ErrorKind
from app.services.history import HistoryService
from app.services.order_detail import OrderDetailService
from tests.services.after_labels_support import Desk, desk  # noqa: F401


def _service(desk: Desk) -> OrderDetailService:  # noqa: F811
    return OrderDetailService(desk.store, HistoryService(desk.store), desk.audit)


def test_address_change_is_saved_and_logged_without_the_address(desk: Desk) -> None:  # noqa: F811
    (order_id,) = desk.orders(1)
    service = _service(desk)
    before = service.detail(order_id)
    assert before.address_editable and before.number == "1"
    changed = replace(before.order.recipient, street2="  Apt 7 ", country="us")
    after = service.update_address(order_id, changed)
    assert (after.order.recipient.street2, after.order.recipient.country) == ("Apt 7", "US")
    (entry,) = after.audit
    assert entry.action == "order.address_changed" and entry.details == "fields: ['street2']"
    with pytest.raises(AppError, match="needs city") as missing:
        service.update_address(order_id, replace(changed, city=" "))
    assert missing.value.kind is ErrorKind.INVALID_INPUT


def test_address_of_a_labelled_order_is_refused(desk: Desk) -> None:  # noqa: F811
    (order_id,) = desk.orders(1)
    label = desk.buy(order_id)
    service = _service(desk)
    detail = service.detail(order_id)
    assert [f.tracking_code for f in detail.labels] == [label.tracking_code]
    assert not detail.address_editable
    with pytest.raises(AppError, match="cannot change now") as refused:
        service.update_address(order_id, replace(detail.order.recipient, city="Elsewhere"))
    assert refused.value.kind is ErrorKind.CONFLICT
    with pytest.raises(AppError) as gone:
        service.detail(99_999)
    assert gone.value.kind is ErrorKind.NOT_FOUND
