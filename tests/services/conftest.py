"""Shared fixtures: a fresh, migrated database file, and the sandbox with a gateway on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.postage.gateway import EasyPostGateway
from app.postage.sandbox.server import SandboxServer
from app.services.print_queue import PrintQueueService
from app.store import Store, open_store
from tests.services.purchase_world import make_gateway


@pytest.fixture
def store(tmp_path: Path, db_target: Path | str) -> Iterator[Store]:
    """A fresh database, on SQLite and on PostgreSQL (tests/pg_cluster.py)."""
    opened = open_store(db_target, anchor=tmp_path / "packdesk-pg.local")
    yield opened
    opened.close()


@pytest.fixture
def services() -> Iterator[list[PrintQueueService]]:
    """Print queue services a test made; closed (their threads stopped) after it."""
    made: list[PrintQueueService] = []
    yield made
    for service in made:
        service.close()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox.json") as server:
        yield server


@pytest.fixture
def gateway(sandbox: SandboxServer) -> Iterator[EasyPostGateway]:
    gw = make_gateway(sandbox.api_base)
    yield gw
    gw.close()
