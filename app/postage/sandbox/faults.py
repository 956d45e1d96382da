"""Fault injection for the sandbox: latency, 5xx, 429 bursts, dropped buys, slow labels.

Spec syntax (command line `--fault SPEC`, repeatable, or comma-separated in one SPEC):
    latency=200                 every API request waits 200 ms
    latency:shipment.buy=500    one operation waits 500 ms (names: see server.ROUTES)
    error-rate=0.1              10 % of API requests answer 500 (seeded)
    error-status=503            the status used by error-rate (500, 502 HTML, 503)
    error-op=shipment.create    error-rate only for this operation (repeatable)
    429-burst=5                 the next 5 API requests answer 429
    429-rate=0.05               5 % of API requests answer 429 (seeded)
    drop-after-buy=1            the next buy commits, then the socket closes with no response
    slow-label=300              label generation (buy, label conversion, label files) +300 ms
    scan-form-fail=1            the next SCAN form ends in status "failed"
    seed=42                     seed of the random draws
"""

from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from app.domain.errors import AppError, ErrorKind


@dataclass(slots=True)
class FaultConfig:
    """What to inject. All zero = a well-behaved EasyPost."""

    latency_ms: int = 0
    op_latency_ms: dict[str, int] = field(default_factory=dict)
    error_rate: float = 0.0
    error_status: int = 500
    error_ops: list[str] = field(default_factory=list)
    burst_429: int = 0
    rate_429: float = 0.0
    drop_after_buy: int = 0
    slow_label_ms: int = 0
    scan_form_fail: int = 0
    seed: int = 0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def merged(self, changes: dict[str, Any]) -> FaultConfig:
        """A copy with `changes` applied (JSON from the control endpoint)."""
        known = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise AppError(
                f"Unknown fault setting(s): {', '.join(unknown)}.",
                hint=f"Known settings: {', '.join(sorted(known))}.",
                kind=ErrorKind.INVALID_INPUT,
            )
        return dataclasses.replace(self, **changes)


_SCALARS: dict[str, tuple[str, type]] = {
    "latency": ("latency_ms", int),
    "error-rate": ("error_rate", float),
    "error-status": ("error_status", int),
    "429-burst": ("burst_429", int),
    "429-rate": ("rate_429", float),
    "drop-after-buy": ("drop_after_buy", int),
    "slow-label": ("slow_label_ms", int),
    "scan-form-fail": ("scan_form_fail", int),
    "seed": ("seed", int),
}


def parse_fault_spec(spec: str, base: FaultConfig | None = None) -> FaultConfig:
    """Parse `name=value[,name=value...]` into a FaultConfig (on top of `base`).

    Raises:
        AppError: for an unknown name or a value that is not a number.
    """
    config = dataclasses.replace(base) if base else FaultConfig()
    config.op_latency_ms = dict(config.op_latency_ms)
    config.error_ops = list(config.error_ops)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, sep, value = part.partition("=")
        name, value = name.strip().lower(), value.strip()
        try:
            if not sep:
                raise ValueError(part)
            if name.startswith("latency:"):
                config.op_latency_ms[name.split(":", 1)[1]] = int(value)
            elif name == "error-op":
                config.error_ops.append(value)
            elif name in _SCALARS:
                attr, kind = _SCALARS[name]
                setattr(config, attr, kind(value))
            else:
                raise KeyError(name)
        except (KeyError, ValueError) as error:
            raise AppError(
                f"Fault spec {part!r} is not understood.",
                hint="Use e.g. latency=200, latency:shipment.buy=500, error-rate=0.1, "
                "429-burst=3, drop-after-buy=1, slow-label=300, scan-form-fail=1, seed=7.",
                kind=ErrorKind.INVALID_INPUT,
            ) from error
    return config


@dataclass(frozen=True, slots=True)
class FaultDecision:
    """What to do with one API request before handling it."""

    delay_s: float = 0.0
    status: int | None = None  # answer with this error status instead of handling


class FaultInjector:
    """Thread-safe, seeded source of fault decisions."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._config = config or FaultConfig()
        self._random = random.Random(self._config.seed)

    @property
    def config(self) -> FaultConfig:
        with self._lock:
            return self._config

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            reseed = config.seed != self._config.seed
            self._config = config
            if reseed:
                self._random = random.Random(config.seed)

    def before(self, op: str) -> FaultDecision:
        with self._lock:
            config = self._config
            delay_ms = config.op_latency_ms.get(op, config.latency_ms)
            status: int | None = None
            if config.burst_429 > 0:
                config.burst_429 -= 1
                status = 429
            elif config.rate_429 and self._random.random() < config.rate_429:
                status = 429
            elif (
                config.error_rate
                and (not config.error_ops or op in config.error_ops)
                and self._random.random() < config.error_rate
            ):
                status = config.error_status
            return FaultDecision(delay_ms / 1000.0, status)

    def take_drop_after_buy(self) -> bool:
        with self._lock:
            if self._config.drop_after_buy > 0:
                self._config.drop_after_buy -= 1
                return True
            return False

    def take_scan_form_failure(self) -> bool:
        with self._lock:
            if self._config.scan_form_fail > 0:
                self._config.scan_form_fail -= 1
                return True
            return False

    @property
    def slow_label_s(self) -> float:
        with self._lock:
            return self._config.slow_label_ms / 1000.0
