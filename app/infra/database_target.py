"""Which database a profile uses (a SQLite file, or a PostgreSQL URL) and the URL's password.

The URL kept in settings never holds a password: it lives in the OS keyring (service
`packdesk-postgresql`, account = the URL without password) or in libpq's ~/.pgpass.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from urllib.parse import urlsplit, urlunsplit

import keyring
from keyring.errors import KeyringError

from app.domain.errors import AppError, ErrorKind
from app.infra.settings import Settings, SettingsStore

_log = logging.getLogger(__name__)

KEYRING_SERVICE = "packdesk-postgresql"
SETTINGS_SECTION = "database"
_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server_url(target: str | None) -> bool:
    """True when `target` names a PostgreSQL database (not a SQLite file)."""
    return bool(target) and str(target).strip().lower().startswith(_SCHEMES)


def without_password(url: str) -> str:
    """`url` with any password taken out (what may be stored, logged or shown)."""
    parts = urlsplit(url.strip())
    if parts.password is None:
        return url.strip()
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def chosen_database(settings: Settings, override: str | None = None) -> str | None:
    """`--db`, else $PACKDESK_DB, else the profile's server URL (None: the profile's file)."""
    chosen = override or os.environ.get("PACKDESK_DB")
    if chosen:
        return chosen
    section = settings.other.get(SETTINGS_SECTION)
    url = section.get("url") if isinstance(section, dict) else None
    return str(url) if is_server_url(url) else None


def database_password(url: str) -> str | None:
    """The keyring's password for `url`, or None (then libpq looks in ~/.pgpass)."""
    try:
        return keyring.get_password(KEYRING_SERVICE, without_password(url))
    except KeyringError as error:  # a desk without a keyring: .pgpass is the way
        _log.info("No keyring for the database password (%s); libpq reads .pgpass", type(error))
        return None


def save_database_password(url: str, password: str) -> None:
    """Keep `password` for `url` in the OS keyring.

    Raises:
        AppError: (kind CONFIG) when this desk has no usable keyring.
    """
    try:
        keyring.set_password(KEYRING_SERVICE, without_password(url), password)
    except KeyringError as error:
        raise AppError(
            "This desk has no keyring to keep the database password in.",
            hint="Put the password in ~/.pgpass (mode 0600) instead; see docs/MULTI-DESK.md.",
            kind=ErrorKind.SECRETS,
        ) from error


def switch_profile_database(store: SettingsStore, url: str | None) -> None:
    """Make the profile use the server `url` (stored without password), or its file (None)."""
    settings = store.load()
    other = dict(settings.other)
    if url is None:
        other.pop(SETTINGS_SECTION, None)
    else:
        other[SETTINGS_SECTION] = {"url": without_password(url)}
    store.save(dataclasses.replace(settings, other=other))
