"""The offline sandbox in a child process: `packdesk-cli sandbox` started and stopped by the
window that uses it.

Why: in the window's process, the sandbox's Python work (label images, JSON, the state file)
competes with the GUI thread for the GIL; during a 1,000-label demo buy that delayed the GUI by
100-300 ms at a time. In a process of its own it competes only for the CPU, as the real EasyPost
does not at all. The child stops when its standard input closes, so it never outlives the
window, even one that was killed.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from app.domain.errors import AppError, ErrorKind

#: How long the child may take to print its address (Python start-up and imports, loaded PC).
START_TIMEOUT_S = 60.0


def sandbox_command(
    state: Path, clock_start: datetime, cli_options: Sequence[str] = ()
) -> list[str]:
    """The command line of a sandbox child (the frozen bundle runs its CLI with `--cli`);
    `cli_options` (--profile, --home) keep its log in the window's profile."""
    cli = (
        [sys.executable, "--cli"]
        if getattr(sys, "frozen", False)
        else [sys.executable, "-m", "app"]
    )
    return [
        *cli,
        *cli_options,
        "sandbox",
        "--state",
        str(state),
        "--clock-start",
        clock_start.isoformat(),
        "--stop-on-stdin-eof",
    ]


class SandboxProcess:
    """A sandbox serving `state` from a child process; `api_base` once started."""

    def __init__(self, state: Path, clock_start: datetime, cli_options: Sequence[str] = ()) -> None:
        self._command = sandbox_command(state, clock_start, cli_options)
        self._process: subprocess.Popen[str] | None = None
        self.api_base = ""

    def start(self) -> SandboxProcess:
        """Start the child and wait for its address.

        Raises:
            AppError: the child did not start (its last words are in the message).
        """
        process = subprocess.Popen(
            self._command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._process = process
        first: list[str] = []
        reader = threading.Thread(
            target=lambda: first.append(process.stdout.readline() if process.stdout else ""),
            name="sandbox-child-start",
            daemon=True,
        )
        reader.start()
        reader.join(START_TIMEOUT_S)
        line = first[0].strip() if first else ""
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            said = (process.stderr.read() if process.stderr else "")[-300:].strip()
            conflict = "another running sandbox" in said  # the state file lock (store.py)
            raise AppError(
                "The offline EasyPost sandbox did not start.",
                hint=said or "Start it by hand to see why: packdesk-cli sandbox",
                kind=ErrorKind.CONFLICT if conflict else ErrorKind.INTERNAL,
            )
        self.api_base = line
        # The child's later output is not read: drain it so a full pipe never blocks it.
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                threading.Thread(target=_drain, args=(stream,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the child's input (it saves its state and exits); kill it if it hangs."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def close(self) -> None:
        self.stop()


def _drain(stream: object) -> None:
    with contextlib.suppress(OSError, ValueError):
        for _line in stream:  # type: ignore[attr-defined]
            pass
