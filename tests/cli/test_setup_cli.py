"""`packdesk-cli setup check|backup`: the same checklist and backup services as the Setup panel."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main
from tests.keyrings import no_keyring, using_keyring


def test_setup_check_lists_what_is_missing_then_passes(
    capsys: pytest.CaptureFixture[str], _isolated_home: Path
) -> None:
    with using_keyring(no_keyring()):
        assert main(["setup", "check"]) == 1
        out = capsys.readouterr().out
        assert "[ ] EasyPost key" in out and "gnome-keyring" in out
        add = ["ship-from", "add", "Studio", "--name", "Ann", "--street1", "1 Main St",
               "--city", "Springfield", "--zip", "62701"]  # fmt: skip
        assert main(add) == 0
        assert main(["printers", "add", "desk", "virtual://setup-cli"]) == 0
        capsys.readouterr()
        assert main(["--sandbox", "setup", "check", "--json"]) == 0
        state = json.loads(capsys.readouterr().out)
    assert state["complete"] is True and state["mode"] == "sandbox"
    assert [i["key"] for i in state["items"]] == ["easypost_key", "ship_from", "printer"]


def test_setup_backup_copies_the_database(
    capsys: pytest.CaptureFixture[str], _isolated_home: Path, tmp_path: Path
) -> None:
    assert main(["ship-from", "list"]) == 0  # creates the database
    target = tmp_path / "copy.sqlite3"
    assert main(["setup", "backup", "--to", str(target)]) == 0
    assert str(target) in capsys.readouterr().out
    with sqlite3.connect(target) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert main(["setup", "backup", "--to", str(target)]) != 0  # never overwrites
    assert "never overwrites" in capsys.readouterr().err
    assert main(["setup", "apply-defaults"]) == 0
    assert "0 package group(s) got the defaults" in capsys.readouterr().out


def test_ship_from_edit_and_verify_use_the_panel_s_service(
    capsys: pytest.CaptureFixture[str], _isolated_home: Path
) -> None:
    add = ["--sandbox", "ship-from", "add", "Studio", "--name", "Ann", "--street1",
           "417 Montgomery Street", "--city", "San Francisco", "--zip", "94104"]  # fmt: skip
    assert main(add) == 0
    assert main(["--sandbox", "ship-from", "verify", "Studio"]) == 1
    out = capsys.readouterr().out
    assert (
        "state: (empty) -> CA" in out
        and "street1: 417 Montgomery Street -> 417 MONTGOMERY ST" in out
    )
    assert main(["ship-from", "edit", "Studio", "--state", "ca", "--street1", "417 Montgomery St",
                 "--new-label", "Home"]) == 0  # fmt: skip
    assert main(["--sandbox", "ship-from", "verify", "Home"]) == 0
    assert "verified, nothing to correct" in capsys.readouterr().out
    assert main(["ship-from", "edit", "Nope", "--city", "X"]) != 0
