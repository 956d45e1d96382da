"""Files and folders only their owner may read: customers' addresses live in them.

Profile folders are 0700, the database (with its WAL and SHM), backups, logs and label files
0600, whatever the umask. On Windows the modes are ignored (ACLs of the user's profile apply).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: The umask under which new files are private (SQLite creates its -wal and -shm files itself).
PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) if needed; make `path` itself 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    _chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing (never through a symlink) and make it 0600."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, flags, PRIVATE_FILE_MODE))
    _chmod(path, PRIVATE_FILE_MODE)
    return path


def make_private(path: Path) -> None:
    """Make an existing file 0600 (a no-op for a missing one)."""
    if path.exists():
        _chmod(path, PRIVATE_FILE_MODE)


def restrict_umask() -> int:
    """Make files this process creates from now on private; returns the previous umask."""
    return os.umask(PRIVATE_UMASK)


def _chmod(path: Path, mode: int) -> None:
    if os.name == "nt":
        return
    with contextlib.suppress(OSError):  # not ours (a shared folder): leave it as it is
        path.chmod(mode)
