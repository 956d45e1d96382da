"""TaskRunner: runs blocking work on QThreadPools and delivers results on the GUI thread.

The GUI thread never does I/O. A slot hands a callable to `TaskRunner.run`; a worker thread runs
it; the result or the exception comes back by a queued signal to a QObject that lives in the GUI
thread, which then calls `on_done` or `on_error` there. The runnable always catches, so a task
always reports (unlike a bare QRunnable whose exception is lost with its `done` signal).

Named lanes are serial pools (one thread each): one per printer, one for database writes, so two
tasks of one lane never overlap and run in submission order.

Signals:
    succeeded(int, object): task id and result, after `on_done` ran.
    failed(int, object): task id and exception, after the error handler ran.
    progressed(int, object): task id and a `ProgressEvent` from the worker.
    busy_changed(bool): True when the first task starts, False when the last one is delivered.
    idle(): the last running task was delivered.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """A step a worker reports: `done` of `total` (None when unknown) and what it is doing."""

    done: int
    total: int | None = None
    message: str = ""


class Progress:
    """Handed to a worker: a thread-safe progress callback and a cooperative cancel flag."""

    def __init__(self, task_id: int, emit: Callable[[int, ProgressEvent], None]) -> None:
        self.task_id = task_id
        self._emit = emit
        self._cancelled = threading.Event()

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        """Report progress from any thread (a queued signal carries it to the GUI thread)."""
        self._emit(self.task_id, ProgressEvent(done, total, message))

    @property
    def cancelled(self) -> bool:
        """True once the user asked to stop; long loops check it between steps."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        self._cancelled.set()


@dataclass(slots=True)
class _Pending:
    on_done: Callable[[Any], None]
    on_error: ErrorHandler | None
    on_progress: Callable[[ProgressEvent], None] | None
    progress: Progress
    lane: str | None
    name: str = field(default="")


class _Bridge(QObject):
    """Lives in the GUI thread; workers emit on it, Qt queues delivery to the GUI thread."""

    # Two signals rather than one with a bool flag: queued bool arguments trip a refcount bug
    # in PySide6 6.12 (Python aborts at exit with "deallocating True or False").
    completed = Signal(int, object)
    raised = Signal(int, object)
    progressed = Signal(int, object)


class _Runnable(QRunnable):
    def __init__(self, task_id: int, fn: Callable[[], object], bridge: _Bridge) -> None:
        super().__init__()
        self._task_id = task_id
        self._fn = fn
        self._bridge = bridge
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self._fn()
        # A worker must always report back; the error is handled on the GUI thread, not here.
        except BaseException as exc:  # noqa: BLE001
            self._bridge.raised.emit(self._task_id, exc)
        else:
            self._bridge.completed.emit(self._task_id, result)
        finally:
            self._fn = _nothing  # drop references (closures over big data) promptly


def _nothing() -> None:
    return None


class TaskHandle:
    """What `run` returns: the task id and a way to ask the worker to stop."""

    def __init__(self, task_id: int, progress: Progress) -> None:
        self.task_id = task_id
        self._progress = progress

    def cancel(self) -> None:
        """Ask cooperatively; the task still reports its result or error."""
        self._progress.cancel()


class TaskRunner(QObject):
    """Run callables off the GUI thread; deliver results and errors back on it.

    Args:
        default_on_error: called for failures of tasks that gave no `on_error` (the app passes
            its ErrorPresenter); without it, such failures are logged with their traceback.
        max_threads: size of the shared pool for tasks without a lane.
    """

    succeeded = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, object)
    busy_changed = Signal(bool)
    idle = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        default_on_error: ErrorHandler | None = None,
        max_threads: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._default_on_error = default_on_error
        self._pool = QThreadPool(self)
        if max_threads is not None:
            self._pool.setMaxThreadCount(max_threads)
        self._lanes: dict[str, QThreadPool] = {}
        self._pending: dict[int, _Pending] = {}
        self._ids = itertools.count(1)
        self._closing = False
        self._bridge = _Bridge(self)
        # Explicitly queued: the bridge lives here, emits come from workers.
        queued = Qt.ConnectionType.QueuedConnection
        self._bridge.completed.connect(self._on_bridge_completed, queued)
        self._bridge.raised.connect(self._on_bridge_raised, queued)
        self._bridge.progressed.connect(
            self._on_bridge_progressed, Qt.ConnectionType.QueuedConnection
        )

    def set_default_error_handler(self, handler: ErrorHandler | None) -> None:
        self._default_on_error = handler

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None = None,
        lane: str | None = None,
    ) -> TaskHandle:
        """Run `fn` on a worker (serially within `lane` if given); call back on the GUI thread."""
        return self._start(lambda _progress: fn(), on_done, on_error, None, lane)

    def run_with_progress(
        self,
        fn: Callable[[Progress], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None = None,
        on_progress: Callable[[ProgressEvent], None] | None = None,
        lane: str | None = None,
    ) -> TaskHandle:
        """Like `run`, but `fn` gets a `Progress` to report steps and to see a cancel request."""
        return self._start(fn, on_done, on_error, on_progress, lane)

    def _start(
        self,
        fn: Callable[[Progress], T],
        on_done: Callable[[T], None],
        on_error: ErrorHandler | None,
        on_progress: Callable[[ProgressEvent], None] | None,
        lane: str | None,
    ) -> TaskHandle:
        if self._closing:
            raise RuntimeError("TaskRunner is shutting down; no new tasks")
        task_id = next(self._ids)
        progress = Progress(task_id, lambda tid, ev: self._bridge.progressed.emit(tid, ev))
        self._pending[task_id] = _Pending(on_done, on_error, on_progress, progress, lane)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        pool = self._pool if lane is None else self._lane(lane)
        pool.start(_Runnable(task_id, lambda: fn(progress), self._bridge))
        return TaskHandle(task_id, progress)

    def _lane(self, name: str) -> QThreadPool:
        pool = self._lanes.get(name)
        if pool is None:
            pool = QThreadPool(self)
            pool.setMaxThreadCount(1)
            pool.setObjectName(f"lane:{name}")
            self._lanes[name] = pool
        return pool

    @property
    def closing(self) -> bool:
        """True once `wait_for_idle` began the shutdown: follow-up work must not start."""
        return self._closing

    @property
    def active_count(self) -> int:
        """Tasks submitted and not yet delivered."""
        return len(self._pending)

    def lanes(self) -> tuple[str, ...]:
        return tuple(self._lanes)

    def wait_for_idle(self, msecs: int = 30_000) -> bool:
        """Block until every worker finished (for shutdown); True if all did in time.

        Results of tasks that finished are still queued; they are delivered if the event loop
        runs again, and dropped otherwise.
        """
        self._closing = True
        finished = True
        for pool in (self._pool, *self._lanes.values()):
            finished = pool.waitForDone(msecs) and finished
        return finished

    @Slot(int, object)
    def _on_bridge_progressed(self, task_id: int, event: object) -> None:
        pending = self._pending.get(task_id)
        if pending is None or not isinstance(event, ProgressEvent):
            return
        self.progressed.emit(task_id, event)
        if pending.on_progress is not None:
            pending.on_progress(event)

    @Slot(int, object)
    def _on_bridge_completed(self, task_id: int, result: object) -> None:
        pending = self._pending.pop(task_id)
        try:
            pending.on_done(result)
            self.succeeded.emit(task_id, result)
        finally:
            self._after_delivery()

    @Slot(int, object)
    def _on_bridge_raised(self, task_id: int, exc: object) -> None:
        pending = self._pending.pop(task_id)
        try:
            assert isinstance(exc, BaseException)
            self._handle_error(pending, exc)
            self.failed.emit(task_id, exc)
        finally:
            self._after_delivery()

    def _after_delivery(self) -> None:
        if not self._pending:
            self.busy_changed.emit(False)
            self.idle.emit()

    def _handle_error(self, pending: _Pending, exc: BaseException) -> None:
        handler = pending.on_error or self._default_on_error
        if handler is not None:
            handler(exc)
        else:
            log.error("background task failed", exc_info=exc)
