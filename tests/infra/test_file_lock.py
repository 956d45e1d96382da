"""ExclusiveFileLock: one holder at a time, free again after release."""

from __future__ import annotations

from pathlib import Path

from app.infra.file_lock import ExclusiveFileLock


def test_one_holder_at_a_time(tmp_path: Path) -> None:
    first, second = ExclusiveFileLock(tmp_path / "x.lock"), ExclusiveFileLock(tmp_path / "x.lock")
    assert first.try_acquire()
    assert not second.try_acquire()
    first.release()
    assert second.try_acquire()
    second.release()
    second.release()  # releasing twice is harmless
