"""`packdesk --self-test` and `packdesk-cli self-test`: the desk's checks, reported line by line."""

from __future__ import annotations

import argparse
import logging
import platform
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from app import __version__
from app.bootstrap import AppContext
from app.services.self_test import Check, format_result, run_self_test
from app.services.self_test_checks import desk_checks

#: What the frozen executable runs for the Qt check (see app.__main__).
QT_CHILD_FLAG = "--self-test-qt"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "self-test",
        help="check this installation (imports, database, keyring, USB, Qt, sandbox, "
        "printing, PDF); exit 0 when it can run a desk",
    )
    parser.set_defaults(func=_run_command)


def _run_command(_args: argparse.Namespace, _ctx: AppContext) -> int:
    return run()


def qt_child_command() -> list[str]:
    """How to start the Qt check in a child process, frozen or from source."""
    if getattr(sys, "frozen", False):
        return [sys.executable, QT_CHILD_FLAG]
    return [sys.executable, "-m", "app.ui.self_test_qt"]


def header() -> str:
    if getattr(sys, "frozen", False):
        where = f"bundle {Path(sys.executable).resolve().parent}"
    else:
        import app

        where = f"source {Path(app.__file__).resolve().parent.parent}"
    return (
        f"Packdesk {__version__} self-test ({where}; Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()})"
    )


def run(
    checks: Sequence[Check] | None = None,
    out: TextIO | None = None,
    qt_command: Sequence[str] | None = None,
) -> int:
    """Run the checks in a scratch folder, printing each result as it comes; 0 when all pass."""
    stream = out or sys.stdout
    root = logging.getLogger()
    if not root.handlers:
        # Started as `packdesk --self-test`, nothing configured logging: the report is the
        # output, not the store's "upgraded the database" warning about a scratch file.
        root.addHandler(logging.NullHandler())
    print(header(), file=stream, flush=True)
    # Cleanup errors ignored: a check that timed out may still hold a file (Windows).
    with tempfile.TemporaryDirectory(
        prefix="packdesk-self-test-", ignore_cleanup_errors=True
    ) as scratch:
        chosen = (
            checks
            if checks is not None
            else desk_checks(Path(scratch), qt_command or qt_child_command())
        )
        report = run_self_test(
            chosen,
            header(),
            on_result=lambda result: print(format_result(result), file=stream, flush=True),
        )
    print(report.summary(), file=stream, flush=True)
    return report.exit_code
