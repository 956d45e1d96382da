"""Orders panel at start: a first screen by order number, then the rest below it (no reset);
search and sort then reach every order, also those the first screen did not read."""

from __future__ import annotations

import random
import threading

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.domain.order_numbers import natural_key
from app.domain.orders import OrderStatus
from app.services.orders import OrderService
from app.store.order_list_repo import OrderSummary
from app.ui.errors import ErrorPresenter
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.tasks import TaskRunner
from tests.documents.world import DocWorld, make_order, world  # noqa: F401

pytestmark = pytest.mark.gui

NUMBERS = [*(str(n) for n in range(1, 41)), "#7", "#1002", "A-7", "b-2", "105"]


class _HeldOrders:
    """The real service; the whole list waits until the test lets it go (so the first screen
    is seen first, whatever the machine's speed)."""

    def __init__(self, service: OrderService) -> None:
        self._service = service
        self.release = threading.Event()

    def first_summaries(self, limit: int) -> list[OrderSummary]:
        return self._service.first_summaries(limit)

    def list_summaries(self) -> list[OrderSummary]:
        assert self.release.wait(10)
        return self._service.list_summaries()

    def __getattr__(self, name: str) -> object:
        return getattr(self._service, name)


def test_first_screen_then_every_order_below_it(qtbot: QtBot, world: DocWorld) -> None:  # noqa: F811
    shuffled = NUMBERS[:]
    random.Random(3).shuffle(shuffled)  # imported out of number order
    orders = [make_order(n, [("TEE-M", 1)], name=f"Backer {n}") for n in shuffled]
    world.add_orders(orders, OrderStatus.READY_TO_SHIP)
    source = _HeldOrders(OrderService(world.store))
    runner = TaskRunner()
    panel = OrdersPanel(runner, ErrorPresenter(), orders=source)  # type: ignore[arg-type]
    panel.FIRST_SCREEN = 10
    qtbot.addWidget(panel)
    panel.show()
    by_number = sorted(NUMBERS, key=natural_key)

    with qtbot.waitSignal(panel.first_screen_shown, timeout=10_000) as first:
        panel.refresh()
    assert first.args == [10]
    assert [o.external_id for o in panel.model.records()] == by_number[:10]

    resets: list[str] = []
    panel.model.modelReset.connect(lambda: resets.append("reset"))
    with qtbot.waitSignal(panel.orders_loaded, timeout=10_000) as loaded:
        source.release.set()
    assert loaded.args == [len(NUMBERS)]
    assert resets == []  # the rest went in below the first screen
    assert [o.external_id for o in panel.model.records()] == by_number

    panel.search.setText("a-7")  # not in the first screen
    assert [o.external_id for o in panel.model.records()] == ["A-7"]
    panel.search.setText("")
    panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert panel.model.record(0).external_id == by_number[-1]
    assert runner.wait_for_idle(10_000)


def test_a_reload_replaces_the_list_without_a_first_screen(qtbot: QtBot, world: DocWorld) -> None:  # noqa: F811
    world.add_orders([make_order("1", [("TEE-M", 1)], name="Ann")], OrderStatus.READY_TO_SHIP)
    service = OrderService(world.store)
    runner = TaskRunner()
    panel = OrdersPanel(runner, ErrorPresenter(), orders=service)
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.orders_loaded, timeout=10_000):
        panel.refresh()
    qtbot.waitUntil(lambda: runner.active_count == 0)
    firsts: list[int] = []
    panel.first_screen_shown.connect(firsts.append)
    world.add_orders([make_order("2", [("TEE-M", 1)], name="Bo")], OrderStatus.READY_TO_SHIP)
    with qtbot.waitSignal(panel.orders_loaded, timeout=10_000) as loaded:
        panel.refresh()
    assert loaded.args == [2]
    assert firsts == []
    assert runner.wait_for_idle(10_000)
