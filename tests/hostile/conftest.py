"""Fixtures of the hostile-input tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest


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
