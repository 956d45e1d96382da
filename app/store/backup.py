"""Copy a live SQLite database with SQLite's online backup API (safe while others write)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from app.domain.errors import AppError, ErrorKind


def backup_database(source: Path, target: Path) -> int:
    """Copy `source` to `target` (a new file) and return its size in bytes.

    One backup step copies every page inside one read transaction: in WAL mode writers carry on
    meanwhile, and the copy is the database as of one commit (a stepwise copy would restart
    each time another connection writes, and might never finish on a busy desk). The copy is
    written beside `target`, checked, synced and renamed, so `target` is whole or absent.

    Raises:
        AppError: DATABASE when the source cannot be read; CONFLICT when `target` exists.
    """
    if target.exists():
        raise AppError(
            f"{target} exists already; a backup never overwrites a file.",
            hint="Choose another name or folder.",
            kind=ErrorKind.CONFLICT,
            details={"path": str(target)},
        )
    if not source.is_file():
        raise AppError(
            f"There is no database at {source} to back up.",
            kind=ErrorKind.NOT_FOUND,
            details={"path": str(source)},
        )
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".backup-", suffix=".sqlite3", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
                (verdict,) = dst.execute("PRAGMA quick_check").fetchone()
                dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            finally:
                dst.close()
        finally:
            src.close()
        if verdict != "ok":
            raise AppError(
                f"The backup copy failed its check ({verdict}).",
                hint="Run the backup again; if it fails again, the database needs repair.",
                kind=ErrorKind.DATABASE,
            )
        tmp.chmod(0o600)  # customers' addresses: for this user only
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        tmp.replace(target)
    except sqlite3.Error as error:
        raise AppError(
            f"The database could not be backed up: {type(error).__name__}.",
            hint="Check that the disk has room and the backup folder is writable.",
            kind=ErrorKind.DATABASE,
        ) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target.stat().st_size
