"""The OS file lock lives in app.domain.file_lock (the one layer the sandbox may share)."""

from __future__ import annotations

from app.domain.file_lock import ExclusiveFileLock

__all__ = ["ExclusiveFileLock"]
