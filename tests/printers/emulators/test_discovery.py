"""Discovery lists every emulated printer with its model and language, from the device id."""

from __future__ import annotations

import pytest
import usb.core
import usb.util

from printers.discovery import discover, identify, parse_device_id, read_device_id
from tests.printers.emulators.fixtures import MakeBackend

ALL = "zd421-203,zd421-300,lp2844,dymo-4xl,dymo-5xl"


def test_lists_each_emulated_printer_with_model_and_language(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb(ALL)
    found = {f.uri: f for f in discover(backend)}
    summary = {
        uri: (f.model.name if f.model else None, f.language.value if f.language else None, f.dpi)
        for uri, f in found.items()
    }
    assert summary == {
        "usb://0a5f:0185?serial=D4J210001": ("zd421-203", "zpl", 203),
        "usb://0a5f:0186?serial=D4K210002": ("zd421-300", "zpl", 300),
        "usb://0a5f:0009?serial=42J00003": ("lp2844", "epl2", 203),
        "usb://0922:0025?serial=04XL0004": ("dymo-4xl", "dymo_lw", 300),
        "usb://0922:002a?serial=55XL0005": ("dymo-5xl", "dymo_550", 300),
    }
    zd421 = found["usb://0a5f:0185?serial=D4J210001"]
    assert zd421.command_set == "ZPL"
    assert "ZD421-203dpi" in zd421.describe() and "zpl" in zd421.describe()
    # Reading the device id had to detach usblp; it was given back afterwards.
    for dev in backend.devices:
        assert dev.kernel_driver_active
        assert dev.claimed_by is None
        assert (dev.detach_count, dev.attach_count) == (1, 1)


def test_unknown_pid_is_still_identified_by_the_device_id() -> None:
    model, cmd, dpi = identify(
        0x0A5F, 0x7777, "MFG:Zebra Technologies;CMD:ZPL;MDL:ZTC ZD621-300dpi ZPL;"
    )
    assert (model.name if model else None, cmd, dpi) == ("zd621-300", "ZPL", 300)


def test_unknown_zebra_falls_back_to_generic_by_language_and_dpi() -> None:
    model, _, _ = identify(0x0A5F, 0x7777, "MFG:Zebra;CMD:EPL;MDL:TLP 9999;")
    assert model is not None and model.name == "epl2-203"
    model, _, _ = identify(0x0A5F, 0x7777, "MFG:Zebra;CMD:ZPL;MDL:ZT999-300dpi;")
    assert model is not None and model.name == "zpl-300"


def test_command_set_beats_a_misleading_model_name() -> None:
    # An LP2844-Z speaks ZPL; the plain LP2844 pattern must not win because of "LP 2844".
    model, _, _ = identify(0x0A5F, 0x0027, "MFG:Zebra;CMD:ZPL;MDL:LP 2844-Z;")
    assert model is not None and model.name == "lp2844-z"


def test_unknown_vendor_is_reported_as_unknown() -> None:
    model, _, _ = identify(0x1234, 0x0001, "MFG:Acme;CMD:PCL;MDL:LaserThing;")
    assert model is None


def test_device_id_keys_are_folded() -> None:
    fields = parse_device_id("MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;MODEL:ZTC GX420d;")
    assert fields == {"MFG": "Zebra Technologies", "CMD": "ZPL", "MDL": "ZTC GX420d"}


def test_raw_class_requests_on_the_emulated_device(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("dymo-4xl")
    dev = usb.core.find(backend=backend, idVendor=0x0922)
    assert dev is not None
    assert (dev.manufacturer, dev.product, dev.serial_number) == (
        "DYMO",
        "LabelWriter 4XL",
        "04XL0001",
    )
    intf = dev.get_active_configuration()[(0, 0)]
    assert (intf.bInterfaceClass, intf.bInterfaceSubClass, intf.bInterfaceProtocol) == (7, 1, 2)
    endpoints = sorted(ep.bEndpointAddress for ep in intf)
    assert endpoints == [0x02, 0x85]
    assert read_device_id(dev).startswith("MFG:DYMO;CMD: ;MDL:LabelWriter 4XL;")
    # GET_PORT_STATUS: selected + not error; paper empty once the roll runs out.
    dev.detach_kernel_driver(0)
    usb.util.claim_interface(dev, 0)
    assert bytes(dev.ctrl_transfer(0xA1, 1, 0, 0, 1)) == b"\x18"
    backend.devices[0].engine.set_faults(paper_out=True)
    assert bytes(dev.ctrl_transfer(0xA1, 1, 0, 0, 1)) == b"\x30"
    usb.util.release_interface(dev, 0)
    dev.attach_kernel_driver(0)
    usb.util.dispose_resources(dev)


def test_no_permission_still_lists_the_printer_with_the_fix(
    emulated_usb: MakeBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from printers.transports import usb as usb_transport

    monkeypatch.setattr(usb_transport.sys, "platform", "linux")
    backend = emulated_usb("dymo-4xl")
    backend.devices[0].access_denied = True
    (found,) = discover(backend)
    assert found.uri == "usb://0922:0025"  # no serial: strings are unreadable without access
    assert found.model is not None and found.model.name == "dymo-4xl"  # from the PID
    assert 'ATTR{idVendor}=="0922", TAG+="uaccess"' in found.note


def test_an_office_printer_keeps_its_driver_while_we_list() -> None:
    from dataclasses import replace

    from printers.emulators.presets import PRESETS, make_engine
    from printers.emulators.usb_backend import EmulatedBackend, EmulatedUsbDevice

    laser = replace(
        PRESETS["zd421-203"].identity(),
        vendor_id=0x03F0,
        product_id=0x1234,
        manufacturer="HP",
        product="LaserJet",
        device_id="MFG:HP;CMD:PCL,PJL;MDL:LaserJet;",
    )
    device = EmulatedUsbDevice(laser, make_engine("zd421-203"))
    backend = EmulatedBackend([device])
    try:
        (found,) = discover(backend)
    finally:
        backend.close()
    assert found.model is None
    assert "not probed" in found.note
    assert device.detach_count == 0 and device.kernel_driver_active
