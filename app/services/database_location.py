"""Setup > Profile: where this profile's database lives, trying a PostgreSQL URL, switching the
profile to it (taking effect at the next start), and how to back up a server database.

The rules are the CLI's (app.infra.database_target): the stored URL never holds a password;
a password given here goes to the OS keyring (else libpq reads ~/.pgpass).
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from app.domain.errors import AppError, ErrorKind
from app.infra.database_target import (
    database_password,
    is_server_url,
    save_database_password,
    switch_profile_database,
    without_password,
)
from app.infra.settings import SettingsStore
from app.services.clock import Clock, utc_now
from app.store.server_probe import ServerProbe, probe_server

__all__ = [
    "DatabaseLocationService",
    "ServerProbe",
    "SwitchResult",
    "pg_dump_command",
    "shown_url",
]

_URL_HINT = (
    "Use postgresql://user@host:5432/dbname (no password in it: give the password in its own "
    "field, or put it in ~/.pgpass)."
)


@dataclass(frozen=True, slots=True)
class SwitchResult:
    """The profile now names `url` (None: its own SQLite file) from the next start on."""

    url: str | None
    password_kept: bool  # a password went to the keyring
    overridden: bool  # --db or $PACKDESK_DB still wins over the profile for this run's kind


def shown_url(url: str) -> str:
    """`url` as it may be shown (a password typed into it taken out)."""
    try:
        return without_password(url)
    except ValueError:  # not a URL urllib can split: shown as a file name would be
        return url.strip()


def pg_dump_command(url: str, stem: str) -> str:
    """The pg_dump line that backs up the server database `url` (never with its password:
    pg_dump reads ~/.pgpass or asks)."""
    return f"pg_dump -Fc -d {shlex.quote(without_password(url))} -f {shlex.quote(stem + '.dump')}"


class DatabaseLocationService:
    """One use case for the Setup panel (the CLI's `db migrate-to` copies a desk's data over)."""

    def __init__(
        self,
        settings: SettingsStore,
        current_url: str | None,
        *,
        override: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._settings = settings
        self._current = without_password(current_url) if current_url else None
        self._override = override
        self._clock = clock

    @property
    def current_url(self) -> str | None:
        """The server URL this run uses (without password), None on a SQLite file."""
        return self._current

    @staticmethod
    def checked(url: str) -> tuple[str, str | None]:
        """(the URL without password, the password typed into it or None).

        Raises:
            AppError: INVALID_INPUT for anything but a postgresql:// URL naming a database.
        """
        text = url.strip()
        if not is_server_url(text):
            raise AppError(
                f"{text!r} is not a PostgreSQL address." if text else "Type the database URL.",
                hint=_URL_HINT,
                kind=ErrorKind.INVALID_INPUT,
                details={"field": "database_url"},
            )
        try:
            parts = urlsplit(text)
            has_host = bool(parts.hostname)
        except ValueError:
            has_host = False
        if not has_host or not parts.path.strip("/"):
            raise AppError(
                f"{without_password(text)!r} does not name a host and a database.",
                hint=_URL_HINT,
                kind=ErrorKind.INVALID_INPUT,
                details={"field": "database_url"},
            )
        typed = unquote(parts.password) if parts.password is not None else None
        return without_password(text), typed

    def test(self, url: str, password: str = "") -> ServerProbe:
        """Connect to `url` and read what it holds (run it on a worker: up to 5 s).

        Raises:
            AppError: INVALID_INPUT (not a server URL), DATABASE (unreachable, login refused).
        """
        bare, typed = self.checked(url)
        secret = password or typed or database_password(bare)
        return probe_server(bare, password=secret)

    def switch(self, url: str, password: str = "") -> SwitchResult:
        """Make the profile use the server `url` from the next start (tried first: a URL that
        does not answer is never stored); an empty `url` goes back to the profile's file.

        Raises:
            AppError: as test(); SECRETS when a password is given and this desk has no keyring.
        """
        overridden = bool(self._override or os.environ.get("PACKDESK_DB"))
        if not url.strip():
            switch_profile_database(self._settings, None)
            return SwitchResult(None, False, overridden)
        bare, typed = self.checked(url)
        secret = password or typed
        probe_server(bare, password=secret or database_password(bare))
        if secret:
            save_database_password(bare, secret)
        switch_profile_database(self._settings, bare)
        return SwitchResult(bare, bool(secret), overridden)

    def backup_command(self) -> str | None:
        """On a server database, the pg_dump line for it (None on SQLite: the app copies the
        file itself)."""
        if self._current is None:
            return None
        database = urlsplit(self._current).path.strip("/") or "packdesk"
        stamp = self._clock().strftime("%Y%m%d-%H%M")
        return pg_dump_command(self._current, f"{database}-{stamp}")
