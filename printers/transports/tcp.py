"""Raw TCP (port 9100) transport for network Zebras and DYMO 550-series printers."""

from __future__ import annotations

import select
import socket
import time

from printers.errors import PrinterError, PrinterErrorKind
from printers.transports.base import (
    DEFAULT_READ_TIMEOUT_MS,
    DEFAULT_WRITE_TIMEOUT_MS,
    TransportBase,
)
from printers.uri import RAW_TCP_PORT

DEFAULT_CONNECT_TIMEOUT_MS = 5_000


class TcpTransport(TransportBase):
    """A connected socket to a raw print port; TCP_NODELAY so short status queries go at once."""

    bidirectional = True

    def __init__(
        self,
        host: str,
        port: int = RAW_TCP_PORT,
        *,
        connect_timeout_ms: int = DEFAULT_CONNECT_TIMEOUT_MS,
    ) -> None:
        self.host = host
        self.port = port
        self.name = f"tcp://{host}:{port}"
        try:
            self._sock: socket.socket | None = socket.create_connection(
                (host, port), timeout=connect_timeout_ms / 1000
            )
        except TimeoutError as exc:
            raise PrinterError(
                PrinterErrorKind.TIMEOUT,
                f"No answer from {host}:{port} within {connect_timeout_ms / 1000:g} s",
                hint="Check that the printer is on, on this network, and that the address "
                "and port are right (printers print their IP on a configuration label).",
                device=self.name,
            ) from exc
        except ConnectionRefusedError as exc:
            raise PrinterError(
                PrinterErrorKind.NOT_FOUND,
                f"{host} refused a connection on port {port}",
                hint="The host is up but nothing listens on that port: raw printing is "
                "usually port 9100; check the printer's network settings.",
                device=self.name,
            ) from exc
        except OSError as exc:
            raise PrinterError(
                PrinterErrorKind.NOT_FOUND,
                f"Cannot reach {host}:{port}: {exc.strerror or exc}",
                hint="Check the host name or IP address and the network cable or Wi-Fi.",
                device=self.name,
            ) from exc
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise PrinterError(
                PrinterErrorKind.DISCONNECTED, "The connection is closed", device=self.name
            )
        return self._sock

    def write(self, data: bytes, timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS) -> None:
        sock = self._socket()
        view = memoryview(data)
        sent = 0
        deadline = time.monotonic() + timeout_ms / 1000
        while sent < len(view):
            # The timeout is per stretch without progress: a busy printer stops reading.
            sock.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                moved = sock.send(view[sent : sent + 65536])
            except TimeoutError as exc:
                raise self._timeout("sending", sent, len(view), timeout_ms) from exc
            except OSError as exc:
                raise self._dropped(exc) from exc
            sent += moved
            deadline = time.monotonic() + timeout_ms / 1000

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes:
        sock = self._socket()
        ready, _, _ = select.select([sock], [], [], timeout_ms / 1000)
        if not ready:
            return b""
        try:
            got = sock.recv(n)
        except OSError as exc:
            raise self._dropped(exc) from exc
        if not got:
            raise PrinterError(
                PrinterErrorKind.DISCONNECTED,
                "The printer closed the connection",
                hint="It may have been switched off or restarted; check it and resend.",
                device=self.name,
            )
        return got

    def close(self) -> None:
        if self._sock is not None:
            sock, self._sock = self._sock, None
            sock.close()

    def _timeout(self, doing: str, sent: int, total: int, timeout_ms: int) -> PrinterError:
        return PrinterError(
            PrinterErrorKind.TIMEOUT,
            f"The printer stopped taking data while {doing} ({sent} of {total} bytes sent, "
            f"nothing moved for {timeout_ms / 1000:g} s)",
            hint="Check the printer for an error light, paper or an open head, then resend.",
            device=self.name,
        )

    def _dropped(self, exc: OSError) -> PrinterError:
        return PrinterError(
            PrinterErrorKind.DISCONNECTED,
            f"The connection dropped: {exc.strerror or exc}",
            hint="The printer may have been switched off or lost the network; resend after "
            "it is back.",
            device=self.name,
        )
