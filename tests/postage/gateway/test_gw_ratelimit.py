"""The shared back-off: one 429 slows every thread; delays grow, jitter, and reset."""

from __future__ import annotations

import random
import threading

from app.postage.ratelimit import RetryPolicy, SharedBackoff


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_delays_double_with_jitter_and_cap() -> None:
    clock = FakeClock()
    backoff = SharedBackoff(
        RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=0.25),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(1),
    )
    delays = [backoff.rate_limited() for _ in range(6)]
    for n, delay in enumerate(delays, start=1):
        base = min(8.0, 2.0 ** (n - 1))
        assert base * 0.75 <= delay <= base * 1.25
    assert len(set(delays)) == len(delays)  # jittered
    backoff.succeeded()
    assert backoff.rate_limited() <= 1.25


def test_cooldown_is_shared_by_all_waiters() -> None:
    clock = FakeClock()
    backoff = SharedBackoff(RetryPolicy(base_delay=2.0, jitter=0.0), clock=clock, sleep=clock.sleep)
    backoff.wait()
    assert clock.slept == []
    backoff.rate_limited()
    backoff.wait()  # another caller: must wait out the same cooldown
    assert clock.slept == [2.0]
    backoff.wait()
    assert clock.slept == [2.0]


def test_threads_block_until_cooldown_passes() -> None:
    backoff = SharedBackoff(RetryPolicy(base_delay=0.05, jitter=0.0))
    backoff.rate_limited()
    passed = threading.Event()

    def worker() -> None:
        backoff.wait()
        passed.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert passed.wait(5)
    thread.join(5)
    assert backoff.rate_limited_count == 1


def test_waiters_restart_spread_out() -> None:
    clock = FakeClock()
    backoff = SharedBackoff(
        RetryPolicy(base_delay=1.0, jitter=0.5),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(3),
    )
    backoff.rate_limited()
    cooldown_end = clock.now + 2.0
    restarts = []
    for _ in range(5):
        clock.now = 0.0
        clock.slept.clear()
        backoff._resume_at = cooldown_end  # the same cooldown seen by five waiters
        backoff.wait()
        restarts.append(clock.now)
    assert all(2.0 <= t <= 2.5 for t in restarts)
    assert len(set(restarts)) == 5  # not all at the same instant
