"""A running sandbox advertises its address beside its state file, so a second process on the
same profile (the CLI beside the demo window) talks to it instead of failing on the state lock.

`<state>.url` holds {"api_base": ..., "pid": ...}; it is written once the state file is locked
and removed when that sandbox stops. A reader trusts it only when the sandbox answers its
health check with the same address: a file left by a killed process is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.request
from pathlib import Path

#: How long a health check may take: the sandbox is on loopback, it answers in milliseconds.
HEALTH_TIMEOUT_S = 2.0


def url_file(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".url")


def advertise(state_path: Path, api_base: str) -> None:
    """Write where this sandbox serves `state_path` (atomically, readable by this user only)."""
    target = url_file(state_path)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"api_base": api_base, "pid": os.getpid()}, handle)
    temporary.replace(target)


def withdraw(state_path: Path, api_base: str) -> None:
    """Remove the advertisement if it is still this sandbox's."""
    if advertised(state_path) == api_base:
        with contextlib.suppress(OSError):
            url_file(state_path).unlink()


def advertised(state_path: Path) -> str | None:
    """The address written beside `state_path`, without checking it."""
    try:
        data = json.loads(url_file(state_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    base = data.get("api_base") if isinstance(data, dict) else None
    return base if isinstance(base, str) and base.startswith("http://127.0.0.1:") else None


def running_sandbox(state_path: Path) -> str | None:
    """The api_base of the live sandbox serving `state_path`, or None."""
    api_base = advertised(state_path)
    if api_base is None:
        return None
    health = api_base.removesuffix("/v2") + "/_sandbox/health"
    # Loopback only (checked above): no proxy may see it.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(health, timeout=HEALTH_TIMEOUT_S) as response:
            body = json.loads(response.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(body, dict) and body.get("ok") and body.get("api_base") == api_base:
        return api_base
    return None
