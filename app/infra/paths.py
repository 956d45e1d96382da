"""Where a profile keeps its files: the per-user data dir (platformdirs), overridable."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.domain.errors import AppError, ErrorKind

APP_NAME = "Packdesk"
DEFAULT_PROFILE = "default"
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class ProfilePaths:
    """The files of one profile. Everything of a profile lives under `root`."""

    root: Path

    @property
    def database(self) -> Path:
        return self.root / "packdesk.sqlite3"

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def labels(self) -> Path:
        return self.root / "labels"

    @property
    def documents(self) -> Path:
        return self.root / "documents"

    @property
    def sandbox_state(self) -> Path:
        return self.root / "sandbox-state.json"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


def profile_paths(profile: str = DEFAULT_PROFILE, base: Path | None = None) -> ProfilePaths:
    """Return the paths of `profile`, under `base` or $PACKDESK_HOME or the per-user data dir.

    Raises:
        AppError: for a profile name that is not a plain file name.
    """
    if not _PROFILE_NAME.match(profile):
        raise AppError(
            f"Profile name {profile!r} is not allowed.",
            hint="Use letters, digits, '.', '_' and '-' only, e.g. 'desk-2'.",
            kind=ErrorKind.INVALID_INPUT,
        )
    if base is None:
        env_home = os.environ.get("PACKDESK_HOME")
        base = Path(env_home) if env_home else Path(platformdirs.user_data_dir(APP_NAME, False))
    return ProfilePaths(base / "profiles" / profile)


def database_path(paths: ProfilePaths, override: str | None = None) -> Path:
    """The database file: `--db PATH`, else $PACKDESK_DB, else the profile's own."""
    chosen = override or os.environ.get("PACKDESK_DB")
    return Path(chosen).expanduser() if chosen else paths.database
