"""Revision 0004 (a group's international service): upgrading a 0003 file keeps every group
setting, moves an international service into the new column, and the repository stores both."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from alembic import command

from app.store import open_store
from app.store.engine import make_engine
from app.store.groups_repo import GroupSetting
from app.store.migrate import alembic_config

NOW = datetime(2026, 11, 25, 12, 0, 0)


def _migrate(path: Path, revision: str, *, down: bool = False) -> None:
    engine = make_engine(path)
    try:
        with engine.connect() as connection, connection.begin():
            step = command.downgrade if down else command.upgrade
            step(alembic_config(connection), revision)
    finally:
        engine.dispose()


def test_upgrade_from_0003_keeps_settings_and_moves_an_international_service(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v3.sqlite3"
    _migrate(path, "0003")
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO package_types (name, predefined, length_in, width_in, height_in,"
            " empty_weight_oz, machinable, irregular) VALUES ('Box S', NULL, '8', '6', '4',"
            " '3', 1, 0)"
        )
        connection.executemany(
            "INSERT INTO package_group_settings (group_id, package_type_id, service, updated_at)"
            " VALUES (?, ?, ?, '2026-01-01 00:00:00')",
            [
                ("G-000000000001", 1, "GroundAdvantage"),
                ("G-000000000002", None, "PriorityMailInternational"),
                ("G-000000000003", 1, None),
            ],
        )
    connection.close()

    store = open_store(path)
    try:
        assert store.migration.previous_revision == "0003" and store.migration.upgraded
        with store.transaction() as tx:
            settings = tx.groups.settings()
        assert settings == {
            "G-000000000001": GroupSetting("G-000000000001", 1, "GroundAdvantage", None),
            "G-000000000002": GroupSetting(
                "G-000000000002", None, None, "PriorityMailInternational"
            ),
            "G-000000000003": GroupSetting("G-000000000003", 1, None, None),
        }

        with store.transaction(write=True) as tx:
            tx.groups.save_setting(
                GroupSetting("G-000000000001", 1, "GroundAdvantage", "PriorityMailInternational"),
                NOW,
            )
            # Only an international service is still a setting worth keeping.
            tx.groups.save_setting(
                GroupSetting("G-000000000003", None, None, "FirstClassPackageInternationalService"),
                NOW,
            )
        with store.transaction() as tx:
            settings = tx.groups.settings()
        assert settings["G-000000000001"].international_service == "PriorityMailInternational"
        assert settings["G-000000000003"] == GroupSetting(
            "G-000000000003", None, None, "FirstClassPackageInternationalService"
        )
        with store.transaction(write=True) as tx:
            tx.groups.save_setting(GroupSetting("G-000000000003", None, None, None), NOW)
        with store.transaction() as tx:
            assert "G-000000000003" not in tx.groups.settings()
    finally:
        store.close()


def test_downgrade_to_0003_keeps_a_lone_international_service_as_the_service(
    tmp_path: Path,
) -> None:
    path = tmp_path / "down.sqlite3"
    store = open_store(path)
    try:
        with store.transaction(write=True) as tx:
            tx.groups.save_setting(
                GroupSetting("G-000000000001", None, "Priority", "PriorityMailInternational"), NOW
            )
            tx.groups.save_setting(
                GroupSetting("G-000000000002", None, None, "PriorityMailInternational"), NOW
            )
    finally:
        store.close()
    _migrate(path, "0003", down=True)
    with sqlite3.connect(path) as raw:
        rows = raw.execute(
            "SELECT group_id, service FROM package_group_settings ORDER BY group_id"
        ).fetchall()
        columns = {row[1] for row in raw.execute("PRAGMA table_info(package_group_settings)")}
    raw.close()
    assert rows == [("G-000000000001", "Priority"), ("G-000000000002", "PriorityMailInternational")]
    assert "international_service" not in columns
