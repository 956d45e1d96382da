"""EasyPost setup: the mode, the keys per mode, and "Test connection" with its fix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.infra.secrets import (
    ENV_API_KEY,
    NO_KEYRING_HINT,
    SANDBOX_API_KEY,
    KeyringState,
    KeyStatus,
    check_kind,
    keyring_state,
)
from app.infra.settings import EasyPostMode, Settings

KEY_MODES = (EasyPostMode.TEST, EasyPostMode.PRODUCTION)
#: A harmless object to create when testing the connection (EasyPost's own office; no charge).
_PROBE_ADDRESS = Address(
    "Packdesk connection test", "417 Montgomery St", "San Francisco", "94104", "US", state="CA"
)


class ConnectionOutcome(StrEnum):
    """The answers "Test connection" can give."""

    OK = "ok"
    WRONG_KEY = "wrong_key"  # EasyPost said 401/403
    WRONG_KIND = "wrong_kind"  # a production key in test mode or the other way round
    NETWORK = "network"  # could not reach EasyPost
    NO_KEY = "no_key"  # nothing to test with (no key typed, stored or in the environment)
    NO_KEYRING = "no_keyring"  # ...and no keyring to keep one in
    ERROR = "error"  # any other known error, shown as it is


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """The answer of "Test connection": what happened and what to do about it."""

    outcome: ConnectionOutcome
    mode: EasyPostMode
    message: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome is ConnectionOutcome.OK


@dataclass(frozen=True, slots=True)
class EasyPostOverview:
    """What the Setup panel's EasyPost section shows."""

    saved_mode: EasyPostMode  # what the settings say (takes effect at the next start)
    running_mode: EasyPostMode  # what this run talks to (the status bar shows it)
    keyring: KeyringState
    keys: tuple[KeyStatus, ...]
    api_base: str


class SettingsFile(Protocol):
    def load(self) -> Settings: ...

    def update(self, **easypost_changes: object) -> Settings: ...


class KeyStore(Protocol):
    """app.infra.secrets.ApiKeyStore."""

    def get(self, mode: str) -> str | None: ...

    def set(self, mode: str, key: str) -> None: ...

    def clear(self, mode: str) -> bool: ...

    def status(self, mode: str) -> KeyStatus: ...


class Probe(Protocol):
    """The gateway as far as a connection test goes."""

    def create_address(self, address: Address, *, verify: bool = False) -> object: ...

    def close(self) -> None: ...


MakeProbe = Callable[[str, str], Probe]  # (api_base, key) -> gateway


class EasyPostSetupService:
    """Mode and keys of one profile, and the connection test (call it on a worker)."""

    def __init__(
        self,
        settings: SettingsFile,
        keys: KeyStore,
        make_probe: MakeProbe,
        *,
        running_mode: Callable[[], EasyPostMode],
        sandbox_base: Callable[[], str],
        production_base: str,
        explicit_base: Callable[[], str] = lambda: "",
        record_mode_change: Callable[[EasyPostMode, EasyPostMode], None] | None = None,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._make_probe = make_probe
        self._running_mode = running_mode
        self._sandbox_base = sandbox_base
        self._production_base = production_base
        self._explicit_base = explicit_base  # --api-base / $EASYPOST_API_BASE win, as for buying
        self._record_mode_change = record_mode_change

    def overview(self) -> EasyPostOverview:
        ep = self._settings.load().easypost
        return EasyPostOverview(
            saved_mode=ep.mode,
            running_mode=self._running_mode(),
            keyring=keyring_state(),
            keys=tuple(self._keys.status(mode.value) for mode in KEY_MODES),
            api_base=ep.api_base,
        )

    def set_mode(self, mode: EasyPostMode) -> EasyPostOverview:
        """Save the mode; this run keeps talking to the mode it started in (see overview).

        A change is recorded in the audit log (who switched the desk to production, and when).
        """
        self._running_mode()  # pinned before the save: this run never changes mode under itself
        before = self._settings.load().easypost.mode
        self._settings.update(mode=EasyPostMode(mode))
        if before is not mode and self._record_mode_change is not None:
            self._record_mode_change(before, EasyPostMode(mode))
        return self.overview()

    def set_key(self, mode: EasyPostMode, key: str) -> KeyStatus:
        """Store `key` for `mode` in the keyring (its kind checked; never in a file)."""
        self._keys.set(EasyPostMode(mode).value, key)
        return self._keys.status(mode.value)

    def clear_key(self, mode: EasyPostMode) -> KeyStatus:
        self._keys.clear(EasyPostMode(mode).value)
        return self._keys.status(mode.value)

    def test_connection(
        self, mode: EasyPostMode | None = None, typed_key: str = ""
    ) -> ConnectionCheck:
        """Call EasyPost with `mode`'s key (the one typed, else the stored or environment one)
        and say whether it works; a key of the wrong kind is never sent."""
        ep = self._settings.load().easypost
        mode = EasyPostMode(mode or ep.mode)
        configured = self._explicit_base() or ep.api_base
        if mode is EasyPostMode.SANDBOX:
            key, api_base = SANDBOX_API_KEY, configured or self._sandbox_base()
        else:
            api_base = configured or self._production_base
            try:
                found = self._key_for(mode, typed_key.strip())
            except AppError as error:
                return _check_for(error, mode)
            if found is None:
                return _missing_key(mode)
            key = found
        try:
            probe = self._make_probe(api_base, key)
            try:
                probe.create_address(_PROBE_ADDRESS, verify=False)
            finally:
                probe.close()
        except AppError as error:
            return _check_for(error, mode)
        where = "the offline sandbox" if mode is EasyPostMode.SANDBOX else f"EasyPost ({mode})"
        return ConnectionCheck(ConnectionOutcome.OK, mode, f"Connected to {where}: the key works.")

    def _key_for(self, mode: EasyPostMode, typed: str) -> str | None:
        if typed:
            return check_kind(mode.value, typed, "typed")
        return self._keys.get(mode.value)


def _missing_key(mode: EasyPostMode) -> ConnectionCheck:
    state = keyring_state()
    if not state.available:
        return ConnectionCheck(
            ConnectionOutcome.NO_KEYRING,
            mode,
            f"No {mode} key: this desk has no system keyring to keep one in.",
            NO_KEYRING_HINT,
        )
    return ConnectionCheck(
        ConnectionOutcome.NO_KEY,
        mode,
        f"No EasyPost {mode} key is set.",
        f"Type the {mode} key from the EasyPost dashboard (API Keys) and save it, "
        f"or set ${ENV_API_KEY}.",
    )


def _check_for(error: AppError, mode: EasyPostMode) -> ConnectionCheck:
    if error.kind is ErrorKind.AUTH and "key_kind" in error.details:
        outcome = ConnectionOutcome.WRONG_KIND
    elif error.kind is ErrorKind.AUTH:
        outcome = ConnectionOutcome.WRONG_KEY
        return ConnectionCheck(
            outcome,
            mode,
            f"EasyPost refused the {mode} key (wrong or inactive key).",
            f"Copy the {mode} key again from the EasyPost dashboard (API Keys), save it, and "
            "test again.",
        )
    elif error.kind is ErrorKind.NETWORK:
        outcome = ConnectionOutcome.NETWORK
        return ConnectionCheck(
            outcome,
            mode,
            "Could not reach EasyPost: the network is down or EasyPost did not answer.",
            "Check the internet connection (and any proxy), then test again.",
        )
    elif error.kind is ErrorKind.SECRETS:
        outcome = ConnectionOutcome.NO_KEYRING
    else:
        outcome = ConnectionOutcome.ERROR
    return ConnectionCheck(outcome, mode, error.message, error.hint)
