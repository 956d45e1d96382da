"""Print to one printer: open a URI, check status first, stream jobs, read status after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from printers.errors import PrinterError, PrinterErrorKind
from printers.media import Media
from printers.models import MODELS, PrinterModel, Protocol, get_model
from printers.status import (
    Odometer,
    PrinterState,
    PrinterStatus,
    offline_status,
    parse_zebra_odometer,
)
from printers.transports.base import DEFAULT_WRITE_TIMEOUT_MS, Transport
from printers.uri import PrinterUri, parse_uri

DEFAULT_STATUS_TIMEOUT_MS = 3_000


@dataclass(frozen=True)
class PrintResult:
    """What happened to one job (or one streamed batch)."""

    uri: str
    model: str
    jobs: int
    bytes_sent: int
    status_before: PrinterStatus
    status_after: PrinterStatus
    seconds: float

    @property
    def problem_after(self) -> bool:
        """True when the printer reported a fault right after taking the job: the job is in
        its buffer and prints once the fault is fixed (do not resend)."""
        return not self.status_after.ok and self.status_after.state not in (
            PrinterState.UNKNOWN,
            PrinterState.OFFLINE,
        )


class Printer:
    """One open printer of a known model. Not thread-safe: give each printer one lane.

    `print_label(file bytes)` and `send_job(printer bytes)` check the status first (a printer
    out of paper or with the head open gets nothing: PrinterError PAPER_OUT / HEAD_OPEN),
    send, and read the status after. `print_jobs` streams many jobs back to back so the
    printer never waits between labels.
    """

    def __init__(
        self,
        transport: Transport,
        model: PrinterModel,
        *,
        uri: str = "",
        status_timeout_ms: int = DEFAULT_STATUS_TIMEOUT_MS,
        write_timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS,
        reopen: Callable[[], Transport] | None = None,
    ) -> None:
        self.transport = transport
        self.model = model
        self.uri = uri or transport.name
        self.status_timeout_ms = status_timeout_ms
        self.write_timeout_ms = write_timeout_ms
        self._reopen = reopen

    def reopen(self) -> None:
        """Close the connection and open the same address again, e.g. after DISCONNECTED
        once the cable is back (a USB printer gets a new bus address on replug)."""
        if self._reopen is None:
            raise PrinterError(
                PrinterErrorKind.UNSUPPORTED,
                "This printer was not opened from a URI, so it cannot be reopened",
                device=self.uri,
            )
        self.transport.close()
        self.transport = self._reopen()

    # --- status ----------------------------------------------------------------------------

    def status(
        self, timeout_ms: int | None = None, *, query_write_timeout_ms: int | None = None
    ) -> PrinterStatus:
        """Ask the printer; OFFLINE when it does not answer, UNKNOWN on one-way transports.

        The query itself must get into the printer within `query_write_timeout_ms` (default:
        the status timeout); mid-batch that is the long write timeout, because a printer whose
        buffer is full takes the query only when a label has finished."""
        from printers.pipeline import parse_status, reply_complete, status_query

        if not self.transport.bidirectional:
            return PrinterStatus(
                PrinterState.UNKNOWN, message="this connection cannot read printer status"
            )
        timeout = self.status_timeout_ms if timeout_ms is None else timeout_ms
        self.transport.drain_input()  # replies to earlier queries would be read as this one's
        query = status_query(self.model)
        self.transport.write(
            query, timeout if query_write_timeout_ms is None else query_write_timeout_ms
        )
        reply = bytearray()
        deadline = time.monotonic() + timeout / 1000
        while not reply_complete(self.model, bytes(reply)):
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                break
            reply += self.transport.read(256, left_ms)
        if not reply:
            return offline_status(f"no status reply within {timeout / 1000:g} s")
        status: PrinterStatus = parse_status(self.model, bytes(reply))
        return status

    def odometer(self, timeout_ms: int | None = None) -> Odometer | None:
        """The ZPL odometer (`~HQOD`: media fed, in inches or cm), None when the printer does
        not speak ZPL, cannot answer on this connection, or does not answer (older firmware)."""
        if self.model.family is not Protocol.ZPL or not self.transport.bidirectional:
            return None
        timeout = self.status_timeout_ms if timeout_ms is None else timeout_ms
        self.transport.drain_input()
        self.transport.write(b"~HQOD", timeout)
        reply = bytearray()
        deadline = time.monotonic() + timeout / 1000
        while b"\x03" not in reply:  # one STX..ETX block; an answer to something else ends too
            left_ms = int((deadline - time.monotonic()) * 1000)
            if left_ms <= 0:
                break
            reply += self.transport.read(256, left_ms)
        try:
            return parse_zebra_odometer(bytes(reply))
        except PrinterError:
            return None

    def check_ready(self, *, busy_buffer: bool = False) -> PrinterStatus:
        """The status, or PrinterError when a label sent now would not print."""
        status = self.status(query_write_timeout_ms=self.write_timeout_ms if busy_buffer else None)
        if status.state is PrinterState.OFFLINE:
            raise PrinterError(
                PrinterErrorKind.TIMEOUT,
                "The printer does not answer a status query",
                hint="Check that it is on and not showing an error light; switch it off and on "
                "if it stays stuck.",
                device=self.uri,
            )
        status.raise_for_problem(self.uri)
        return status

    def wait_until_printed(self, timeout_s: float, poll_s: float = 0.25) -> PrinterStatus:
        """Poll until the printer has nothing left to print; TIMEOUT if it takes too long."""
        deadline = time.monotonic() + timeout_s
        pause = threading.Event()
        while True:
            status = self.status()
            if status.state is not PrinterState.BUSY:
                status.raise_for_problem(self.uri)
                return status
            if time.monotonic() >= deadline:
                raise PrinterError(
                    PrinterErrorKind.TIMEOUT,
                    f"The printer is still busy after {timeout_s:g} s",
                    device=self.uri,
                )
            pause.wait(poll_s)

    # --- printing --------------------------------------------------------------------------

    def encode(self, source: bytes, copies: int = 1, *, media: Media | None = None) -> bytes:
        """The printer bytes for a label file (PNG/JPEG/GIF/PDF, or raw ZPL/EPL2), set up for
        `media` when given (printers.media)."""
        from printers.imaging import load_label
        from printers.pipeline import encode_label

        label = load_label(source, self.model)
        job: bytes = encode_label(label, self.model, copies=copies, media=media)
        return job

    def print_label(
        self, source: bytes, *, copies: int = 1, media: Media | None = None
    ) -> PrintResult:
        """Convert and print one label file."""
        return self.send_job(self.encode(source, copies, media=media))

    def send_job(self, job: bytes) -> PrintResult:
        """Send one job's printer bytes (status checked before, read after)."""
        return self.print_jobs([job])

    def print_jobs(
        self,
        jobs: Iterable[bytes],
        *,
        on_sent: Callable[[int], None] | None = None,
    ) -> PrintResult:
        """Stream jobs back to back. The status is checked before the first and between jobs
        (a fault mid-batch stops the batch with PrinterError; `on_sent(i)` told the caller
        which jobs the printer already has). Writes block while the printer's buffer is
        full, so the next label is always waiting when the previous one finishes."""
        started = time.monotonic()
        before = self.check_ready()
        sent_bytes = 0
        count = 0
        for job in jobs:
            if count:
                self.check_ready(busy_buffer=True)
            self.transport.write(job, self.write_timeout_ms)
            self.transport.flush()
            sent_bytes += len(job)
            if on_sent is not None:
                on_sent(count)
            count += 1
        after = self.status(query_write_timeout_ms=self.write_timeout_ms)
        return PrintResult(
            uri=self.uri,
            model=self.model.name,
            jobs=count,
            bytes_sent=sent_bytes,
            status_before=before,
            status_after=after,
            seconds=time.monotonic() - started,
        )

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _resolve_model(model: str | PrinterModel | None) -> PrinterModel | None:
    if model is None or isinstance(model, PrinterModel):
        return model
    return get_model(model)


def open_transport(uri: PrinterUri, model: PrinterModel | None, **options: Any) -> Transport:
    """The transport for a parsed URI (USB and virtual need `model` only for virtual)."""
    if uri.scheme == "usb":
        from printers.transports.usb import UsbTransport

        assert uri.vendor_id is not None and uri.product_id is not None
        return UsbTransport.open(
            uri.vendor_id, uri.product_id, uri.serial, backend=options.get("usb_backend")
        )
    if uri.scheme == "tcp":
        from printers.transports.tcp import TcpTransport

        timeout = int(options.get("connect_timeout_ms", 5000))
        return TcpTransport(uri.host, uri.port, connect_timeout_ms=timeout)
    if uri.scheme == "spool":
        from printers.transports.spool import SpoolTransport

        return SpoolTransport(uri.queue)
    if uri.scheme == "file":
        from printers.transports.file import FileTransport

        assert uri.path is not None
        return FileTransport(uri.path)
    from printers.transports.virtual import VirtualTransport

    assert model is not None
    folder = options.get("virtual_dir")
    return VirtualTransport(uri.name, model, folder=Path(folder) if folder else None)


def open_printer(
    uri: str,
    model: str | PrinterModel | None = None,
    *,
    usb_backend: Any = None,
    virtual_dir: Path | None = None,
    connect_timeout_ms: int = 5000,
    status_timeout_ms: int = DEFAULT_STATUS_TIMEOUT_MS,
    write_timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS,
) -> Printer:
    """Open `uri` as a Printer. Without `model`: USB printers are identified from their
    IEEE-1284 device id, TCP printers from ZPL `~HI`, virtual ones use `?model=` (default
    zd421-203); spool and file need the model given."""
    parsed = parse_uri(uri)
    wanted = _resolve_model(model)
    if wanted is None and parsed.scheme == "virtual":
        wanted = get_model(parsed.options.get("model", "zd421-203"))
    if wanted is None and parsed.scheme in ("spool", "file"):
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            f"{parsed.scheme}:// cannot tell which printer model is behind it",
            hint="Give the model (--model), e.g. one of: " + ", ".join(MODELS),
            device=uri,
        )
    transport = open_transport(
        parsed,
        wanted,
        usb_backend=usb_backend,
        virtual_dir=virtual_dir,
        connect_timeout_ms=connect_timeout_ms,
    )
    try:
        if wanted is None and parsed.scheme == "usb":
            wanted = _identify_usb(transport, uri)
        elif wanted is None:  # tcp: ask a ZPL printer what it is
            wanted = _identify_tcp(transport, uri, status_timeout_ms)
    except BaseException:
        transport.close()
        raise
    options: dict[str, Any] = {
        "usb_backend": usb_backend,
        "virtual_dir": virtual_dir,
        "connect_timeout_ms": connect_timeout_ms,
    }
    model_found = wanted
    return Printer(
        transport,
        wanted,
        uri=uri,
        status_timeout_ms=status_timeout_ms,
        write_timeout_ms=write_timeout_ms,
        reopen=lambda: open_transport(parsed, model_found, **options),
    )


def _identify_usb(transport: Transport, uri: str) -> PrinterModel:
    """The model of an open USB printer, from its device id (read over the claimed interface,
    so usblp is not detached and reattached once more just to ask)."""
    from printers.discovery import identify
    from printers.transports.usb import UsbTransport

    assert isinstance(transport, UsbTransport)
    device_id = transport.device_id()
    product = transport.product()
    vid, pid = int(transport.dev.idVendor), int(transport.dev.idProduct)
    model, _, _ = identify(vid, pid, device_id, product)
    if model is None:
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            f"Cannot tell which model {product or uri} is (device id {device_id!r})",
            hint="Give the model (--model), e.g. one of: " + ", ".join(MODELS),
            device=uri,
        )
    return model


def _identify_tcp(transport: Transport, uri: str, timeout_ms: int) -> PrinterModel:
    transport.write(b"~HI", DEFAULT_WRITE_TIMEOUT_MS)
    reply = bytearray()
    deadline = time.monotonic() + timeout_ms / 1000
    while b"\x03" not in reply:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0:
            break
        reply += transport.read(256, left_ms)
    fields = bytes(reply).strip(b"\x02\x03\r\n").split(b",")
    if len(fields) < 3 or not fields[2].strip().isdigit():
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            "The network printer did not say what it is (no answer to ZPL ~HI)",
            hint="Give the model (--model), e.g. zd421-203 or lp2844 for an EPL printer.",
            device=uri,
        )
    dpmm = int(fields[2])
    name = fields[0].decode("ascii", "replace")
    for candidate in MODELS.values():
        generic = candidate.name.startswith("zpl-")
        if (
            candidate.family is Protocol.ZPL
            and not generic
            and candidate.dpmm == dpmm
            and candidate.matches_device_id(name)
        ):
            return candidate
    return MODELS["zpl-300" if dpmm == 12 else "zpl-203"]
