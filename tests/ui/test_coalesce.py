"""Coalescer: worker items reach the GUI thread in order, in batches, a lone one at once."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication
from pytestqt.qtbot import QtBot

from app.ui.coalesce import Coalescer

pytestmark = pytest.mark.gui


def test_items_from_a_worker_arrive_in_order_in_few_batches(qtbot: QtBot) -> None:
    batches: list[list[int]] = []
    threads: set[int] = set()

    def deliver(batch: list[int]) -> None:
        threads.add(threading.get_ident())
        batches.append(batch)

    coalescer = Coalescer[int](deliver, interval_ms=100)
    worker = threading.Thread(target=lambda: [coalescer.push(n) for n in range(1000)])
    worker.start()
    worker.join(10)
    qtbot.waitUntil(lambda: sum(len(b) for b in batches) == 1000, timeout=5_000)
    assert [n for batch in batches for n in batch] == list(range(1000))
    assert len(batches) < 100  # not one delivery per item
    assert threads == {threading.get_ident()}  # on the GUI thread


def test_a_lone_item_is_not_held_and_flush_delivers_the_rest(qtbot: QtBot) -> None:
    batches: list[list[str]] = []
    coalescer = Coalescer[str](batches.append, interval_ms=60_000)
    coalescer.push("first")
    qtbot.waitUntil(lambda: batches == [["first"]], timeout=5_000)  # not after 60 s
    coalescer.push("second")
    coalescer.push("third")
    QCoreApplication.processEvents()  # the queued "due" arrives: within the interval, it waits
    assert batches == [["first"]]
    coalescer.flush()  # what a finished run does before it shows its result
    assert batches == [["first"], ["second", "third"]]
