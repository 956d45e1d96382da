"""An exclusive, non-blocking OS file lock that the OS drops when its process dies.

It sits in domain, the lowest layer, because both services (the print queues) and the offline
sandbox (its state file) need it and neither may import the other's layer: one copy, one
Windows fix (msvcrt locks from the file position, so always from byte 0).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO


class ExclusiveFileLock:
    """One holder across processes (fcntl on POSIX, msvcrt on Windows).

    Because the OS releases it when the process ends, even by SIGKILL, a crash never leaves
    it stuck, unlike a lock *file* whose existence is the lock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def try_acquire(self) -> bool:
        """Take the lock; False when another holder has it."""
        handle = self.path.open("a+b")
        try:
            # msvcrt locks bytes from the current position: always lock byte 0.
            handle.seek(0)
            if sys.platform == "win32":
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        """Let the next holder in (closing the handle drops the OS lock)."""
        handle, self._handle = self._handle, None
        if handle is not None:
            handle.close()
