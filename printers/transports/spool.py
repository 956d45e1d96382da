"""Spooler transport: CUPS `lp -o raw` on Linux/macOS, the Windows spooler in RAW mode."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from typing import Any

from printers.errors import PrinterError, PrinterErrorKind
from printers.transports.base import (
    DEFAULT_READ_TIMEOUT_MS,
    DEFAULT_WRITE_TIMEOUT_MS,
    TransportBase,
)


class SpoolTransport(TransportBase):
    """Collects a job's bytes and hands them to the OS spooler as one raw job on `flush()`.

    One-way: the spooler gives no printer status back, so paper out shows on the printer.
    """

    bidirectional = False

    def __init__(self, queue: str, *, title: str = "Packdesk label") -> None:
        self.queue = queue
        self.title = title
        self.name = f"spool://{queue}"
        self._pending = bytearray()
        self._closed = False
        self.jobs_submitted = 0

    def write(self, data: bytes, timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS) -> None:
        del timeout_ms  # the spooler takes the whole job at once
        self._pending += data

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes:
        del n, timeout_ms
        return b""

    def flush(self) -> None:
        """Submit what was written since the last flush as one raw spooler job."""
        if not self._pending:
            return
        data, self._pending = bytes(self._pending), bytearray()
        if sys.platform == "win32" and _win32print() is not None:
            self._submit_windows(data)
        else:
            self._submit_cups(data)
        self.jobs_submitted += 1

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.flush()

    def _submit_cups(self, data: bytes) -> None:
        lp = shutil.which("lp")
        if lp is None:
            raise PrinterError(
                PrinterErrorKind.NOT_FOUND,
                "The CUPS `lp` command is not installed",
                hint="Install CUPS (e.g. `sudo apt install cups-client`) or print over "
                "usb:// or tcp:// instead.",
                device=self.name,
            )
        cmd = [lp, "-d", self.queue, "-o", "raw", "-t", self.title]
        done = subprocess.run(cmd, input=data, capture_output=True, timeout=60, check=False)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            missing = "does not exist" in said or "Unknown destination" in said
            raise PrinterError(
                PrinterErrorKind.NOT_FOUND if missing else PrinterErrorKind.PROTOCOL,
                f"CUPS refused the job for queue {self.queue!r}: {said}",
                hint="List the queues with `lpstat -p` and use spool://<queue name>."
                if missing
                else "Check the queue with `lpstat -p` and the CUPS error log.",
                device=self.name,
            )

    def _submit_windows(self, data: bytes) -> None:
        win32print = _win32print()
        assert win32print is not None
        try:
            handle = win32print.OpenPrinter(self.queue)
        except Exception as exc:
            raise PrinterError(
                PrinterErrorKind.NOT_FOUND,
                f"Windows has no printer named {self.queue!r}: {exc}",
                hint="Use the exact name shown in Settings > Printers & scanners.",
                device=self.name,
            ) from exc
        try:
            win32print.StartDocPrinter(handle, 1, (self.title, None, "RAW"))
            try:
                win32print.StartPagePrinter(handle)
                win32print.WritePrinter(handle, data)
                win32print.EndPagePrinter(handle)
            finally:
                win32print.EndDocPrinter(handle)
        finally:
            win32print.ClosePrinter(handle)


def _win32print() -> Any:
    """pywin32's win32print when it is installed (Windows only), else None."""
    try:
        return importlib.import_module("win32print")
    except ImportError:
        return None
