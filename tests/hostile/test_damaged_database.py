"""Issue 8: a damaged or inconsistent database ends in a clear error, and nothing is lost."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from app.cli.main import main

SAMPLE = Path(__file__).parents[2] / "resources" / "samples" / "kickstarter_backer_report.csv"


def _run(capsys: pytest.CaptureFixture[str], db: Path, *argv: str) -> tuple[int, str]:
    code = main(["--db", str(db), *argv])
    out, err = capsys.readouterr()
    return code, out + err


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _imported(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, shown = _run(capsys, db, "import", str(SAMPLE))
    assert "created" in shown, shown
    del code


def test_a_database_damaged_mid_file_fails_clearly_on_the_first_write(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    _imported(capsys, db)
    with sqlite3.connect(db) as connection:
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name='orders'"
        ).fetchone()
    size = 4096
    with db.open("r+b") as handle:  # scribble over the orders table's first page
        handle.seek((root[0] - 1) * size + 16)
        handle.write(b"\xff" * 2000)
    before = _digest(db)
    code, shown = _run(capsys, db, "ready", "--all")
    assert code == 1 and "is damaged" in shown and ".bak" in shown
    assert "Traceback" not in shown and "sqlalchemy" not in shown
    assert _digest(db) == before  # nothing more was written


def test_two_schema_versions_are_refused_without_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    _imported(capsys, db)
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO alembic_version VALUES ('0003')")
    code, shown = _run(capsys, db, "orders")
    assert code == 1 and "more than one schema version" in shown and "Traceback" not in shown


def test_a_downgraded_version_is_refused_and_leaves_no_backup_behind(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite3"
    _imported(capsys, db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0002'")
    before = _digest(db)
    for _attempt in range(3):
        code, shown = _run(capsys, db, "orders")
        assert code == 1 and "do not match that version" in shown and "Traceback" not in shown
    assert sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name) == []
    assert _digest(db) == before
