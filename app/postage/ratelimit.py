"""One back-off shared by every thread: a 429 anywhere slows everyone, with jitter."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard the gateway tries. Delays are seconds."""

    rate_limit_attempts: int = 8  # 429s in a row before giving up
    safe_retry_attempts: int = 3  # extra tries for reads after 5xx / timeouts / resets
    base_delay: float = 0.5
    max_delay: float = 30.0
    jitter: float = 0.5  # +- fraction of the delay, so threads do not come back together


class SharedBackoff:
    """A cooldown all callers honour: after a 429 nobody calls until it has passed.

    The delay doubles with each 429 in a row (capped) and resets on the first success.
    `clock` and `sleep` are injectable so tests can drive it without waiting.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._resume_at = 0.0
        self._streak = 0
        self.rate_limited_count = 0  # total 429s seen (for progress and benchmarks)

    def delay_for(self, attempt: int) -> float:
        """The jittered delay before retry number `attempt` (1-based)."""
        base = min(self.policy.max_delay, self.policy.base_delay * 2.0 ** max(0, attempt - 1))
        spread = base * self.policy.jitter
        return max(0.0, base + self._rng.uniform(-spread, spread))

    def wait(self) -> None:
        """Block until the shared cooldown (if any) is over."""
        waited = False
        while True:
            with self._lock:
                remaining = self._resume_at - self._clock()
                # Spread the restart, so the waiters do not hit EasyPost again all at once.
                spread = self._rng.uniform(0, self.policy.base_delay * self.policy.jitter)
            if remaining <= 0:
                if waited and spread > 0:
                    self._sleep(spread)
                return
            waited = True
            self._sleep(remaining)

    def rate_limited(self) -> float:
        """Record a 429 and push the shared cooldown out; returns the delay chosen."""
        with self._lock:
            self._streak += 1
            self.rate_limited_count += 1
            delay = self.delay_for(self._streak)
            self._resume_at = max(self._resume_at, self._clock() + delay)
            return delay

    def succeeded(self) -> None:
        """A call went through: the next 429 starts from the base delay again."""
        with self._lock:
            self._streak = 0

    def pause(self, attempt: int) -> None:
        """Sleep before retrying a failed safe call (not shared: only this caller waits)."""
        self._sleep(self.delay_for(attempt))
