"""Entry points: `packdesk` (the Qt app) and `packdesk-cli` (every headless operation)."""

from __future__ import annotations

import sys


def cli_main() -> None:
    """Console script `packdesk-cli` (in the frozen bundle: `packdesk --cli ...`)."""
    import os

    _self_test_child()
    from app.cli.main import main

    try:
        sys.exit(main())
    except BrokenPipeError:
        # `packdesk-cli orders | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)


def gui_main() -> None:
    """GUI script `packdesk`; `--demo` runs on the embedded defaults, `--self-test` checks
    this installation without opening a window (Qt is tried in a child process), and
    `--cli ARGS` is `packdesk-cli ARGS` (the bundle ships one executable)."""
    _self_test_child()
    args = sys.argv[1:]
    if args[:1] == ["--cli"]:
        _console_for_windowed_build()
        sys.argv = [sys.argv[0], *args[1:]]
        cli_main()
    if "--self-test" in args:
        _console_for_windowed_build()
        from app.cli.self_test_cmd import run

        sys.exit(run())
    from app.ui.app import main

    sys.exit(main(args))


def _self_test_child() -> None:
    """The self-test's Qt check re-runs this executable with a flag (a frozen build has no
    `python -m`); it exits here, before any other start-up work."""
    if sys.argv[1:2] == ["--self-test-qt"]:
        from app.ui.self_test_qt import main

        sys.exit(main())


def _console_for_windowed_build() -> None:
    """A windowed Windows build has no stdout or stderr: borrow the console it was started
    from (cmd, PowerShell), else write to packdesk-output.txt in the temp folder."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    import tempfile
    from pathlib import Path

    stream = None
    if sys.platform == "win32":
        import ctypes

        attach_parent_process = -1
        if ctypes.windll.kernel32.AttachConsole(attach_parent_process):  # type: ignore[attr-defined]
            stream = Path("CONOUT$").open("w", encoding="utf-8")  # noqa: SIM115 (for the run)
    if stream is None:
        output = Path(tempfile.gettempdir()) / "packdesk-output.txt"
        stream = output.open("w", encoding="utf-8")
    sys.stdout = sys.stdout or stream
    sys.stderr = sys.stderr or stream


if __name__ == "__main__":
    cli_main()
