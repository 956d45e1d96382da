"""Emulator fixtures for this folder."""

from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    default_emulated_usb_fixture,
    emulated_tcp_fixture,
    emulated_usb_fixture,
)
