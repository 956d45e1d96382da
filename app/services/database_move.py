"""Move a desk's SQLite profile onto a PostgreSQL server: copy, verify, then switch the profile."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.domain.errors import AppError, ErrorKind
from app.infra.database_target import (
    database_password,
    is_server_url,
    save_database_password,
    switch_profile_database,
    without_password,
)
from app.infra.settings import SettingsStore
from app.store import Store, open_store
from app.store.copy_to_server import CopyReport, copy_to_server


@dataclass(frozen=True, slots=True)
class MoveReport:
    """What the move copied, and where the profile points now."""

    url: str  # without password
    copy: CopyReport


class DatabaseMoveService:
    """`packdesk-cli db migrate-to`: one use case, whichever front end asks."""

    def __init__(self, source: Store, settings: SettingsStore, anchor: Path) -> None:
        self._source = source
        self._settings = settings
        self._anchor = anchor

    def migrate_to(self, url: str, *, password: str | None = None) -> MoveReport:
        """Copy this desk's database into the empty server database `url` and switch to it.

        The profile is switched only after every table's count and checksum agree; the SQLite
        file is left as it was (a fallback and a backup). A password given here (or typed into
        the URL) goes to the keyring, never into settings.

        Raises:
            AppError: INVALID_INPUT for a URL that is not PostgreSQL or a desk already on a
                server; DATABASE when the server is unreachable, not empty, or the copy differs.
        """
        if not is_server_url(url):
            raise AppError(
                f"{url!r} is not a PostgreSQL address.",
                hint="Use postgresql://user@host:5432/dbname (the password goes in the keyring "
                "or ~/.pgpass).",
                kind=ErrorKind.INVALID_INPUT,
            )
        if self._source.shared:
            raise AppError(
                "This desk already uses a PostgreSQL database.",
                hint="Use pg_dump / pg_restore to move between servers (docs/MULTI-DESK.md).",
                kind=ErrorKind.INVALID_INPUT,
            )
        bare = without_password(url)
        secret = password if password is not None else _password_in(url)
        if secret is None:
            secret = database_password(bare)
        target = open_store(bare, password=secret, anchor=self._anchor)
        try:
            report = copy_to_server(self._source, target)
        finally:
            target.close()
        if secret is not None and secret != database_password(bare):
            save_database_password(bare, secret)
        switch_profile_database(self._settings, bare)
        return MoveReport(bare, report)


def _password_in(url: str) -> str | None:
    from urllib.parse import unquote, urlsplit

    found = urlsplit(url.strip()).password
    return unquote(found) if found is not None else None
