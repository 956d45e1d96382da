"""Issue 8: errors and logs carry no personal data and no key (read-only DB, full disk, echo)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.infra.logging_setup import RedactingFilter
from app.store import engine as engine_module

HEADER = "Backer Number,Backer Name,Pledged Status,T-Shirt (L),Shipping Name,Shipping Address 1,"
HEADER += "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code,Email"
NAME, STREET, EMAIL = "Zebulon Quixotic", "77 Sunflower Lane", "zebulon@example.org"
KEY = "EZTKsecretkey0123456789abcdefABCDEF"


def _orders(tmp_path: Path, start: int = 1) -> Path:
    path = tmp_path / f"orders{start}.csv"
    rows = [
        f"{n},B {n},collected,1,{NAME} {n},{STREET},Princeton,NJ,08540,US,{EMAIL}"
        for n in range(start, start + 40)
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], home: Path, *argv: str) -> tuple[int, str]:
    code = main(["--home", str(home), *argv])
    out, err = capsys.readouterr()
    return code, out + err


def _log_text(home: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8") for p in (home / "profiles").rglob("packdesk.log*")
    )


def _assert_private(text: str) -> None:
    for secret in (NAME, STREET, EMAIL, KEY, "Traceback", "parameters:"):
        assert secret not in text


def _with_pragma(monkeypatch: pytest.MonkeyPatch, pragma: str) -> None:
    original = engine_module._on_connect

    def on_connect(connection: Any, record: Any) -> None:
        original(connection, record)
        connection.execute(pragma)

    monkeypatch.setattr(engine_module, "_on_connect", on_connect)


@pytest.mark.parametrize(
    ("fault", "shown_text"), [("read-only", "read-only"), ("full disk", "is full")]
)
def test_a_database_fault_names_the_fix_and_no_customer(
    fault: str,
    shown_text: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh_logging: None,
) -> None:
    home = tmp_path / "home"
    assert _run(capsys, home, "import", str(_orders(tmp_path)))[0] == 0
    if fault == "read-only":
        pragma = "PRAGMA query_only = ON"  # root ignores file modes: ask SQLite itself
    else:
        database = home / "profiles" / "default" / "packdesk.sqlite3"
        with sqlite3.connect(database) as connection:
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
        pragma = f"PRAGMA max_page_count = {pages}"  # SQLite's own "database or disk is full"
    _with_pragma(monkeypatch, pragma)
    code, shown = _run(capsys, home, "import", str(_orders(tmp_path, start=100)))
    assert code == 1 and shown_text in shown and "nothing was saved" in shown
    _assert_private(shown)
    _assert_private(_log_text(home))
    assert "statement: " in _log_text(home)  # the statement is logged, without parameters
    code, shown = _run(capsys, home, "orders", "--json")  # nothing half-written
    assert code == 0 and len(json.loads(shown)) == 40


class _EchoingServer(BaseHTTPRequestHandler):
    """An API that echoes the Authorization header back in its error (as some proxies do)."""

    def _echo(self) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "APIKEY.INACTIVE",
                    "message": f"key {self.headers.get('Authorization', '')} is not active",
                    "errors": [
                        {"field": "key", "message": f"got {self.headers.get('Authorization')}"}
                    ],
                }
            }
        ).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _echo  # noqa: N815 (http.server names them so)

    def log_message(self, *args: object) -> None:
        del args


@pytest.fixture
def echoing_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v2"
    server.shutdown()
    server.server_close()


def test_a_key_echoed_by_the_server_is_redacted_everywhere(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    echoing_api: str,
    fresh_logging: None,
) -> None:
    monkeypatch.setenv("EASYPOST_API_KEY", KEY)
    home = tmp_path / "home"
    argv = ("--api-base", echoing_api, "address", "verify", "--street1", "1 Main St")
    code, shown = _run(
        capsys, home, *argv, "--city", "Princeton", "--state", "NJ", "--zip", "08540", "--json"
    )
    assert code == 1 and "refused the API key" in shown and "[redacted]" in shown, shown
    assert KEY not in shown and KEY not in _log_text(home)
    # Anything logged with the key (message, arguments, traceback) loses it in every handler.
    logging.getLogger("app.test").warning("echo %s", KEY)
    try:
        raise RuntimeError(f"server said {KEY}")
    except RuntimeError:
        logging.getLogger("app.test").exception("failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    logged = _log_text(home)
    assert "echo [redacted]" in logged and "server said [redacted]" in logged
    assert KEY not in logged and KEY not in capsys.readouterr().err


def test_the_filter_redacts_arguments_and_tracebacks() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "got %s", (KEY,), None)
    assert RedactingFilter(lambda: ()).filter(record)
    assert record.getMessage() == "got [redacted]"
    short = logging.LogRecord("x", logging.ERROR, __file__, 1, "plain %d", (3,), None)
    RedactingFilter(lambda: ["EZ-plain-secret"]).filter(short)
    assert short.getMessage() == "plain 3"


def test_a_bug_traceback_on_stderr_loses_the_key_too(tmp_path: Path) -> None:
    script = (
        "from app.infra.logging_setup import configure_logging\n"
        "configure_logging(None)\n"
        f"raise RuntimeError('server said {KEY}')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**os.environ, "EASYPOST_API_KEY": KEY},
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "server said [redacted]" in done.stderr and KEY not in done.stderr
