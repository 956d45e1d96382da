"""A raw TCP 9100 printer on 127.0.0.1 backed by an emulated engine (network Zebras)."""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType
from typing import Any, Self

from printers.emulators.engine import EmulatedPrinter, LinkDropped
from printers.emulators.presets import make_engine

_POLL_S = 0.1  # how often blocked loops look at the closing flag


class EmulatedTcpPrinter:
    """Listens on 127.0.0.1 (port 0 picks a free one); one host connection at a time, like a
    Zebra's raw port. While the engine's buffer is full it stops reading, so TCP itself pushes
    back on the host. Use as a context manager or call `close()`."""

    def __init__(self, engine: EmulatedPrinter, *, host: str = "127.0.0.1", port: int = 0):
        self.engine = engine
        self._listener = socket.create_server((host, port))
        self._listener.settimeout(_POLL_S)
        self.host, self.port = self._listener.getsockname()[:2]
        self._closing = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._current: socket.socket | None = None  # replies go to the newest connection
        self._threads: list[threading.Thread] = []
        self.connections_accepted = 0
        engine.on_link_drop = self._cut_connections
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()
        self._replier = threading.Thread(target=self._writer, daemon=True)
        self._replier.start()

    @classmethod
    def for_preset(cls, preset: str, **engine_options: Any) -> EmulatedTcpPrinter:
        """A server with a fresh engine for `preset` (e.g. "zd421-203")."""
        return cls(make_engine(preset, **engine_options))

    @property
    def uri(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            conn.settimeout(_POLL_S)
            with self._lock:
                self._conns.append(conn)
                self._current = conn
                self.connections_accepted += 1
            thread = threading.Thread(target=self._reader, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _reader(self, conn: socket.socket) -> None:
        try:
            while not self._closing.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    return
                sent = 0
                while sent < len(data) and not self._closing.is_set():
                    sent += self.engine.receive(data[sent:], _POLL_S)
        except (LinkDropped, OSError):
            return  # the connection was cut (fault injection) or closed
        finally:
            self._forget(conn)

    def _writer(self) -> None:
        while not self._closing.is_set():
            try:
                reply = self.engine.take_reply(4096, _POLL_S)
            except LinkDropped:
                continue  # a new link generation; keep serving
            with self._lock:
                conn = self._current
            if reply and conn is not None:
                try:
                    conn.sendall(reply)
                except OSError:
                    continue  # the host hung up; the reply is lost, as on a real printer

    def _forget(self, conn: socket.socket) -> None:
        with self._lock:
            if conn in self._conns:
                self._conns.remove(conn)
            if self._current is conn:
                self._current = None
        conn.close()

    def _cut_connections(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
            self._current = None
        for conn in conns:
            with contextlib.suppress(OSError):  # already gone
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        """Stop listening, cut connections, stop the engine."""
        self._closing.set()
        self._listener.close()
        self._cut_connections()
        self._acceptor.join(timeout=2)
        self._replier.join(timeout=2)
        for thread in self._threads:
            thread.join(timeout=2)
        self.engine.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
