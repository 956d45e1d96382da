"""The EasyPost API key: OS keyring per profile and mode, or $EASYPOST_API_KEY. Never logged."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from app.domain.errors import AppError, ErrorKind
from app.domain.redaction import mask  # re-exported: key status shows keys masked

KEYRING_SERVICE = "packdesk-easypost"
ENV_API_KEY = "EASYPOST_API_KEY"
#: The offline sandbox accepts this key; it is not a secret and buys nothing.
SANDBOX_API_KEY = "EZTKsandbox0000000000000000000000"
_KEY_MODES = ("test", "production")
_PREFIX = {"test": "EZTK", "production": "EZAK"}


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """Where the key of one mode comes from, shown masked."""

    mode: str
    source: str  # "env", "keyring" or "none"
    masked: str = ""


def _secrets_error(action: str, error: Exception) -> AppError:
    return AppError(
        f"The system keyring could not {action}: {type(error).__name__}.",
        hint="Unlock the keyring (log in to the desktop session, or install a keyring "
        "backend), or set $EASYPOST_API_KEY for this run.",
        kind=ErrorKind.SECRETS,
        details={"action": action},
    )


class ApiKeyStore:
    """The API keys of one profile: a test key and a production key, kept apart."""

    def __init__(self, profile: str, *, environ: Mapping[str, str] | None = None) -> None:
        self.profile = profile
        self._environ = os.environ if environ is None else environ

    def _account(self, mode: str) -> str:
        if mode not in _KEY_MODES:
            raise AppError(
                f"There is no API key for mode {mode!r}.",
                hint="Keys are kept for 'test' and 'production'; the sandbox needs none.",
                kind=ErrorKind.INVALID_INPUT,
            )
        return f"{self.profile}:{mode}"

    def get(self, mode: str) -> str | None:
        """The key for `mode`: $EASYPOST_API_KEY wins, then the keyring; None when unset."""
        account = self._account(mode)
        env_key = self._environ.get(ENV_API_KEY, "").strip()
        if env_key:
            return env_key
        try:
            return keyring.get_password(KEYRING_SERVICE, account)
        except KeyringError as error:
            raise _secrets_error("read the EasyPost key", error) from None

    def require(self, mode: str) -> str:
        """Like get(), but a missing key is an AUTH error with the fix."""
        key = self.get(mode)
        if not key:
            raise AppError(
                f"No EasyPost {mode} API key is set for profile {self.profile!r}.",
                hint=f"Run 'packdesk-cli key set --mode {mode}' (or set ${ENV_API_KEY}).",
                kind=ErrorKind.AUTH,
                details={"mode": mode, "profile": self.profile},
            )
        return key

    def set(self, mode: str, key: str) -> None:
        """Store `key` for `mode`, refusing a production key as test key and vice versa."""
        account = self._account(mode)
        key = key.strip()
        if not key or any(ch.isspace() for ch in key):
            raise AppError(
                "That does not look like an EasyPost API key.",
                hint="Copy the key from the EasyPost dashboard (API Keys).",
                kind=ErrorKind.INVALID_INPUT,
            )
        other = "production" if mode == "test" else "test"
        if key.startswith(_PREFIX[other]):
            raise AppError(
                f"That is a {other} key, not a {mode} key.",
                hint=f"Store it with '--mode {other}', so test and production stay apart.",
                kind=ErrorKind.INVALID_INPUT,
                details={"mode": mode},
            )
        try:
            keyring.set_password(KEYRING_SERVICE, account, key)
        except KeyringError as error:
            raise _secrets_error("store the EasyPost key", error) from None

    def clear(self, mode: str) -> bool:
        """Forget the stored key of `mode`; False when there was none."""
        account = self._account(mode)
        try:
            keyring.delete_password(KEYRING_SERVICE, account)
        except PasswordDeleteError:
            return False
        except KeyringError as error:
            raise _secrets_error("delete the EasyPost key", error) from None
        return True

    def status(self, mode: str) -> KeyStatus:
        account = self._account(mode)
        env_key = self._environ.get(ENV_API_KEY, "").strip()
        if env_key:
            return KeyStatus(mode, "env", mask(env_key))
        try:
            stored = keyring.get_password(KEYRING_SERVICE, account)
        except KeyringError as error:
            raise _secrets_error("read the EasyPost key", error) from None
        return KeyStatus(mode, "keyring", mask(stored)) if stored else KeyStatus(mode, "none")
