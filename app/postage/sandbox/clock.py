"""The sandbox's clock (real time plus an offset tests can advance) and its timings."""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(slots=True)
class Timings:
    """How long the simulated world takes, in sandbox seconds."""

    tracker_step_s: float = 60.0  # pre_transit -> in_transit -> out_for_delivery -> delivered
    batch_s: float = 2.0  # batch creating -> created, queued -> purchased, label generation
    scan_form_s: float = 2.0  # creating -> created / failed
    refund_s: float = 30.0  # submitted -> refunded

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class SandboxClock:
    """Wall-clock time, optionally frozen at a start, plus an offset advanced by tests."""

    def __init__(self, start: datetime | None = None, *, frozen: bool = False) -> None:
        self._lock = threading.Lock()
        self._frozen = frozen
        base = start.timestamp() if start else time.time()
        self._offset = base - time.time() if not frozen else 0.0
        self._frozen_at = base

    def timestamp(self) -> float:
        """Seconds since the epoch, in sandbox time."""
        with self._lock:
            return self._frozen_at if self._frozen else time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward; returns the new timestamp."""
        with self._lock:
            if self._frozen:
                self._frozen_at += seconds
                return self._frozen_at
            self._offset += seconds
            return time.time() + self._offset


def iso_z(ts: float) -> str:
    """EasyPost's timestamp style: 2025-03-07T16:46:20Z."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_offset(ts: float) -> str:
    """EasyPost's address timestamp style: 2025-03-07T16:46:19+00:00."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_iso(value: str) -> float | None:
    """Parse an ISO date or datetime ('Z' allowed) into a timestamp; None if it is not one."""
    text = value.strip().replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()
