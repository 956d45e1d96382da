"""Issue 8: one injectable clock for a whole run, services and embedded sandbox alike."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.bootstrap import RuntimeOptions, build_context
from app.services.audit import AuditAction
from tests.dates import RunningClock, every_moment


@pytest.mark.parametrize("desk_moment", **every_moment())
def test_a_pinned_clock_reaches_every_service_and_the_sandbox(
    tmp_path: Path, desk_moment: datetime
) -> None:
    options = RuntimeOptions(home=tmp_path, sandbox=True, clock=RunningClock(desk_moment))
    with build_context(options) as ctx:
        assert ctx.clock().date() == desk_moment.date()
        for name in ("audit_log", "order_service", "pickup_service", "scan_form_service"):
            assert getattr(ctx, name)._clock is ctx.clock, name
        assert ctx.sandbox_server.clock.now().date() == desk_moment.date()
        entry = ctx.audit_log.entry(next(iter(AuditAction)))
        assert entry.at.date() == desk_moment.date()
