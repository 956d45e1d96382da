"""Revision 0011 (stations): on both engines it downgrades and upgrades again with the data kept;
rows from before it name no station ('', printed by any queue of their printer, as before)."""

from __future__ import annotations

from pathlib import Path

from alembic import command

from app.store import head_revision, open_store
from app.store.engine import make_engine
from app.store.migrate import alembic_config
from tests.services.print_queue_helpers import NOW, seed_labels


def _step(target: Path | str, revision: str, *, down: bool) -> None:
    engine = make_engine(target)
    try:
        with engine.connect() as connection, connection.begin():
            (command.downgrade if down else command.upgrade)(alembic_config(connection), revision)
    finally:
        engine.dispose()


def test_0011_round_trip_keeps_jobs_and_gives_older_rows_no_station(
    db_target: Path | str, tmp_path: Path
) -> None:
    anchor = tmp_path / "pg.local"
    store = open_store(db_target, anchor=anchor)
    try:
        seeded = seed_labels(store, tmp_path / "labels", 2)
        with store.transaction(write=True) as tx:
            job = tx.print_jobs.add(
                seeded.label_ids[0], "virtual://a", reprint=False, at=NOW, station="desk-b"
            )
    finally:
        store.close()
    _step(db_target, "0010", down=True)
    _step(db_target, head_revision(), down=False)
    store = open_store(db_target, anchor=anchor)
    try:
        with store.transaction() as tx:
            again = tx.print_jobs.get(job.id)
            assert tx.printers.all() == []
        assert again is not None and (again.station, again.queued_by) == ("", "")
        # A queue of any station takes such a job for its printer.
        with store.transaction() as tx:
            assert [j.id for j in tx.print_jobs.for_printer("virtual://a", station="x")] == [job.id]
    finally:
        store.close()
