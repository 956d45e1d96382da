"""PrinterError: every printer failure as a kind with a hint a packer can act on."""

from __future__ import annotations

from enum import StrEnum


class PrinterErrorKind(StrEnum):
    """What went wrong with a printer; the app maps each to where and how it is shown."""

    NOT_FOUND = "not_found"
    ACCESS_DENIED = "access_denied"
    BUSY = "busy"  # the kernel driver or another program holds the device
    TIMEOUT = "timeout"
    DISCONNECTED = "disconnected"  # unplugged mid-job
    PAPER_OUT = "paper_out"
    HEAD_OPEN = "head_open"
    PAUSED = "paused"
    RIBBON_OUT = "ribbon_out"
    UNSUPPORTED_MEDIA = "unsupported_media"  # includes DYMO 550 non-genuine labels
    LABEL_DOES_NOT_FIT = "label_does_not_fit"
    BAD_LABEL = "bad_label"  # unreadable image/PDF, or raw language of another family
    UNSUPPORTED = "unsupported"  # model, URI scheme or feature this library does not handle
    PROTOCOL = "protocol"  # the printer answered something we cannot read


class PrinterError(Exception):
    """A printer problem with a plain message, a hint with the fix, and the device it concerns."""

    def __init__(
        self, kind: PrinterErrorKind, message: str, *, hint: str = "", device: str = ""
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.hint = hint
        self.device = device

    @property
    def retryable(self) -> bool:
        """True when resending the same job after the fix is the right move."""
        return self.kind in {
            PrinterErrorKind.TIMEOUT,
            PrinterErrorKind.DISCONNECTED,
            PrinterErrorKind.PAPER_OUT,
            PrinterErrorKind.HEAD_OPEN,
            PrinterErrorKind.PAUSED,
            PrinterErrorKind.RIBBON_OUT,
            PrinterErrorKind.BUSY,
        }

    def __str__(self) -> str:
        where = f"{self.device}: " if self.device else ""
        return f"{where}{self.message}" + (f" ({self.hint})" if self.hint else "")
