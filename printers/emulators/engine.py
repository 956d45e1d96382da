"""The emulated printer engine: a bounded input buffer, a print mechanism and status replies.

Shared by the emulated USB devices, the TCP 9100 server and the virtual printer. Bytes come in
through `receive` (which blocks while the buffer is full, like a printer NAKing bulk OUT),
are framed into jobs and status queries, decoded into label bitmaps, and "printed" at a set
speed by a mechanism thread. Faults (paper out, head open, pause, stall, short writes, a link
that drops after N bytes) are switched on and off by tests.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from printers.emulators.framing import JobBytes, StatusQuery, framer_for
from printers.imaging import Bitmap
from printers.models import PrinterModel

DEFAULT_BUFFER_BYTES = 512 * 1024

Decoder = Callable[[bytes], list[Bitmap]]
Responder = Callable[[bytes, "EngineState"], bytes]
LabelCallback = Callable[["PrintedLabel"], None]


class LinkDropped(Exception):  # noqa: N818 (a condition, mapped to ENODEV / a closed socket)
    """The host link went away (USB unplugged, TCP connection cut) during a transfer."""


@dataclass(frozen=True)
class Faults:
    """Switchable faults. `max_write` caps each transfer (short writes); `drop_after_bytes`
    cuts the link once that many more bytes arrived (unplug mid-job)."""

    paper_out: bool = False
    head_open: bool = False
    paused: bool = False
    ribbon_out: bool = False
    counterfeit_media: bool = False  # DYMO 550 series: non-genuine labels
    stalled: bool = False  # takes no data and answers nothing: host timeouts
    max_write: int | None = None
    drop_after_bytes: int | None = None


@dataclass(frozen=True)
class EngineState:
    """What a status reply reports."""

    faults: Faults
    printing: bool
    jobs_waiting: int
    labels_printed: int
    buffer_full: bool
    partial_job: bool
    media_remaining: int | None = None  # labels left on the loaded roll; None: endless


@dataclass(frozen=True)
class PrintedLabel:
    """One label that came out of the emulated printer."""

    index: int  # 0-based across the printer's life
    job: int  # 0-based job counter
    bitmap: Bitmap
    printed_at: float  # time.monotonic() when the label finished


@dataclass
class _Job:
    number: int
    data: bytes
    labels: list[Bitmap] | None = None


@dataclass
class EngineStats:
    """Counters tests and benchmarks read."""

    bytes_received: int = 0
    jobs_received: int = 0
    status_queries: int = 0
    decode_errors: list[str] = field(default_factory=list)
    callback_errors: list[str] = field(default_factory=list)  # on_label raised
    host_waits: int = 0  # times the mechanism sat idle with a partial job in the buffer


class EmulatedPrinter:
    """One printer's engine. Thread-safe; call `close()` when done (stops the mechanism)."""

    def __init__(
        self,
        model: PrinterModel,
        *,
        decoder: Decoder,
        responder: Responder,
        labels_per_second: float | None = None,
        buffer_bytes: int = DEFAULT_BUFFER_BYTES,
        on_label: LabelCallback | None = None,
        name: str = "",
        keep_jobs: bool = False,
    ) -> None:
        self.model = model
        #: With `keep_jobs`, every job's bytes as received (tests check exact printer bytes).
        self.jobs_data: list[bytes] | None = [] if keep_jobs else None
        self.name = name or model.name
        self.labels_per_second = labels_per_second
        self.buffer_bytes = buffer_bytes
        self.on_label = on_label
        self._decoder = decoder
        self._responder = responder
        self._cond = threading.Condition()
        self._framer = framer_for(model.family)
        self._queue: collections.deque[_Job] = collections.deque()
        self._queued_bytes = 0
        self._printing = False
        self._outbox = bytearray()
        self._faults = Faults()
        self._printed: list[PrintedLabel] = []
        self._link_generation = 0
        self._closed = False
        self._next_job = 0
        self._roll: int | None = None  # labels left on the roll; None: an endless roll
        self.stats = EngineStats()
        self.on_link_drop: Callable[[], None] | None = None
        self._mechanism = threading.Thread(
            target=self._run_mechanism, name=f"emulated-{self.name}", daemon=True
        )
        self._mechanism.start()
        # Decoding runs ahead of the mechanism, as a printer rasterises the next label while
        # the current one prints; otherwise decode time would be added to every label.
        self._rasteriser = threading.Thread(
            target=self._run_rasteriser, name=f"emulated-{self.name}-raster", daemon=True
        )
        self._rasteriser.start()

    # --- faults ----------------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        with self._cond:
            return self._faults

    def set_faults(self, **changes: object) -> None:
        """Switch faults on or off, e.g. `set_faults(paper_out=True)`."""
        with self._cond:
            self._faults = replace(self._faults, **changes)  # type: ignore[arg-type]
            self._cond.notify_all()

    def load_roll(self, labels: int | None) -> None:
        """Load a roll of `labels` labels (None: endless). An empty roll reads as paper out."""
        with self._cond:
            self._roll = labels
            self._cond.notify_all()

    @property
    def media_remaining(self) -> int | None:
        with self._cond:
            return self._roll

    # --- host side -------------------------------------------------------------------------

    def receive(self, data: bytes, timeout_s: float) -> int:
        """Take bytes from the host; returns how many were taken before `timeout_s` passed.

        Blocks while the buffer is full (back-pressure). Raises LinkDropped when the link went
        away, before or during the transfer.
        """
        deadline = time.monotonic() + timeout_s
        with self._cond:
            generation = self._link_generation
            taken = 0
            while taken < len(data):
                self._check_link(generation)
                faults = self._faults
                room = self._room()
                if faults.stalled or room <= 0:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                    continue
                take = min(room, len(data) - taken)
                if faults.max_write is not None:
                    take = min(take, faults.max_write)
                drop = faults.drop_after_bytes
                if drop is not None and drop <= take:
                    take = drop
                self._take(data[taken : taken + take])
                taken += take
                if drop is not None:
                    self._faults = replace(faults, drop_after_bytes=drop - take)
                    if drop - take <= 0:
                        self._faults = replace(self._faults, drop_after_bytes=None)
                        self._drop_link_locked()
                        raise LinkDropped(f"{self.name}: link dropped after {take} bytes")
                if faults.max_write is not None:
                    break  # one short transfer; the host loops
            return taken

    def take_reply(self, max_bytes: int, timeout_s: float) -> bytes:
        """Up to `max_bytes` of pending status replies; b"" when none came in time."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            generation = self._link_generation
            while not self._outbox:
                self._check_link(generation)
                left = deadline - time.monotonic()
                if left <= 0:
                    return b""
                self._cond.wait(left)
            out = bytes(self._outbox[:max_bytes])
            del self._outbox[:max_bytes]
            return out

    def drop_link(self) -> None:
        """The host link went away: half-received input is lost, waiting transfers fail."""
        with self._cond:
            self._drop_link_locked()

    def _drop_link_locked(self) -> None:
        self._link_generation += 1
        self._framer.reset()
        self._outbox.clear()
        self._cond.notify_all()
        if self.on_link_drop is not None:
            self.on_link_drop()

    def _check_link(self, generation: int) -> None:
        if generation != self._link_generation or self._closed:
            raise LinkDropped(f"{self.name}: the link is gone")

    def _room(self) -> int:
        if not self._queue:
            # Nothing complete to print: keep taking data, or a job bigger than the buffer
            # could never arrive (real printers print while they receive).
            return 1 << 30
        return self.buffer_bytes - (self._framer.pending + self._queued_bytes)

    def _take(self, chunk: bytes) -> None:
        self.stats.bytes_received += len(chunk)
        for event in self._framer.feed(chunk):
            if isinstance(event, StatusQuery):
                self.stats.status_queries += 1
                self._outbox += self._responder(event.command, self._state_locked())
            elif isinstance(event, JobBytes):
                self._queue.append(_Job(self._next_job, event.data))
                if self.jobs_data is not None:
                    self.jobs_data.append(event.data)
                self._next_job += 1
                self._queued_bytes += len(event.data)
                self.stats.jobs_received += 1
        self._cond.notify_all()

    def _state_locked(self) -> EngineState:
        faults = self._faults
        if self._roll == 0:
            faults = replace(faults, paper_out=True)  # the roll ran out
        return EngineState(
            faults=faults,
            printing=self._printing,
            jobs_waiting=len(self._queue),
            labels_printed=len(self._printed),
            buffer_full=self._room() <= 0,
            partial_job=self._framer.partial,
            media_remaining=self._roll,
        )

    def state(self) -> EngineState:
        with self._cond:
            return self._state_locked()

    # --- the mechanism ---------------------------------------------------------------------

    def _halted(self) -> bool:
        f = self._faults
        halted = f.paper_out or f.head_open or f.paused or f.ribbon_out or f.counterfeit_media
        return halted or self._roll == 0

    def _run_rasteriser(self) -> None:
        while True:
            with self._cond:
                while not self._closed and not any(j.labels is None for j in self._queue):
                    self._cond.wait()
                if self._closed:
                    return
                job = next(j for j in self._queue if j.labels is None)
            labels = self._decode(job.data)
            with self._cond:
                job.labels = labels
                self._cond.notify_all()

    def _run_mechanism(self) -> None:
        while True:
            with self._cond:
                while not self._closed and (not self._queue or self._queue[0].labels is None):
                    self._cond.wait()
                if self._closed:
                    return
                job = self._queue[0]
                self._printing = True
                labels = job.labels or []
            for bitmap in labels:
                if not self._print_one(job, bitmap):
                    return
            with self._cond:
                self._queue.popleft()
                self._queued_bytes -= len(job.data)
                self._printing = bool(self._queue)
                if not self._queue and self._framer.partial:
                    self.stats.host_waits += 1
                self._cond.notify_all()

    def _decode(self, data: bytes) -> list[Bitmap]:
        try:
            return self._decoder(data)
        except Exception as exc:  # noqa: BLE001 (a bad job is recorded, the printer goes on)
            with self._cond:
                self.stats.decode_errors.append(f"{type(exc).__name__}: {exc}")
            return []

    def _print_one(self, job: _Job, bitmap: Bitmap) -> bool:
        with self._cond:
            while self._halted() and not self._closed:
                self._cond.wait()  # a real printer holds the job until the fault is cleared
            if self._closed:
                return False
            if self.labels_per_second:
                done_at = time.monotonic() + 1 / self.labels_per_second
                while not self._closed and (left := done_at - time.monotonic()) > 0:
                    self._cond.wait(left)
                if self._closed:
                    return False
            label = PrintedLabel(len(self._printed), job.number, bitmap, time.monotonic())
            self._printed.append(label)
            if self._roll is not None:
                self._roll -= 1
            self._cond.notify_all()
            callback = self.on_label
        if callback is not None:
            try:
                callback(label)
            except Exception as exc:  # noqa: BLE001 (recorded; the mechanism must go on)
                with self._cond:
                    self.stats.callback_errors.append(f"{type(exc).__name__}: {exc}")
        return True

    # --- observation -----------------------------------------------------------------------

    @property
    def printed(self) -> list[PrintedLabel]:
        with self._cond:
            return list(self._printed)

    def wait_printed(self, count: int, timeout_s: float) -> bool:
        """Wait until at least `count` labels have come out; False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while len(self._printed) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every complete job received so far has printed; False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def close(self) -> None:
        """Stop the mechanism (labels not yet printed are dropped)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in (self._mechanism, self._rasteriser):
            if thread is not threading.current_thread():
                thread.join(timeout=5)
