"""The EasyPost API key: OS keyring per profile and mode, or $EASYPOST_API_KEY. Never logged."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import keyring
from keyring.backends import fail, null
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from app.domain.errors import AppError, ErrorKind

KEYRING_SERVICE = "packdesk-easypost"
ENV_API_KEY = "EASYPOST_API_KEY"
#: The offline sandbox accepts this key; it is not a secret and buys nothing.
SANDBOX_API_KEY = "EZTKsandbox0000000000000000000000"
_KEY_MODES = ("test", "production")
_PREFIX = {"test": "EZTK", "production": "EZAK"}
#: What to do on a desk without a usable system keyring (a bare Linux desk, a locked session).
NO_KEYRING_HINT = (
    "Install or unlock a Secret Service (gnome-keyring or KWallet) and log in to the desktop "
    f"session, or set ${ENV_API_KEY} for this run. Packdesk never keeps a key in a plain file."
)


def key_kind(key: str) -> str:
    """ "test" for an EZTK key, "production" for an EZAK key, "" for any other (unknown)."""
    for mode, prefix in _PREFIX.items():
        if key.startswith(prefix):
            return mode
    return ""


def mask(key: str) -> str:
    """A key shown to people: its kind and last 4 characters."""
    if not key:
        return ""
    return f"{key[:4]}…{key[-4:]}" if len(key) > 12 else "…"


def redact(text: str, key: str) -> str:
    """`text` with every occurrence of `key` masked (for anything that might be shown)."""
    return text.replace(key, mask(key)) if key else text


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """Where the key of one mode comes from, shown masked, and what is wrong with it."""

    mode: str
    source: str  # "env", "keyring", "none", or "unavailable" (no usable keyring)
    masked: str = ""
    problem: str = ""  # e.g. a production key offered in test mode; "" when usable


@dataclass(frozen=True, slots=True)
class KeyringState:
    """Whether this desk has a system keyring to keep keys in, and the fix when it has not."""

    available: bool
    backend: str
    message: str = ""
    hint: str = ""


def keyring_state() -> KeyringState:
    """The process's keyring backend; keyring's fail/null backends mean "none on this desk"."""
    backend = keyring.get_keyring()
    name = type(backend).__module__.removeprefix("keyring.backends.")
    if isinstance(backend, fail.Keyring | null.Keyring):
        return KeyringState(
            False,
            name,
            "This desk has no system keyring, so an EasyPost key cannot be stored here.",
            NO_KEYRING_HINT,
        )
    return KeyringState(True, name)


def _no_keyring_error(action: str) -> AppError:
    return AppError(
        f"This desk has no system keyring, so Packdesk cannot {action}.",
        hint=NO_KEYRING_HINT,
        kind=ErrorKind.SECRETS,
        details={"action": action, "keyring": "none"},
    )


def _secrets_error(action: str, error: Exception) -> AppError:
    if isinstance(error, NoKeyringError):
        return _no_keyring_error(action)
    return AppError(
        f"The system keyring could not {action}: {type(error).__name__}.",
        hint=NO_KEYRING_HINT,
        kind=ErrorKind.SECRETS,
        details={"action": action},
    )


def _wrong_kind(mode: str, kind: str, source: str) -> AppError:
    where = f"${ENV_API_KEY}" if source == "env" else f"the keyring's {mode} entry"
    return AppError(
        f"The key in {where} is a {kind} key, but the profile is in {mode} mode.",
        hint=f"Packdesk never sends a {kind} key in {mode} mode. Give a {mode} key "
        f"({_PREFIX[mode]}...) in Setup or with 'packdesk-cli key set --mode {mode}'"
        + (f", or unset ${ENV_API_KEY}" if source == "env" else "")
        + f", or switch the profile to {kind} mode.",
        kind=ErrorKind.AUTH,
        details={"mode": mode, "key_kind": kind, "source": source},
    )


def check_kind(mode: str, key: str, source: str) -> str:
    """`key` when it may be sent in `mode`; AUTH error for the other kind (unknown passes)."""
    kind = key_kind(key)
    if kind and kind != mode:
        raise _wrong_kind(mode, kind, source)
    return key


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
        """The key for `mode`: $EASYPOST_API_KEY wins, then the keyring; None when unset.

        Wherever it comes from, a key of the other kind is refused (AUTH): a production key is
        never sent in test mode, nor a test key in production. No keyring backend reads as None.
        """
        account = self._account(mode)
        env_key = self._environ.get(ENV_API_KEY, "").strip()
        if env_key:
            return check_kind(mode, env_key, "env")
        if not keyring_state().available:
            return None
        try:
            stored = keyring.get_password(KEYRING_SERVICE, account)
        except NoKeyringError:
            return None
        except KeyringError as error:
            raise _secrets_error("read the EasyPost key", error) from None
        return check_kind(mode, stored, "keyring") if stored else None

    def require(self, mode: str) -> str:
        """Like get(), but a missing key is an AUTH error with the fix."""
        key = self.get(mode)
        if not key and not keyring_state().available:
            raise AppError(
                f"No EasyPost {mode} API key: this desk has no system keyring to keep one in.",
                hint=NO_KEYRING_HINT,
                kind=ErrorKind.SECRETS,
                details={"mode": mode, "profile": self.profile, "keyring": "none"},
            )
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
        if not keyring_state().available:
            raise _no_keyring_error("store the EasyPost key")
        try:
            keyring.set_password(KEYRING_SERVICE, account, key)
        except KeyringError as error:
            raise _secrets_error("store the EasyPost key", error) from None

    def clear(self, mode: str) -> bool:
        """Forget the stored key of `mode`; False when there was none."""
        account = self._account(mode)
        if not keyring_state().available:
            return False  # nothing can have been stored
        try:
            keyring.delete_password(KEYRING_SERVICE, account)
        except PasswordDeleteError:
            return False
        except KeyringError as error:
            raise _secrets_error("delete the EasyPost key", error) from None
        return True

    def status(self, mode: str) -> KeyStatus:
        """Where `mode`'s key comes from; reports a missing or locked keyring, never raises."""
        account = self._account(mode)
        env_key = self._environ.get(ENV_API_KEY, "").strip()
        if env_key:
            return KeyStatus(mode, "env", mask(env_key), _kind_problem(mode, env_key))
        state = keyring_state()
        if not state.available:
            return KeyStatus(mode, "unavailable", problem=state.message)
        try:
            stored = keyring.get_password(KEYRING_SERVICE, account)
        except KeyringError as error:
            return KeyStatus(mode, "unavailable", problem=_secrets_error("read", error).message)
        if not stored:
            return KeyStatus(mode, "none")
        return KeyStatus(mode, "keyring", mask(stored), _kind_problem(mode, stored))


def _kind_problem(mode: str, key: str) -> str:
    kind = key_kind(key)
    return f"a {kind} key in {mode} mode: it will not be sent" if kind and kind != mode else ""
