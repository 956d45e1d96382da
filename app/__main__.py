"""Entry points: `packdesk` (the Qt app) and `packdesk-cli` (every headless operation)."""

from __future__ import annotations

import sys


def cli_main() -> None:
    """Console script `packdesk-cli`."""
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
    this installation without opening a window (Qt is tried in a child process)."""
    _self_test_child()
    if "--self-test" in sys.argv[1:]:
        from app.cli.self_test_cmd import run

        sys.exit(run())
    from app.ui.app import main

    sys.exit(main(sys.argv[1:]))


def _self_test_child() -> None:
    """The self-test's Qt check re-runs this executable with a flag (a frozen build has no
    `python -m`); it exits here, before any other start-up work."""
    if sys.argv[1:2] == ["--self-test-qt"]:
        from app.ui.self_test_qt import main

        sys.exit(main())


if __name__ == "__main__":
    cli_main()
