"""One OS file lock for the print queues and the sandbox, with the Windows byte-0 rule."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from app.domain.file_lock import ExclusiveFileLock
from app.postage.sandbox import store as sandbox_store


def test_the_sandbox_locks_byte_zero_as_windows_needs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """msvcrt locks from the file position; a lock file opened for appending sits at its end,
    so two sandboxes would each lock a different byte and both run (issue 8)."""
    positions: list[int] = []

    def locking(fd: int, mode: int, nbytes: int) -> None:
        import os

        positions.append(os.lseek(fd, 0, 1))

    fake = types.SimpleNamespace(locking=locking, LK_NBLCK=2)
    monkeypatch.setitem(sys.modules, "msvcrt", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    state = tmp_path / "sandbox-state.json"
    state.with_name(state.name + ".lock").write_text("left by an earlier run")
    lock = sandbox_store._lock_state(state)
    assert positions == [0]
    assert isinstance(lock, ExclusiveFileLock)
    lock.release()


def test_a_second_holder_is_refused_until_the_first_lets_go(tmp_path: Path) -> None:
    first, second = ExclusiveFileLock(tmp_path / "x.lock"), ExclusiveFileLock(tmp_path / "x.lock")
    assert first.try_acquire() and not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
