"""The database URL rules of Setup > Profile (the CLI's): postgresql:// only, a host and a
database named, a typed password taken out; the pg_dump line never holds a password."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.infra.settings import SettingsStore
from app.services.database_location import DatabaseLocationService, pg_dump_command, shown_url

AT = datetime(2026, 12, 5, 14, 30)


@pytest.mark.parametrize(
    "url",
    ["", "packdesk.sqlite3", "mysql://u@h/db", "postgresql://", "postgresql://u@h:5432/"],
)
def test_only_a_postgresql_url_naming_a_host_and_a_database_is_taken(url: str) -> None:
    with pytest.raises(AppError) as refused:
        DatabaseLocationService.checked(url)
    assert refused.value.kind is ErrorKind.INVALID_INPUT
    assert refused.value.details == {"field": "database_url"}


def test_a_typed_password_is_taken_out_of_the_url() -> None:
    bare, typed = DatabaseLocationService.checked(" postgresql://desk:p%40ss@db.lan:5432/pd ")
    assert (bare, typed) == ("postgresql://desk@db.lan:5432/pd", "p@ss")
    assert shown_url("postgresql://desk:secret@db.lan/pd") == "postgresql://desk@db.lan/pd"


def test_the_pg_dump_line_for_a_server_profile_and_none_for_a_file(tmp_path: Path) -> None:
    settings = SettingsStore(tmp_path / "settings.json")
    on_server = DatabaseLocationService(
        settings, "postgresql://desk:secret@db.lan:5432/pd?sslmode=require", clock=lambda: AT
    )
    assert on_server.backup_command() == (
        "pg_dump -Fc -d 'postgresql://desk@db.lan:5432/pd?sslmode=require' -f pd-20261205-1430.dump"
    )
    assert DatabaseLocationService(settings, None).backup_command() is None
    assert (
        pg_dump_command("postgresql://a@h/d", "d") == "pg_dump -Fc -d postgresql://a@h/d -f d.dump"
    )


def test_an_empty_url_switches_back_to_the_profile_file(tmp_path: Path) -> None:
    from app.infra.database_target import switch_profile_database

    settings = SettingsStore(tmp_path / "settings.json")
    switch_profile_database(settings, "postgresql://desk@db.lan/pd")
    result = DatabaseLocationService(settings, "postgresql://desk@db.lan/pd").switch("  ")
    assert result.url is None and "database" not in settings.load().other
