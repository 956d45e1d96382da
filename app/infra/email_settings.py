"""Tracking-email settings (the "email" section of the profile's settings) and the SMTP
password (OS keyring per profile, or $PACKDESK_SMTP_PASSWORD for one run)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from app.domain.emails import DEFAULT_BODY, DEFAULT_SUBJECT
from app.domain.errors import AppError, ErrorKind
from app.infra.settings import SettingsStore

KEYRING_SERVICE = "packdesk-smtp"
ENV_PASSWORD = "PACKDESK_SMTP_PASSWORD"


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


@dataclass(frozen=True, slots=True)
class EmailSettings:
    """How and when tracking emails go out."""

    host: str = ""
    port: int = 587
    security: Security = Security.STARTTLS
    user: str = ""
    from_address: str = ""
    subject: str = DEFAULT_SUBJECT
    body: str = DEFAULT_BODY
    per_minute: int = 30  # throttle; 0 sends as fast as the server takes them
    on_ship: bool = False  # email when an order is marked shipped by hand
    on_first_scan: bool = False  # email at the label's first carrier scan

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)


def load_email_settings(other: Mapping[str, Any]) -> EmailSettings:
    """EmailSettings from the settings' "email" section (defaults for what is missing)."""
    section = other.get("email") or {}
    if not isinstance(section, Mapping):
        return EmailSettings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(EmailSettings):
        if f.name not in section:
            continue
        raw = section[f.name]
        if f.name == "security":
            values[f.name] = Security(str(raw))
        elif f.name in ("port", "per_minute"):
            values[f.name] = int(raw)
        elif f.name in ("on_ship", "on_first_scan"):
            values[f.name] = bool(raw)
        else:
            values[f.name] = str(raw)
    return EmailSettings(**values)


def save_email_settings(store: SettingsStore, settings: EmailSettings) -> None:
    """Write the "email" section, keeping every other setting as it is."""
    current = store.load()
    section = dataclasses.asdict(settings)
    section["security"] = settings.security.value
    store.save(dataclasses.replace(current, other={**current.other, "email": section}))


def _keyring_error(action: str, error: Exception) -> AppError:
    return AppError(
        f"The system keyring could not {action}: {type(error).__name__}.",
        hint=f"Unlock the keyring, or set ${ENV_PASSWORD} for this run.",
        kind=ErrorKind.SECRETS,
    )


class SmtpPasswordStore:
    """The SMTP password of one profile."""

    def __init__(self, profile: str, *, environ: Mapping[str, str] | None = None) -> None:
        self.profile = profile
        self._environ = os.environ if environ is None else environ

    def get(self) -> str | None:
        """$PACKDESK_SMTP_PASSWORD, else the keyring's; None when neither is set."""
        from_env = self._environ.get(ENV_PASSWORD, "")
        if from_env:
            return from_env
        try:
            return keyring.get_password(KEYRING_SERVICE, self.profile)
        except KeyringError as error:
            raise _keyring_error("read the SMTP password", error) from None

    def set(self, password: str) -> None:
        try:
            keyring.set_password(KEYRING_SERVICE, self.profile, password)
        except KeyringError as error:
            raise _keyring_error("store the SMTP password", error) from None

    def clear(self) -> bool:
        try:
            keyring.delete_password(KEYRING_SERVICE, self.profile)
        except PasswordDeleteError:
            return False
        except KeyringError as error:
            raise _keyring_error("delete the SMTP password", error) from None
        return True
