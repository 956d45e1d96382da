"""'Back up database' while the app runs: SQLite's backup API against a concurrent writer."""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.services.database_backup import DatabaseBackupService
from app.store import open_store


def _writer(db: Path, stop: threading.Event, started: threading.Event, errors: list[str]) -> None:
    con = sqlite3.connect(db, timeout=30)
    try:
        n = 0
        while not stop.is_set():
            with con:
                con.execute("INSERT INTO churn (n, pad) VALUES (?, ?)", (n, b"x" * 4000))
            n += 1
            if n == 50:
                started.set()
    except sqlite3.Error as error:  # pragma: no cover - the failure being tested for
        errors.append(repr(error))
        started.set()
    finally:
        con.close()


def test_backup_while_another_connection_keeps_writing(tmp_path: Path) -> None:
    db = tmp_path / "packdesk.sqlite3"
    store = open_store(db)  # the app's own engine: WAL, migrated
    try:
        with sqlite3.connect(db) as con:
            con.execute("CREATE TABLE churn (n INTEGER, pad BLOB)")
            con.executemany(
                "INSERT INTO churn (n, pad) VALUES (?, ?)", ((-i, b"y" * 4000) for i in range(3000))
            )
        stop, started, errors = threading.Event(), threading.Event(), list[str]()
        writer = threading.Thread(target=_writer, args=(db, stop, started, errors))
        writer.start()
        assert started.wait(30)
        service = DatabaseBackupService(
            db, tmp_path / "backups", clock=lambda: datetime(2026, 11, 28, 17, 5)
        )
        try:
            first = service.backup()
            second = service.backup()  # same second: a second file, never an overwrite
        finally:
            stop.set()
            writer.join(30)
        assert errors == []  # the writer was never locked out
        assert first.path.name == "packdesk-20261128-170500.sqlite3"
        assert second.path.name == "packdesk-20261128-170500-2.sqlite3"
        with sqlite3.connect(db) as con:
            final = con.execute("SELECT count(*) FROM churn").fetchone()[0]
        for result in (first, second):
            assert result.path.stat().st_mode & 0o777 == 0o600
            copy = sqlite3.connect(result.path)
            try:
                assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                rows = copy.execute("SELECT count(*) FROM churn").fetchone()[0]
                assert 3050 <= rows <= final  # a consistent snapshot taken during the writes
                tables = {r[0] for r in copy.execute("SELECT name FROM sqlite_master")}
                assert {"orders", "labels", "alembic_version"} <= tables
            finally:
                copy.close()
        assert not list((tmp_path / "backups").glob(".backup-*"))  # no half copies left
    finally:
        store.close()


def test_backup_refuses_to_overwrite_and_names_a_missing_database(tmp_path: Path) -> None:
    db = tmp_path / "packdesk.sqlite3"
    open_store(db).close()
    target = tmp_path / "mine.sqlite3"
    target.write_bytes(b"precious")
    with pytest.raises(AppError) as caught:
        DatabaseBackupService(db, tmp_path).backup(target)
    assert caught.value.kind is ErrorKind.CONFLICT and target.read_bytes() == b"precious"
    with pytest.raises(AppError) as missing:
        DatabaseBackupService(tmp_path / "nope.sqlite3", tmp_path).backup()
    assert missing.value.kind is ErrorKind.NOT_FOUND
