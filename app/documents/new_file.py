"""Creating a file Packdesk writes: 0600, never through a symlink, never over a file unless asked.

One copy of the rule for every CSV and PDF (a second copy had already drifted once).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from app.domain.errors import AppError, ErrorKind


def create_descriptor(path: Path, *, overwrite: bool = False) -> int:
    """Open `path` for writing and return its descriptor.

    Without `overwrite`, an existing file is refused; with it, the file is replaced, but a
    symlink still is not followed (it could point anywhere, such as another user's file).

    Raises:
        AppError: the file exists, is a symlink, or cannot be created.
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    if path.is_symlink():
        raise refused(path, "it is a symbolic link", "Write to a plain file path instead.")
    try:
        return os.open(path, flags, 0o600)
    except FileExistsError as exc:
        raise refused(
            path, "the file already exists", "Choose a new file name, or pass --overwrite."
        ) from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise refused(path, "it is a symbolic link", "Write to a plain file path.") from exc
        raise refused(
            path, exc.strerror or type(exc).__name__, "Choose a folder you can write to."
        ) from exc


def write_failed(path: Path, exc: OSError) -> AppError:
    """The error for a write that failed after the file was created (a full disk, mostly)."""
    return refused(
        path, exc.strerror or type(exc).__name__, "Free some disk space, then try again."
    )


def refused(path: Path, reason: str, hint: str) -> AppError:
    """A file Packdesk will not or cannot write, named by its file name and the fix."""
    return AppError(
        f"cannot write {path.name}: {reason}",
        hint=hint,
        kind=ErrorKind.INVALID_INPUT,
        details={"file": str(path)},
    )
