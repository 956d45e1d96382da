"""Fixtures for emulated printers (imported by the conftest files that need them)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from printers.emulators.tcp_server import EmulatedTcpPrinter
from printers.emulators.usb_backend import EmulatedBackend, backend_from_spec
from printers.transports import usb as usb_transport

MakeBackend = Callable[..., EmulatedBackend]
MakeTcp = Callable[..., EmulatedTcpPrinter]


# Registered under their `name`; the function names differ so that test modules can import
# them (to use them outside this folder) without shadowing their own parameters.


@pytest.fixture(name="emulated_usb")
def emulated_usb_fixture() -> Iterator[MakeBackend]:
    """`emulated_usb("zd421-203,dymo-4xl", labels_per_second=..)` -> a backend; closed after."""
    made: list[EmulatedBackend] = []

    def make(spec: str, **engine_options: Any) -> EmulatedBackend:
        backend = backend_from_spec(spec, **engine_options)
        made.append(backend)
        return backend

    yield make
    for backend in made:
        backend.close()


@pytest.fixture(name="default_emulated_usb")
def default_emulated_usb_fixture(emulated_usb: MakeBackend) -> Iterator[MakeBackend]:
    """Like emulated_usb, and the backend becomes the default for usb:// URIs and the CLI."""

    def make(spec: str, **engine_options: Any) -> EmulatedBackend:
        backend = emulated_usb(spec, **engine_options)
        usb_transport.set_default_backend(backend)
        return backend

    yield make
    usb_transport.set_default_backend(None)


@pytest.fixture(name="emulated_tcp")
def emulated_tcp_fixture() -> Iterator[MakeTcp]:
    """`emulated_tcp("zd421-203")` -> a running 127.0.0.1 server; closed after."""
    made: list[EmulatedTcpPrinter] = []

    def make(preset: str, **engine_options: Any) -> EmulatedTcpPrinter:
        server = EmulatedTcpPrinter.for_preset(preset, **engine_options)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()
