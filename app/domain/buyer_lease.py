"""The one-buyer rule: when the lease another buyer holds may be taken over."""

from __future__ import annotations

from datetime import datetime, timedelta

#: A holder that has not said it is alive for this long is taken for dead (another desk, or a
#: process whose liveness cannot be checked from here).
LEASE_TTL = timedelta(seconds=90)
#: How often a holder says it is alive (well inside LEASE_TTL).
HEARTBEAT_EVERY = timedelta(seconds=15)


def may_take_over(
    *,
    holder_host: str,
    heartbeat_at: datetime,
    now: datetime,
    this_host: str,
    holder_alive: bool | None,
    ttl: timedelta = LEASE_TTL,
) -> bool:
    """True when a lease held by someone else is stale: safe to take.

    `holder_alive` is what this machine knows of the holder's process (None: cannot tell, e.g.
    another host). A holder on this host whose process is gone is stale at once (killed, power
    cut); otherwise only a heartbeat older than `ttl` makes it stale.
    """
    if holder_host == this_host and holder_alive is False:
        return True
    return now - heartbeat_at > ttl
