"""The one error family: AppError carries a message a packer can act on, and a hint with the fix."""

from __future__ import annotations

from enum import StrEnum


class ErrorKind(StrEnum):
    """What went wrong, coarse enough for the UI to pick where to show it."""

    INVALID_INPUT = "invalid_input"  # a row, field or argument the user can correct
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # the change would break a rule (e.g. order already has a label)
    DATABASE = "database"  # unreadable, newer than this app, locked
    AUTH = "auth"  # bad or inactive EasyPost key
    PAYMENT = "payment"  # EasyPost wallet / billing
    ADDRESS = "address"
    CUSTOMS = "customs"
    RATE = "rate"
    RATE_LIMITED = "rate_limited"
    NETWORK = "network"  # network down, timeout, server errors
    PRINTER = "printer"  # unplugged, paper out, head open, access denied ...
    SECRETS = "secrets"  # keyring locked or missing
    INTERNAL = "internal"  # a bug; shown with a crash report


class AppError(Exception):
    """A known error: shown where it happens, with a hint that says how to fix it.

    Anything that is not an AppError is a bug and goes to the crash dialog with its traceback.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str = "",
        kind: ErrorKind = ErrorKind.INVALID_INPUT,
        details: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.kind = kind
        # Machine-readable context (order id, row, field ...); never secrets.
        self.details: dict[str, object] = dict(details or {})

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message
