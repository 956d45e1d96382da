"""Issue 8: hostile global options end in a clear error, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--home", "{file}", "orders"], "Cannot create the folder for the database"),
        (["--db", "/dev/null", "orders"], "Cannot open the database /dev/null"),
        (["--db", "{tmp}", "orders"], "Cannot open the database"),
        (
            [
                "--api-base",
                "http://[::1",
                "rates",
                "--to-zip",
                "1",
                "--from-zip",
                "2",
                "--weight-oz",
                "3",
            ],
            "is not an http(s) URL",
        ),
        (["--api-base", "gopher://x", "track", "--refresh"], "is not an http(s) URL"),
        (["--profile", "../x", "orders"], "is not allowed"),
    ],
)
def test_a_hostile_global_option_is_a_clear_error(
    argv: list[str],
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EASYPOST_API_KEY", "EZTKglobaloptions0000000000")
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    filled = [a.replace("{file}", str(a_file)).replace("{tmp}", str(tmp_path)) for a in argv]
    code = main(filled)
    err = capsys.readouterr().err
    assert code == 1 and expected in err and "Traceback" not in err
