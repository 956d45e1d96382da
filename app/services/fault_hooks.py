"""Deterministic crash points for the fault suite: SIGKILL this process on reaching one.

`PACKDESK_KILL_AT=<point>` (a journal state such as `buying`, or `answered`: the buy call has
answered and nothing is recorded yet) makes the buyer kill itself the first time it reaches that
point, so tests/faults can restart it and check that nothing was lost or bought twice. Unset in
normal use: a dictionary look-up per journal step.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "PACKDESK_KILL_AT"


def reached(point: str) -> None:
    """Kill this process now if the fault suite asked for it at `point`."""
    if os.environ.get(KILL_AT_ENV) == point:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
