"""The one place that hides EasyPost keys: in anything shown, written to JSON or logged.

A server (or a proxy) may echo the key back in an error message; from there it would reach
`--json`, stderr and `logs/packdesk.log`. Every such path runs text through `redact`, and the
logging filter (app.infra.logging_setup) runs every record through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: EasyPost keys: EZTK... (test) and EZAK... (production), then an alphanumeric run.
EASYPOST_KEY = re.compile(r"EZ[AT]K[0-9A-Za-z_]{8,}")
REDACTED = "[redacted]"


def mask(key: str) -> str:
    """A key shown to people: its kind and last 4 characters."""
    if not key:
        return ""
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "…"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without anything that looks like an EasyPost key, nor any of `secrets`.

    Secrets shorter than 4 characters are left alone (they would blank out ordinary words).
    """
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return EASYPOST_KEY.sub(REDACTED, text)
