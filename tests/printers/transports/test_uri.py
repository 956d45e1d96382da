"""Printer URIs: every scheme parses, round-trips through str(), and bad ones say why."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from printers.errors import PrinterError, PrinterErrorKind
from printers.uri import PrinterUri, parse_uri


def test_usb_with_and_without_serial() -> None:
    uri = parse_uri("usb://0A5F:0185?serial=D4J210001")
    assert (uri.scheme, uri.vendor_id, uri.product_id, uri.serial) == (
        "usb",
        0x0A5F,
        0x0185,
        "D4J210001",
    )
    assert str(uri) == "usb://0a5f:0185?serial=D4J210001"
    assert parse_uri("usb://0922:0025").serial is None


def test_tcp_default_port_and_ipv6() -> None:
    assert parse_uri("tcp://printer.local").port == 9100
    uri = parse_uri("tcp://192.168.1.50:6101")
    assert (uri.host, uri.port) == ("192.168.1.50", 6101)
    v6 = parse_uri("tcp://[::1]:9100")
    assert v6.host == "::1"
    assert str(v6) == "tcp://[::1]:9100"


def test_spool_file_virtual() -> None:
    assert parse_uri("spool://Zebra_ZD421").queue == "Zebra_ZD421"
    assert parse_uri("spool://DYMO%20LabelWriter%204XL").queue == "DYMO LabelWriter 4XL"
    assert parse_uri("file:///tmp/out.zpl").path == Path("/tmp/out.zpl")
    virtual = parse_uri("virtual://desk1?model=dymo-4xl")
    assert (virtual.name, virtual.options) == ("desk1", {"model": "dymo-4xl"})


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("0a5f:0185", "no scheme"),
        ("lpt://1", "unknown scheme"),
        ("usb://a5f:185", "4 hex digits"),
        ("usb://0a5f", "4 hex digits"),
        ("usb://0a5f:0185?port=2", "unknown option"),
        ("tcp://host:99999", "port"),
        ("tcp://host:²", "port"),  # a Unicode digit that int() refuses (found by hypothesis)
        ("tcp://:9100", "host is empty"),
        ("file://relative/x", "three slashes"),
        ("spool://", "queue name is empty"),
        ("virtual://", "needs a name"),
        ("virtual://../etc", "letters, digits"),
        ("tcp://[::1", "IPv6"),
    ],
)
def test_bad_uris_say_what_is_wrong(text: str, why: str) -> None:
    with pytest.raises(PrinterError) as info:
        parse_uri(text)
    assert info.value.kind is PrinterErrorKind.UNSUPPORTED
    assert why in info.value.message
    assert "usb://" in info.value.hint  # the hint shows what a good address looks like


@given(
    vid=st.integers(0, 0xFFFF),
    pid=st.integers(0, 0xFFFF),
    serial=st.none() | st.text("ABCDEFGHJK0123456789", min_size=1, max_size=12),
)
def test_usb_round_trip(vid: int, pid: int, serial: str | None) -> None:
    uri = PrinterUri("usb", vendor_id=vid, product_id=pid, serial=serial)
    assert parse_uri(str(uri)) == uri


@given(st.sampled_from(["usb://", "tcp://", "spool://", "file://", "virtual://", ""]), st.text())
def test_parser_only_ever_raises_printer_error(scheme: str, rest: str) -> None:
    try:
        parse_uri(scheme + rest)
    except PrinterError as exc:
        assert exc.kind is PrinterErrorKind.UNSUPPORTED
