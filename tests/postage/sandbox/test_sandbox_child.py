"""The sandbox as a child process (the window's): it answers, it is found by the CLI, and it
stops when told or when its parent goes (its standard input closes)."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.postage.sandbox.child import SandboxProcess
from app.postage.sandbox.discovery import running_sandbox

START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def _clock(api_base: str) -> str:
    url = api_base.removesuffix("/v2") + "/_sandbox/clock"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        return str(json.loads(response.read())["now"])


def test_the_child_serves_is_found_and_stops(tmp_path: Path) -> None:
    state = tmp_path / "sandbox-state.json"
    home = tmp_path / "home"
    child = SandboxProcess(state, START, ["--profile", "desk", "--home", str(home)]).start()
    try:
        assert running_sandbox(state) == child.api_base  # the CLI beside the window finds it
        assert _clock(child.api_base).startswith("2026-03-02T15:0")  # the window's clock
        with pytest.raises(AppError) as second:
            SandboxProcess(state, START).start()  # one sandbox per state file
        assert second.value.kind is ErrorKind.CONFLICT
    finally:
        child.stop()
    assert running_sandbox(state) is None
    assert state.exists()  # its state was saved on the way out
    assert (home / "profiles" / "desk" / "logs").is_dir()  # the window's profile, no other
    assert [p.name for p in (home / "profiles").iterdir()] == ["desk"]
