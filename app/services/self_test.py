"""`packdesk --self-test`: run named checks, time each, and report pass or fail with the fix.

A check is a function that returns what it found (one line) or raises: `SelfTestWarning` for
something a desk can live with (reported, exit 0), anything else for a failure (exit 1). A
failure is shown with its reason and the fix, never a traceback: the report is what a
warehouse PC's owner reads over the phone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

#: The fix of a check that finds the installation itself incomplete.
BUILD_FIX = "Reinstall Packdesk; if it persists, the build is missing this file: report it."
#: The issue's budget for the whole self-test.
TARGET_SECONDS = 15.0
NAME_WIDTH = 9


class Outcome(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


class SelfTestWarning(Exception):  # noqa: N818 (a finding, not an error)
    """A check found something a desk can work without; `fix` says how to improve it."""

    def __init__(self, detail: str, fix: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


@dataclass(frozen=True, slots=True)
class Check:
    """One named check: returns a one-line finding or raises. A check still running after
    `timeout_s` fails with `stuck_fix` (a self-test that hangs would be worse than useless)."""

    name: str
    run: Callable[[], str]
    timeout_s: float = 20.0
    stuck_fix: str = (
        "Something on this PC blocks this check: run the self-test again, and send the "
        "report to whoever installed Packdesk if it stays stuck."
    )


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    outcome: Outcome
    detail: str
    seconds: float
    fix: str = ""


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    header: str
    results: tuple[CheckResult, ...]
    seconds: float

    @property
    def passed(self) -> bool:
        return all(r.outcome is not Outcome.FAIL for r in self.results)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    def summary(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        slow = (
            "; slower than it should be: is the PC busy?" if self.seconds > TARGET_SECONDS else ""
        )
        return (
            f"self-test {verdict} in {self.seconds:.1f} s (target {TARGET_SECONDS:.0f} s): "
            f"{self.count(Outcome.OK)} ok, {_plural(self.count(Outcome.WARN), 'warning')}, "
            f"{self.count(Outcome.FAIL)} failed{slow}"
        )

    def text(self) -> str:
        """The report as printed: one line per check, reason and fix under each problem."""
        return "\n".join([self.header, *map(format_result, self.results), self.summary()])


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def format_result(result: CheckResult) -> str:
    """One check's line (and its fix on the next line)."""
    line = (
        f"  {result.outcome.value:<4}  {result.name:<{NAME_WIDTH}}  "
        f"{result.seconds:5.2f} s  {result.detail}"
    )
    if result.fix:
        line += f"\n{'':<{NAME_WIDTH + 19}}fix: {result.fix}"
    return line


def _failure(error: Exception) -> tuple[str, str]:
    """(reason, fix) of a failed check. AppError and PrinterError carry both."""
    message = getattr(error, "message", "") or str(error) or type(error).__name__
    hint = getattr(error, "hint", "")
    if hint:
        return str(message), str(hint)
    return (
        f"{type(error).__name__}: {message}",
        "This build is broken, not the desk: send this report to whoever installed Packdesk.",
    )


def run_check(check: Check, clock: Callable[[], float] = time.perf_counter) -> CheckResult:
    """Run one check on a worker thread and time it; no exception escapes.

    A check that outlives its timeout is reported and left behind (a daemon thread: it
    cannot keep the process alive, and nothing waits for it).
    """
    started = clock()
    done: list[str | Exception] = []

    def work() -> None:
        try:
            done.append(check.run())
        except Exception as error:  # noqa: BLE001 (every failure becomes a line of the report)
            done.append(error)

    worker = threading.Thread(target=work, name=f"self-test-{check.name}", daemon=True)
    worker.start()
    worker.join(check.timeout_s)
    seconds = clock() - started
    if not done:
        reason = f"did not finish within {check.timeout_s:g} s"
        return CheckResult(check.name, Outcome.FAIL, reason, seconds, check.stuck_fix)
    found = done[0]
    if isinstance(found, SelfTestWarning):
        return CheckResult(check.name, Outcome.WARN, found.detail, seconds, found.fix)
    if isinstance(found, Exception):
        reason, fix = _failure(found)
        return CheckResult(check.name, Outcome.FAIL, reason, seconds, fix)
    return CheckResult(check.name, Outcome.OK, found, seconds)


def run_self_test(
    checks: Sequence[Check],
    header: str,
    *,
    on_result: Callable[[CheckResult], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> SelfTestReport:
    """Run `checks` in order; `on_result` sees each result as soon as it is known."""
    started = clock()
    results: list[CheckResult] = []
    for check in checks:
        result = run_check(check, clock)
        results.append(result)
        if on_result is not None:
            on_result(result)
    return SelfTestReport(header, tuple(results), clock() - started)
