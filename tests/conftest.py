"""Test-wide set-up: Qt offscreen, no real user folders, no network proxies for loopback."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from tests.dates import DEFAULT_MOMENT

# Before anything imports Qt: GUI tests run without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Loopback calls (sandbox, TCP printers) must not be sent to a proxy.
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Every test gets its own PACKDESK_HOME so nothing touches the real profile."""
    home = tmp_path_factory.mktemp("packdesk-home")
    monkeypatch.setenv("PACKDESK_HOME", str(home))
    monkeypatch.delenv("PACKDESK_DB", raising=False)
    monkeypatch.delenv("PACKDESK_PROFILE", raising=False)
    monkeypatch.delenv("EASYPOST_API_KEY", raising=False)
    monkeypatch.delenv("EASYPOST_API_BASE", raising=False)
    yield home


@pytest.fixture
def desk_moment() -> datetime:
    """When a test's desk day happens: a fixed moment, never today (see tests.dates).

    Parametrize it with `@pytest.mark.parametrize("desk_moment", **every_moment())` to run a
    test at a Saturday, a Sunday, a month end, a year end and a DST change.
    """
    return DEFAULT_MOMENT


# The throwaway PostgreSQL server and the two-engine `db_target` fixture (tests/pg_cluster.py).
@pytest.fixture
def fresh_logging() -> Iterator[None]:
    """Let configure_logging set up the root logger again for this test, then restore it."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, getattr(root, "_packdesk_configured", False))
    root.handlers = [h for h in root.handlers if type(h).__module__.startswith("_pytest")]
    root._packdesk_configured = False  # type: ignore[attr-defined]
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers, root.level = saved[0], saved[1]
    root._packdesk_configured = saved[2]  # type: ignore[attr-defined]


from tests.pg_cluster import db_target, pg_server, pg_url  # noqa: E402, F401
