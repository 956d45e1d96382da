"""File transport: writes the exact printer bytes to a file (for inspection or a raw device)."""

from __future__ import annotations

from pathlib import Path

from printers.errors import PrinterError, PrinterErrorKind
from printers.transports.base import (
    DEFAULT_READ_TIMEOUT_MS,
    DEFAULT_WRITE_TIMEOUT_MS,
    TransportBase,
)


class FileTransport(TransportBase):
    """Appends every write to `path`; one-way, so status is unknown."""

    bidirectional = False

    def __init__(self, path: Path, *, append: bool = False) -> None:
        self.path = path
        self.name = f"file://{path.as_posix()}"
        try:
            self._fh = path.open("ab" if append else "wb")
        except OSError as exc:
            raise PrinterError(
                PrinterErrorKind.ACCESS_DENIED
                if isinstance(exc, PermissionError)
                else PrinterErrorKind.NOT_FOUND,
                f"Cannot open {path} for writing: {exc.strerror or exc}",
                hint="Pick a folder that exists and that you can write to.",
                device=self.name,
            ) from exc

    def write(self, data: bytes, timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS) -> None:
        del timeout_ms  # a local file does not stall
        self._fh.write(data)
        self._fh.flush()

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes:
        del n, timeout_ms
        return b""

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.close()
