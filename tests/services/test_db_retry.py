"""Retrying a unit of work while the database server connection is lost, and only then."""

from __future__ import annotations

import pytest

from app.domain.errors import AppError, ErrorKind
from app.services.db_retry import retry_lost_connection
from app.store.db_errors import CONNECTION_LOST


def _lost() -> AppError:
    return AppError("lost", kind=ErrorKind.DATABASE, details={"connection": CONNECTION_LOST})


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def test_a_lost_connection_is_retried_until_the_work_succeeds() -> None:
    time = FakeTime()
    attempts = iter([_lost(), _lost(), _lost(), None])

    def work() -> str:
        error = next(attempts)
        if error is not None:
            raise error
        return "done"

    assert retry_lost_connection(work, clock=time.clock, sleep=time.sleep) == "done"
    assert time.waits == [0.1, 0.2, 0.4]  # doubling, at most a second apart


def test_patience_bounds_the_wait_then_the_error_is_raised() -> None:
    time = FakeTime()
    calls = 0

    def work() -> None:
        nonlocal calls
        calls += 1
        raise _lost()

    with pytest.raises(AppError, match="lost"):
        retry_lost_connection(work, patience=3.0, clock=time.clock, sleep=time.sleep)
    assert time.now <= 3.0 and calls == len(time.waits) + 1
    assert max(time.waits) == 1.0


def test_any_other_error_is_raised_at_once() -> None:
    time = FakeTime()

    def work() -> None:
        raise AppError("database is full", kind=ErrorKind.DATABASE)

    with pytest.raises(AppError, match="full"):
        retry_lost_connection(work, clock=time.clock, sleep=time.sleep)
    assert time.waits == []
