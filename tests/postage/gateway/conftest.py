"""Fixtures: the sandbox on a free loopback port and a gateway pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import keyring
import pytest
from gw_support import MemoryKeyring, make_gateway

from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.clock import SandboxClock
from app.postage.sandbox.server import SandboxServer
from tests.dates import aware


@pytest.fixture
def sandbox(tmp_path: Path, desk_moment: datetime) -> Iterator[SandboxServer]:
    """The sandbox on a fixed day (tests.dates), never today."""
    clock = SandboxClock(aware(desk_moment))
    with SandboxServer(tmp_path / "sandbox-state.json", clock=clock) as server:
        yield server


@pytest.fixture
def gateway(sandbox: SandboxServer) -> Iterator[EasyPostGateway]:
    gw = make_gateway(sandbox.api_base)
    yield gw
    gw.close()


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
