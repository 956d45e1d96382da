"""The sandbox's account state: objects by kind, a ledger, and an atomic, group-committed file."""

from __future__ import annotations

import heapq
import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

from app.domain.errors import AppError, ErrorKind

JsonObj = dict[str, Any]

STATE_VERSION = 1
KINDS = (
    "addresses",
    "parcels",
    "customs_items",
    "customs_infos",
    "shipments",
    "rates",
    "batches",
    "scan_forms",
    "pickups",
    "trackers",
    "refunds",
)
#: How long a non-urgent change may wait before it is written (seconds).
DEBOUNCE_S = 0.25


def new_id(prefix: str) -> str:
    """EasyPost ids: prefix + '_' + 32 hex digits."""
    return f"{prefix}_{uuid.uuid4().hex}"


class SandboxStore:
    """All objects of the sandbox account. Callers hold `lock` around reads and mutations."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.objects: dict[str, dict[str, JsonObj]] = {kind: {} for kind in KINDS}
        # Internal per-object data that EasyPost does not show (timestamps of simulated events).
        self.meta: dict[str, JsonObj] = {}
        self.ledger: list[JsonObj] = []
        self.tracking_sequence = 0
        self._due: list[tuple[float, str]] = []  # (due timestamp, object id)
        self._generation = 0
        self._written = 0
        self._cond = threading.Condition(threading.Lock())
        self._closing = False
        self._urgent = False
        self._writer: threading.Thread | None = None
        if path is not None and path.exists():
            self._load(path)

    # -- scheduling ---------------------------------------------------------------------------

    def schedule(self, due_at: float, object_id: str) -> None:
        """Ask for `object_id` to be advanced at `due_at` (see SandboxApi.tick)."""
        self.meta.setdefault(object_id, {})["due_at"] = due_at
        heapq.heappush(self._due, (due_at, object_id))

    def pop_due(self, now: float) -> list[str]:
        """Ids whose scheduled time has come (each at most once per schedule)."""
        ready: list[str] = []
        while self._due and self._due[0][0] <= now:
            due_at, object_id = heapq.heappop(self._due)
            meta = self.meta.get(object_id, {})
            if meta.get("due_at") == due_at:
                meta.pop("due_at", None)
                ready.append(object_id)
        return ready

    def next_due(self) -> float | None:
        return self._due[0][0] if self._due else None

    # -- persistence --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background writer (no-op without a state file)."""
        if self.path is None or self._writer is not None:
            return
        self._writer = threading.Thread(target=self._write_loop, name="sandbox-state", daemon=True)
        self._writer.start()

    def mark_dirty(self) -> int:
        """Record a change; returns its generation (to wait for with `wait_durable`)."""
        with self._cond:
            self._generation += 1
            self._cond.notify_all()
            return self._generation

    def wait_durable(self, generation: int, timeout: float = 30.0) -> None:
        """Block until the change `generation` is on disk (a buy is durable before it answers)."""
        if self.path is None:
            return
        with self._cond:
            self._urgent = True
            self._cond.notify_all()
            if not self._cond.wait_for(lambda: self._written >= generation, timeout):
                raise AppError(
                    f"The sandbox could not save its state to {self.path} in time.",
                    hint="Check that the folder is writable and the disk is not full.",
                    kind=ErrorKind.INTERNAL,
                )

    def close(self) -> None:
        """Write what is pending and stop the writer."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._writer is not None:
            self._writer.join(timeout=30)
            self._writer = None
        self.save()

    def _write_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._generation > self._written or self._closing)
                if self._generation == self._written and self._closing:
                    return
                if not self._urgent and not self._closing:
                    # Debounce: let more changes pile up, unless someone waits for durability.
                    self._cond.wait_for(lambda: self._urgent or self._closing, DEBOUNCE_S)
                self._urgent = False
                target = self._generation
            self.save()
            with self._cond:
                self._written = max(self._written, target)
                self._cond.notify_all()

    def snapshot(self) -> JsonObj:
        with self.lock:
            return {
                "version": STATE_VERSION,
                "tracking_sequence": self.tracking_sequence,
                "objects": self.objects,
                "meta": self.meta,
                "ledger": self.ledger,
            }

    def save(self) -> None:
        """Write the state atomically: a temporary file in the same folder, then rename."""
        if self.path is None:
            return
        with self.lock:
            text = json.dumps(self.snapshot(), separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.path)

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise AppError(
                f"The sandbox state file {path} cannot be read: {error}.",
                hint="Move the file away to start the sandbox with an empty account.",
                kind=ErrorKind.INVALID_INPUT,
            ) from error
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise AppError(
                f"The sandbox state file {path} is not a version {STATE_VERSION} state.",
                hint="Move the file away to start the sandbox with an empty account.",
                kind=ErrorKind.INVALID_INPUT,
            )
        for kind in KINDS:
            self.objects[kind] = dict(data["objects"].get(kind, {}))
        self.meta = dict(data.get("meta", {}))
        self.ledger = list(data.get("ledger", []))
        self.tracking_sequence = int(data.get("tracking_sequence", 0))
        for object_id, meta in self.meta.items():
            if "due_at" in meta:
                heapq.heappush(self._due, (float(meta["due_at"]), object_id))
