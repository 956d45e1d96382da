"""What a desk still lacks before it can buy and print: a key, a ship-from address, a printer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from app.domain.ship_from import ShipFromAddress
from app.infra.secrets import NO_KEYRING_HINT, KeyStatus
from app.infra.settings import EasyPostMode, Settings


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One thing a working desk needs; `fix` says where to set it when it is missing."""

    key: str  # "easypost_key", "ship_from", "printer"
    title: str
    done: bool
    detail: str
    fix: str = ""


@dataclass(frozen=True, slots=True)
class SetupState:
    """The checklist, and the mode this run talks to (for the status bar)."""

    items: tuple[ChecklistItem, ...]
    running_mode: EasyPostMode
    saved_mode: EasyPostMode

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def missing(self) -> tuple[ChecklistItem, ...]:
        return tuple(item for item in self.items if not item.done)


class _Settings(Protocol):
    def load(self) -> Settings: ...


class _Keys(Protocol):
    def status(self, mode: str) -> KeyStatus: ...


class _ShipFrom(Protocol):
    def default(self) -> ShipFromAddress | None: ...


class SetupChecklistService:
    """Computes the checklist from the settings file, the keyring and the database."""

    def __init__(
        self,
        settings: _Settings,
        keys: _Keys,
        ship_from: _ShipFrom,
        running_mode: Callable[[], EasyPostMode],
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._ship_from = ship_from
        self._running_mode = running_mode

    def check(self) -> SetupState:
        settings = self._settings.load()
        running = self._running_mode()
        return SetupState(
            (
                self._key_item(running),
                self._ship_from_item(),
                _printer_item(settings),
            ),
            running,
            settings.easypost.mode,
        )

    def _key_item(self, mode: EasyPostMode) -> ChecklistItem:
        title = "EasyPost key"
        if mode is EasyPostMode.SANDBOX:
            return ChecklistItem("easypost_key", title, True, "The offline sandbox needs no key.")
        status = self._keys.status(mode.value)
        where = {"env": "from $EASYPOST_API_KEY", "keyring": "in the keyring"}
        if status.source in where and not status.problem:
            detail = f"The {mode} key {status.masked} is set {where[status.source]}."
            return ChecklistItem("easypost_key", title, True, detail)
        if status.source == "unavailable":
            return ChecklistItem(
                "easypost_key", title, False, status.problem or "No keyring.", NO_KEYRING_HINT
            )
        if status.problem:
            return ChecklistItem(
                "easypost_key",
                title,
                False,
                f"The {mode} key {status.masked} is {status.problem}.",
                f"Type a {mode} key in Setup > EasyPost, or change $EASYPOST_API_KEY.",
            )
        return ChecklistItem(
            "easypost_key",
            title,
            False,
            f"No EasyPost {mode} key is set.",
            f"Type the {mode} key in Setup > EasyPost and save it (or `packdesk-cli key set "
            f"--mode {mode}`).",
        )

    def _ship_from_item(self) -> ChecklistItem:
        default = self._ship_from.default()
        if default is None:
            return ChecklistItem(
                "ship_from",
                "Ship-from address",
                False,
                "No ship-from (return) address yet.",
                "Add one in Setup > Ship-from addresses (or `packdesk-cli ship-from add`).",
            )
        a = default.address
        detail = f"{default.label}: {a.street1}, {a.city} {a.state} {a.postal_code}".strip()
        return ChecklistItem("ship_from", "Ship-from address", True, detail)


def _printer_item(settings: Settings) -> ChecklistItem:
    printers = settings.printers
    if not printers.configured:
        return ChecklistItem(
            "printer",
            "Label printer",
            False,
            "No label printer configured (labels would only be previewed).",
            "Add one in Setup > Printers, where Discover finds USB printers (or "
            "`packdesk-cli printers add`).",
        )
    default = printers.resolve(None)
    return ChecklistItem(
        "printer", "Label printer", True, f"{default.name} ({default.uri}) prints by default."
    )
