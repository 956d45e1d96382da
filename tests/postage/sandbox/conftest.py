"""Sandbox fixtures: a server on a free loopback port, a frozen clock, the official client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import easypost
import pytest
import requests
from sandbox_support import START, make_client

from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(START, frozen=True)


@pytest.fixture
def sandbox(tmp_path: Path, clock: SandboxClock) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox-state.json", clock=clock) as server:
        yield server


@pytest.fixture
def client(sandbox: SandboxServer) -> easypost.EasyPostClient:
    return make_client(sandbox.api_base)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False
    yield session
    session.close()
