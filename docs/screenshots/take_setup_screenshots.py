"""Offscreen screenshots of the Setup panel on a new, empty profile at 1366x768.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take_setup_screenshots.py OUT_DIR

The profile lives under OUT_DIR/home and talks to a throw-away offline sandbox; the desk's own
keyring is used as it is (on a desk without a Secret Service the panel says so).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    os.environ["PACKDESK_HOME"] = str(out / "home")
    from PySide6.QtWidgets import QApplication

    from app.bootstrap import RuntimeOptions, build_context
    from app.postage.sandbox.server import SandboxServer
    from app.ui.main_window import MainWindow
    from app.ui.panels.setup_panel import SetupPanel

    app = QApplication.instance() or QApplication(sys.argv[:1])

    def wait(condition: Callable[[], bool], seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("screenshot step timed out")
            app.processEvents()
            time.sleep(0.01)  # a script, not a test: poll the event loop gently

    def shoot(name: str) -> None:
        wait(lambda: window.runner.active_count == 0)
        for _ in range(5):
            app.processEvents()
        path = out / f"{name}.png"
        window.grab().save(str(path))
        print(path)  # noqa: T201 (a script that says what it wrote)

    with SandboxServer(out / "sandbox-state.json") as sandbox:
        options = RuntimeOptions(profile="newdesk", api_base=sandbox.api_base)
        with build_context(options) as ctx:
            window = MainWindow(ctx, open_setup_first=True)
            window.resize(1366, 768)
            window.show()
            setup = window.panels["setup"]
            assert isinstance(setup, SetupPanel)
            wait(lambda: setup.state is not None and window.current_panel() is setup)
            shoot("setup")

            setup.tabs.setCurrentWidget(setup.ship_from)
            ship = setup.ship_from
            ship.label_edit.setText("Studio")
            typed = {"name": "Ann Packer", "street1": "417 Montgomery Street",
                     "city": "San Francisco", "postal_code": "94104"}  # fmt: skip
            for name, value in typed.items():
                ship.fields[name].setText(value)
            checked: list[object] = []
            ship.verified.connect(checked.append)
            ship.verify_and_save()
            wait(lambda: bool(checked))
            shoot("setup-ship-from-correction")

            setup.tabs.setCurrentWidget(setup.printers)
            setup.printers.name_edit.setText("Desk Zebra")
            setup.printers.uri_edit.setText("virtual://screenshot")
            changed: list[object] = []
            setup.printers.changed.connect(changed.append)
            setup.printers.add_from_form()
            wait(lambda: bool(changed))
            setup.printers.check_all()
            shoot("setup-printers")
            setup.tabs.setCurrentWidget(setup.desk)
            setup.desk.reload()
            shoot("setup-defaults")
            window.runner.wait_for_idle(10_000)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
