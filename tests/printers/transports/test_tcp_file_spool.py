"""TCP 9100 over real loopback sockets, the file transport, and the CUPS spooler route."""

from __future__ import annotations

import os
import socket
import stat
import sys
from pathlib import Path

import pytest

from printers.errors import PrinterError, PrinterErrorKind
from printers.transports.file import FileTransport
from printers.transports.spool import SpoolTransport
from printers.transports.tcp import TcpTransport
from tests.printers.emulators.fixtures import MakeTcp


def test_tcp_status_round_trip_with_the_emulator(emulated_tcp: MakeTcp) -> None:
    server = emulated_tcp("zd421-203")
    with TcpTransport(server.host, server.port) as transport:
        transport.write(b"~HS")
        reply = b""
        while reply.count(b"\x03") < 3:
            got = transport.read(256, 2000)
            assert got, "no reply"
            reply += got
    assert reply.startswith(b"\x02014,0,0,1218")


def test_tcp_refused_is_not_found() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(PrinterError) as info:
            TcpTransport("127.0.0.1", port, connect_timeout_ms=1000)
    assert info.value.kind is PrinterErrorKind.NOT_FOUND
    assert "9100" in info.value.hint


def test_tcp_read_times_out_with_empty_bytes_and_peer_close_is_disconnected() -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        transport = TcpTransport("127.0.0.1", server.getsockname()[1])
        peer, _ = server.accept()
        try:
            assert transport.read(10, 20) == b""
            peer.close()
            with pytest.raises(PrinterError) as info:
                transport.read(10, 2000)
            assert info.value.kind is PrinterErrorKind.DISCONNECTED
        finally:
            transport.close()


def test_tcp_stalled_printer_write_times_out(emulated_tcp: MakeTcp) -> None:
    server = emulated_tcp("zd421-203")
    server.engine.set_faults(stalled=True)
    with TcpTransport(server.host, server.port) as transport:
        transport._socket().setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        with pytest.raises(PrinterError) as info:
            # Far more than the socket buffers hold: the send must stall and time out.
            transport.write(b"^XA" + b"0" * 16_000_000, timeout_ms=200)
    assert info.value.kind is PrinterErrorKind.TIMEOUT


def test_file_transport_writes_exact_bytes(tmp_path: Path) -> None:
    out = tmp_path / "job.bin"
    with FileTransport(out) as transport:
        transport.write(b"^XA")
        transport.write(b"^XZ")
        assert transport.read(10, 10) == b""
        assert not transport.bidirectional
    assert out.read_bytes() == b"^XA^XZ"


def test_file_transport_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(PrinterError) as info:
        FileTransport(tmp_path / "nope" / "job.bin")
    assert info.value.kind is PrinterErrorKind.NOT_FOUND


@pytest.fixture
def fake_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An `lp` on PATH that records its arguments and stdin like CUPS would receive them."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    script = bindir / "lp"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "args = sys.argv[1:]\n"
        "if args[1] == 'missing':\n"
        "    sys.stderr.write('lp: The printer or class does not exist.\\n'); sys.exit(1)\n"
        f"with open({str(log)!r}, 'ab') as fh:\n"
        "    fh.write(repr(args).encode() + b'\\n' + sys.stdin.buffer.read() + b'\\n')\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return log


@pytest.mark.skipif(sys.platform == "win32", reason="CUPS route")
def test_spool_submits_one_raw_job_per_flush(fake_lp: Path) -> None:
    transport = SpoolTransport("Zebra_ZD421")
    transport.write(b"^XA")
    transport.write(b"^XZ")
    transport.flush()
    transport.write(b"^XA^XZ")
    transport.close()
    lines = fake_lp.read_bytes().split(b"\n")
    assert lines[0] == repr(["-d", "Zebra_ZD421", "-o", "raw", "-t", "Packdesk label"]).encode()
    assert lines[1] == b"^XA^XZ"
    assert transport.jobs_submitted == 2


@pytest.mark.skipif(sys.platform == "win32", reason="CUPS route")
def test_spool_unknown_queue_says_how_to_list_them(fake_lp: Path) -> None:
    transport = SpoolTransport("missing")
    transport.write(b"^XA^XZ")
    with pytest.raises(PrinterError) as info:
        transport.flush()
    assert info.value.kind is PrinterErrorKind.NOT_FOUND
    assert "lpstat -p" in info.value.hint


def test_windows_spooler_gets_one_raw_document(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    calls: list[tuple[object, ...]] = []
    fake = types.ModuleType("win32print")
    fake.OpenPrinter = lambda name: calls.append(("open", name)) or "h"  # type: ignore[attr-defined]
    fake.StartDocPrinter = lambda h, level, doc: calls.append(("doc", level, doc))  # type: ignore[attr-defined]
    fake.StartPagePrinter = lambda h: calls.append(("page",))  # type: ignore[attr-defined]
    fake.WritePrinter = lambda h, data: calls.append(("write", data))  # type: ignore[attr-defined]
    fake.EndPagePrinter = lambda h: calls.append(("endpage",))  # type: ignore[attr-defined]
    fake.EndDocPrinter = lambda h: calls.append(("enddoc",))  # type: ignore[attr-defined]
    fake.ClosePrinter = lambda h: calls.append(("close",))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "win32print", fake)
    monkeypatch.setattr(sys, "platform", "win32")
    transport = SpoolTransport("ZDesigner ZD421-203dpi ZPL")
    transport.write(b"^XA^XZ")
    transport.close()
    assert calls == [
        ("open", "ZDesigner ZD421-203dpi ZPL"),
        ("doc", 1, ("Packdesk label", None, "RAW")),
        ("page",),
        ("write", b"^XA^XZ"),
        ("endpage",),
        ("enddoc",),
        ("close",),
    ]
