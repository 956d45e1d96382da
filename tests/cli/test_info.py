"""The CLI runs, and its paths follow --home / --profile / --db."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli.main import main


def test_info_json_reports_profile_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--home", str(tmp_path), "--profile", "desk-2", "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["profile"] == "desk-2"
    assert Path(info["database"]).is_relative_to(tmp_path / "profiles" / "desk-2")


def test_db_override_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "elsewhere.sqlite3"
    assert main(["--db", str(db), "info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["database"] == str(db)


def test_bad_profile_name_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(tmp_path), "--profile", "../escape", "info"]) == 1
    err = capsys.readouterr().err
    assert "Profile name '../escape' is not allowed" in err
    assert "hint:" in err
