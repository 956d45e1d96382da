"""Is a process of this machine still running (for stale leases)."""

from __future__ import annotations

import os
import sys


def pid_alive(pid: int) -> bool | None:
    """True/False for a process of this machine; None when it cannot be told here (Windows)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return None  # os.kill(pid, 0) would terminate it there: rely on the heartbeat
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
