"""The list of command modules; each has `register(subparsers)` and sets `func(args, ctx) -> int`.

Add one line per module, so that independent work touches independent files.
"""

from __future__ import annotations

COMMAND_MODULES: tuple[str, ...] = (
    "app.cli.demo_cmd",
    "app.cli.postage_cmd",
    "app.cli.sandbox_cmd",
)
