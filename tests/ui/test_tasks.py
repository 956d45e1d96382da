"""TaskRunner: results and errors come back on the GUI thread; lanes are serial."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.ui.tasks import Progress, ProgressEvent, TaskRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[TaskRunner]:
    task_runner = TaskRunner(max_threads=4)
    yield task_runner
    assert task_runner.wait_for_idle(5000)
    task_runner.deleteLater()


def test_result_is_delivered_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker_thread"] = QThread.currentThread()
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["done_thread"] = QThread.currentThread()

    with qtbot.waitSignal(runner.succeeded, timeout=5000) as blocker:
        runner.run(work, done)
    assert blocker.args is not None and blocker.args[1] == 42
    gui_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    assert seen["value"] == 42
    assert seen["done_thread"] is gui_thread
    assert seen["worker_thread"] is not gui_thread


def test_exception_goes_to_on_error_on_the_gui_thread(qtbot: QtBot, runner: TaskRunner) -> None:
    errors: list[tuple[BaseException, QThread]] = []
    done: list[object] = []

    def boom() -> int:
        raise KeyError("no such order")

    with qtbot.waitSignal(runner.failed, timeout=5000):
        runner.run(boom, done.append, lambda exc: errors.append((exc, QThread.currentThread())))
    assert done == []
    assert len(errors) == 1
    assert isinstance(errors[0][0], KeyError)
    assert errors[0][1] is QApplication.instance().thread()  # type: ignore[union-attr]


def test_default_error_handler_receives_unhandled_failures(
    qtbot: QtBot, qapp: QApplication
) -> None:
    caught: list[BaseException] = []
    runner = TaskRunner(default_on_error=caught.append)
    with qtbot.waitSignal(runner.failed, timeout=5000):
        runner.run(lambda: 1 / 0, lambda _v: None)
    assert runner.wait_for_idle(5000)
    assert len(caught) == 1 and isinstance(caught[0], ZeroDivisionError)


def test_tasks_in_one_lane_never_overlap(qtbot: QtBot, runner: TaskRunner) -> None:
    lock = threading.Lock()
    spans: list[tuple[int, float, float]] = []
    inside = [0]
    max_inside = [0]

    def job(n: int) -> int:
        with lock:
            inside[0] += 1
            max_inside[0] = max(max_inside[0], inside[0])
            start = time.perf_counter()
        # Real work, so an overlap would show up: spin a little without sleeping.
        sum(i * i for i in range(20_000))
        with lock:
            inside[0] -= 1
            spans.append((n, start, time.perf_counter()))
        return n

    results: list[int] = []
    with qtbot.waitSignal(runner.idle, timeout=10_000):
        for n in range(8):
            runner.run(lambda n=n: job(n), results.append, lane="printer:zebra")
    assert max_inside[0] == 1
    assert results == list(range(8))  # a lane keeps submission order
    ordered = sorted(spans, key=lambda s: s[1])
    for (_, _, end), (_, next_start, _) in itertools.pairwise(ordered):
        assert end <= next_start
    assert runner.lanes() == ("printer:zebra",)


def test_different_lanes_and_the_pool_run_concurrently(qtbot: QtBot, runner: TaskRunner) -> None:
    both_started = threading.Barrier(2, timeout=5)
    results: list[str] = []

    def meet(tag: str) -> str:
        both_started.wait()  # would time out (BrokenBarrierError) if the lanes were one thread
        return tag

    with qtbot.waitSignal(runner.idle, timeout=10_000):
        runner.run(lambda: meet("a"), results.append, lane="printer:a")
        runner.run(lambda: meet("b"), results.append, lane="printer:b")
    assert sorted(results) == ["a", "b"]


def test_many_tasks_all_deliver(qtbot: QtBot, runner: TaskRunner) -> None:
    results: list[int] = []
    errors: list[BaseException] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)

    def work(n: int) -> int:
        if n % 50 == 0:
            raise ValueError(n)
        return n * 2

    with qtbot.waitSignal(runner.idle, timeout=20_000):
        for n in range(500):
            runner.run(lambda n=n: work(n), results.append, errors.append, lane=None)
    assert sorted(results) == [n * 2 for n in range(500) if n % 50]
    assert len(errors) == 10
    assert runner.active_count == 0
    assert busy == [True, False]


def test_progress_is_reported_on_the_gui_thread_and_cancel_is_seen(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    events: list[tuple[ProgressEvent, QThread]] = []
    go = threading.Event()

    def work(progress: Progress) -> int:
        progress(1, 3, "first")
        go.wait(5)
        steps = 1
        while not progress.cancelled:
            steps += 1
            progress(steps, None, "spinning")
            if steps > 10_000:
                break
        return steps

    finished: list[int] = []
    handle = runner.run_with_progress(
        work,
        finished.append,
        on_progress=lambda ev: events.append((ev, QThread.currentThread())),
    )
    qtbot.waitUntil(lambda: len(events) >= 1, timeout=5000)
    assert events[0][0] == ProgressEvent(1, 3, "first")
    assert events[0][1] is QApplication.instance().thread()  # type: ignore[union-attr]
    with qtbot.waitSignal(runner.succeeded, timeout=5000):
        handle.cancel()
        go.set()
    assert finished and finished[0] <= 10_001


def test_no_new_tasks_after_shutdown(runner: TaskRunner) -> None:
    assert runner.wait_for_idle(1000)
    with pytest.raises(RuntimeError):
        runner.run(lambda: 1, lambda _v: None)


def test_closing_is_visible_so_follow_up_work_is_not_started(qtbot: QtBot) -> None:
    runner = TaskRunner()
    assert not runner.closing
    assert runner.wait_for_idle(1_000)
    assert runner.closing
    with pytest.raises(RuntimeError):
        runner.run(lambda: None, lambda _r: None)
