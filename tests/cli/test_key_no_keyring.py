"""`packdesk-cli key` on a desk without a system keyring (keyring's fail backend)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from app.cli.main import main
from tests.keyrings import no_keyring, using_keyring

PROD_KEY = "EZAKclinokeyring0123456789SECRET"


@pytest.fixture(autouse=True)
def _bare_desk() -> Iterator[None]:
    with using_keyring(no_keyring()):
        yield


def test_key_status_reports_no_keyring_with_the_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["key", "status"]) == 0
    out = capsys.readouterr().out
    assert "keyring: none" in out and "gnome-keyring" in out and "EASYPOST_API_KEY" in out
    assert main(["key", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["keyring"]["available"] is False
    assert {k["source"] for k in status["keys"]} == {"unavailable"}


def test_key_set_fails_with_the_clear_message_and_stores_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("EZTKclinokeyring0123456789SECRET\n"))
    assert main(["key", "set", "--mode", "test", "--stdin"]) != 0
    err = capsys.readouterr().err
    assert "no system keyring" in err and "KWallet" in err
    assert "SECRET" not in err


def test_environment_key_of_the_wrong_kind_is_reported(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EASYPOST_API_KEY", PROD_KEY)
    assert main(["key", "status", "--json"]) == 0
    keys = {k["mode"]: k for k in json.loads(capsys.readouterr().out)["keys"]}
    assert keys["test"]["source"] == "env" and "will not be sent" in keys["test"]["problem"]
    assert keys["production"]["problem"] == ""
