"""Emulated printers (a pyusb backend and a TCP 9100 server) that decode what they receive."""

from __future__ import annotations

from printers.emulators.engine import EmulatedPrinter, Faults, PrintedLabel
from printers.emulators.presets import PRESETS, make_engine
from printers.emulators.tcp_server import EmulatedTcpPrinter
from printers.emulators.usb_backend import EmulatedBackend, EmulatedUsbDevice, backend_from_spec

__all__ = [
    "PRESETS",
    "EmulatedBackend",
    "EmulatedPrinter",
    "EmulatedTcpPrinter",
    "EmulatedUsbDevice",
    "Faults",
    "PrintedLabel",
    "backend_from_spec",
    "make_engine",
]
