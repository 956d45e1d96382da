"""The Transport protocol every printer connection implements, plus shared helpers."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, runtime_checkable

# Generous by default: a printer NAKs bulk OUT while its buffer is full, so a write lasts as
# long as the labels ahead of it take to print (a DYMO needs several seconds per 4x6).
DEFAULT_WRITE_TIMEOUT_MS = 30_000
DEFAULT_READ_TIMEOUT_MS = 2_000


@runtime_checkable
class Transport(Protocol):
    """A byte pipe to one printer.

    `write` delivers every byte or raises PrinterError (TIMEOUT when no byte moved for
    `timeout_ms`, DISCONNECTED when the device went away). `read` returns at most `n` bytes,
    as soon as any arrived, and b"" when none came within `timeout_ms`. A transport with
    `bidirectional = False` (spooler, file) always reads b"".
    """

    name: str
    bidirectional: bool

    def write(self, data: bytes, timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS) -> None: ...

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes: ...

    def flush(self) -> None:
        """End of one job: spooler transports submit here; pipes do nothing."""
        ...

    def drain_input(self, quiet_ms: int = 20, limit: int = 1 << 20) -> bytes:
        """Read and return stale input (replies nobody read) until `quiet_ms` of silence."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class TransportBase:
    """Context-manager plumbing and `drain_input` shared by the concrete transports."""

    name: str = ""
    bidirectional: bool = True

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        """Nothing to do for a byte pipe; SpoolTransport submits its job here."""

    def drain_input(self, quiet_ms: int = 20, limit: int = 1 << 20) -> bytes:
        """Read and return whatever stale input is pending (stops after `quiet_ms` of silence)."""
        if not self.bidirectional:
            return b""
        stale = bytearray()
        while len(stale) < limit:
            got = self.read(4096, quiet_ms)
            if not got:
                break
            stale += got
        return bytes(stale)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
