"""The sandbox's account state: objects by kind, a ledger, and an atomic, group-committed file."""

from __future__ import annotations

import heapq
import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from app.domain.errors import AppError, ErrorKind
from app.domain.file_lock import ExclusiveFileLock

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
    "insurances",
    "end_shippers",
    "orders",
)
#: How long a non-urgent change may wait before it is written (seconds).
DEBOUNCE_S = 0.25
#: Fold the journal into the state file when it grows past this, or this often (seconds).
COMPACT_BYTES = 8 * 1024 * 1024
COMPACT_EVERY_S = 120.0
KIND_BY_PREFIX = {
    "adr": "addresses", "prcl": "parcels", "cstitem": "customs_items", "cstinfo": "customs_infos",
    "shp": "shipments", "rate": "rates", "batch": "batches", "sf": "scan_forms",
    "pickup": "pickups", "trk": "trackers", "rfnd": "refunds",
    "ins": "insurances", "es": "end_shippers", "order": "orders",
}  # fmt: skip


def _lock_state(path: Path) -> ExclusiveFileLock:
    """An exclusive, non-blocking lock on `<state>.lock`, held until released."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = ExclusiveFileLock(path.with_name(path.name + ".lock"))
    if not lock.try_acquire():
        raise AppError(
            f"The sandbox state file {path} is in use by another running sandbox.",
            hint="Stop the other sandbox, or talk to it with --api-base URL (the first line it "
            "printed), or give this one its own --state file.",
            kind=ErrorKind.CONFLICT,
        )
    return lock


def _owned_ids(shipment: JsonObj) -> list[str]:
    owned = [(shipment.get(key) or {}).get("id") for key in ("tracker", "postage_label")]
    owned += [form.get("id") for form in shipment.get("forms") or ()]
    return [object_id for object_id in owned if object_id]


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
        self._dirty: set[str] = set()
        self._ledger_journaled = 0
        self._file_lock: ExclusiveFileLock | None = None
        if path is not None:
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
    #
    # The state file is a full JSON snapshot, replaced atomically (temporary file + rename). Between
    # snapshots, changed objects are appended to "<state>.journal" (one JSON line per object),
    # group-committed with fsync, so a buy is durable in milliseconds however big the day got.
    # Loading reads the snapshot and replays the journal; compaction folds the journal back in.

    @property
    def journal_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".journal")

    def start(self) -> None:
        """Lock the state file for this process and start the background writer.

        Raises:
            AppError: when another sandbox (another process or server) uses the same file.
        """
        if self.path is None or self._writer is not None:
            return
        self._file_lock = _lock_state(self.path)
        self._writer = threading.Thread(target=self._write_loop, name="sandbox-state", daemon=True)
        self._writer.start()

    def touch(self, ids: Iterable[str]) -> int:
        """Record that these objects (and their meta) changed; returns the change's generation."""
        with self._cond:
            self._dirty.update(ids)
            self._generation += 1
            self._cond.notify_all()
            return self._generation

    def mark_dirty(self) -> int:
        """Record a change without naming objects (the ledger or sequence moved)."""
        return self.touch(())

    def wait_durable(self, generation: int, timeout: float = 30.0) -> None:
        """Block until change `generation` is on disk (a buy is durable before it answers)."""
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
        """Write what is pending, compact the journal into the state file, stop the writer."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._writer is not None:
            self._writer.join(timeout=60)
            self._writer = None
        if self._file_lock is not None:  # only the process that owns the file writes it
            self.save()
            self._file_lock.release()
            self._file_lock = None

    def _write_loop(self) -> None:
        last_compaction = time.monotonic()
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
                dirty, self._dirty = self._dirty, set()
            journal = self.journal_path
            assert journal is not None
            size = journal.stat().st_size if journal.exists() else 0
            if size > COMPACT_BYTES or time.monotonic() - last_compaction > COMPACT_EVERY_S:
                self.save()
                last_compaction = time.monotonic()
            else:
                self._append_journal(dirty)
            with self._cond:
                self._written = max(self._written, target)
                self._cond.notify_all()

    def _journal_lines(self, dirty: set[str]) -> list[str]:
        lines: list[str] = []
        with self.lock:
            ids = set(dirty)
            for object_id in dirty:  # a batch or SCAN form changes its shipments too
                ids.update(self.meta.get(object_id, {}).get("shipment_ids", ()))
            for object_id in list(ids):  # and a bought shipment has a tracker, label and forms
                shipment = self.objects["shipments"].get(object_id)
                if shipment is not None:
                    ids.update(_owned_ids(shipment))
            for object_id in sorted(ids):
                kind = KIND_BY_PREFIX.get(object_id.split("_", 1)[0])
                if kind is not None:
                    body = self.objects[kind].get(object_id)
                    record: JsonObj = {"o": kind, "id": object_id, "v": body}
                    lines.append(json.dumps(record, separators=(",", ":")))
                if object_id in self.meta:
                    record = {"m": object_id, "v": self.meta[object_id]}
                    lines.append(json.dumps(record, separators=(",", ":")))
            for index in range(self._ledger_journaled, len(self.ledger)):
                record = {"l": index, "v": self.ledger[index]}
                lines.append(json.dumps(record, separators=(",", ":")))
            self._ledger_journaled = len(self.ledger)
            lines.append(json.dumps({"t": self.tracking_sequence}))
        return lines

    def _append_journal(self, dirty: set[str]) -> None:
        journal = self.journal_path
        assert journal is not None
        lines = self._journal_lines(dirty)
        journal.parent.mkdir(parents=True, exist_ok=True)
        with journal.open("a", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

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
        """Write the whole state atomically (temporary file, then rename) and drop the journal."""
        if self.path is None:
            return
        with self.lock:
            text = json.dumps(self.snapshot(), separators=(",", ":"))
            self._ledger_journaled = len(self.ledger)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(self.path)
        journal = self.journal_path
        if journal is not None:
            journal.unlink(missing_ok=True)

    def _refuse(self, path: Path, why: str) -> AppError:
        return AppError(
            f"The sandbox state file {path} cannot be used: {why}.",
            hint="Move the file and its .journal away to start with an empty sandbox account.",
            kind=ErrorKind.INVALID_INPUT,
        )

    def _load(self, path: Path) -> None:
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise self._refuse(path, str(error)) from error
            if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
                raise self._refuse(path, f"it is not a version {STATE_VERSION} sandbox state")
            for kind in KINDS:
                self.objects[kind] = dict(data["objects"].get(kind, {}))
            self.meta = dict(data.get("meta", {}))
            self.ledger = list(data.get("ledger", []))
            self.tracking_sequence = int(data.get("tracking_sequence", 0))
        journal = self.journal_path
        if journal is not None and journal.exists():
            self._replay(journal)
        self._ledger_journaled = len(self.ledger)
        for object_id, meta in self.meta.items():
            if "due_at" in meta:
                heapq.heappush(self._due, (float(meta["due_at"]), object_id))

    def _replay(self, journal: Path) -> None:
        for line in journal.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                break  # a line cut short by a crash: everything before it counts
            if "o" in record:
                if record["v"] is None:
                    self.objects[record["o"]].pop(record["id"], None)
                else:
                    self.objects[record["o"]][record["id"]] = record["v"]
            elif "m" in record:
                self.meta[record["m"]] = record["v"]
            elif "l" in record:
                index = int(record["l"])
                if index < len(self.ledger):
                    self.ledger[index] = record["v"]
                else:
                    self.ledger.append(record["v"])
            elif "t" in record:
                self.tracking_sequence = max(self.tracking_sequence, int(record["t"]))
