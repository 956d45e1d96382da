"""Entry points: `packdesk` (the Qt app) and `packdesk-cli` (every headless operation)."""

from __future__ import annotations

import sys


def cli_main() -> None:
    """Console script `packdesk-cli`."""
    from app.cli.main import main

    sys.exit(main())


def gui_main() -> None:
    """GUI script `packdesk`; `--demo` runs on the embedded defaults."""
    from app.ui.app import main

    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    cli_main()
