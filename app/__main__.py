"""Entry points: `packdesk` (the Qt app) and `packdesk-cli` (every headless operation)."""

from __future__ import annotations

import sys


def cli_main() -> None:
    """Console script `packdesk-cli`."""
    import os

    from app.cli.main import main

    try:
        sys.exit(main())
    except BrokenPipeError:
        # `packdesk-cli orders | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(141)


def gui_main() -> None:
    """GUI script `packdesk`; `--demo` runs on the embedded defaults."""
    from app.ui.app import main

    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    cli_main()
