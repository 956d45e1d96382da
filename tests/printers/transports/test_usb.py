"""UsbTransport through pyusb's real code path against emulated printers (no libusb)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from printers.emulators.engine import EmulatedPrinter
from printers.emulators.presets import PRESETS, responder_for
from printers.emulators.usb_backend import EmulatedBackend, EmulatedUsbDevice
from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap
from printers.transports import usb as usb_transport
from printers.transports.usb import UsbTransport

ZD421 = (0x0A5F, 0x0185)


class Captured:
    """An emulated ZD421 whose 'decoder' records each whole job's bytes."""

    def __init__(self, **engine_options: object) -> None:
        self.jobs: list[bytes] = []
        self.job_arrived = threading.Event()
        preset = PRESETS["zd421-203"]
        self.engine = EmulatedPrinter(
            preset.model,
            decoder=self._record,
            responder=responder_for(preset),
            **engine_options,  # type: ignore[arg-type]
        )
        self.device = EmulatedUsbDevice(preset.identity(), self.engine)
        self.backend = EmulatedBackend([self.device])

    def _record(self, data: bytes) -> list[Bitmap]:
        self.jobs.append(data)
        self.job_arrived.set()
        return []


@pytest.fixture
def zd421() -> Iterator[Captured]:
    printer = Captured()
    yield printer
    printer.backend.close()


def job(size: int) -> bytes:
    body = bytes(b"0123456789ABCDEF"[i % 16] for i in range(size))
    return b"^XA^FO0,0^GFA," + body + b"^FS^XZ"


def test_open_detaches_usblp_claims_and_close_gives_it_back(zd421: Captured) -> None:
    dev = zd421.device
    assert dev.kernel_driver_active
    transport = UsbTransport.open(*ZD421, backend=zd421.backend)
    assert not dev.kernel_driver_active
    assert dev.claimed_by is not None
    transport.close()
    transport.close()  # idempotent
    assert dev.kernel_driver_active
    assert dev.claimed_by is None
    assert (dev.detach_count, dev.attach_count) == (1, 1)


def test_status_round_trip_and_stale_input_is_drained(zd421: Captured) -> None:
    with UsbTransport.open(*ZD421, backend=zd421.backend) as transport:
        transport.write(b"~HS~HS")
        first = transport.read(1000, 1000)
        assert first.startswith(b"\x02014,0,0")
        stale = transport.drain_input()
        assert (first + stale).count(b"\x03") == 6
        assert transport.read(100, 10) == b""  # nothing pending: b"" after the timeout


def test_short_writes_still_deliver_every_byte_in_order(zd421: Captured) -> None:
    zd421.engine.set_faults(max_write=1000)  # every bulk transfer moves at most 1000 bytes
    data = job(50_000)
    with UsbTransport.open(*ZD421, backend=zd421.backend, chunk_size=4096) as transport:
        transport.write(data)
    assert zd421.job_arrived.wait(5)
    assert zd421.jobs == [data]


def test_stalled_printer_times_out_instead_of_hanging(zd421: Captured) -> None:
    zd421.engine.set_faults(stalled=True)
    with UsbTransport.open(*ZD421, backend=zd421.backend) as transport:
        with pytest.raises(PrinterError) as info:
            transport.write(job(100), timeout_ms=50)
        assert info.value.kind is PrinterErrorKind.TIMEOUT
        assert "0 of" in info.value.message
        assert transport.read(64, 20) == b""


def test_unplug_mid_write_is_disconnected_and_replug_works(zd421: Captured) -> None:
    zd421.engine.set_faults(drop_after_bytes=3000)
    transport = UsbTransport.open(*ZD421, backend=zd421.backend, chunk_size=1024)
    with pytest.raises(PrinterError) as info:
        transport.write(job(20_000))
    assert info.value.kind is PrinterErrorKind.DISCONNECTED
    assert "Plug the USB cable back in" in info.value.hint
    transport.close()  # must not raise although the device is gone
    with pytest.raises(PrinterError) as gone:
        UsbTransport.open(*ZD421, backend=zd421.backend)
    assert gone.value.kind is PrinterErrorKind.NOT_FOUND

    zd421.device.replug()
    data = job(20_000)
    with UsbTransport.open(*ZD421, backend=zd421.backend) as again:
        again.write(data)
    assert zd421.job_arrived.wait(5)
    assert zd421.jobs == [data]  # the half-sent job was dropped by the printer


def test_access_denied_prints_the_udev_rule(
    zd421: Captured, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(usb_transport.sys, "platform", "linux")
    zd421.device.access_denied = True
    with pytest.raises(PrinterError) as info:
        UsbTransport.open(*ZD421, backend=zd421.backend)
    assert info.value.kind is PrinterErrorKind.ACCESS_DENIED
    assert 'SUBSYSTEM=="usb", ATTR{idVendor}=="0a5f", TAG+="uaccess"' in info.value.hint
    assert "/etc/udev/rules.d/" in info.value.hint
    assert "udevadm control --reload-rules" in info.value.hint


def test_windows_access_denied_points_to_the_spooler_or_winusb() -> None:
    hint = usb_transport.access_denied_hint(0x0922)
    assert hint  # platform-specific text; check the Windows one explicitly
    original = usb_transport.sys.platform
    try:
        usb_transport.sys.platform = "win32"
        windows = usb_transport.access_denied_hint(0x0922)
    finally:
        usb_transport.sys.platform = original
    assert "spool://" in windows and "WinUSB" in windows


def test_second_program_gets_busy(zd421: Captured) -> None:
    with UsbTransport.open(*ZD421, backend=zd421.backend), pytest.raises(PrinterError) as info:
        UsbTransport.open(*ZD421, backend=zd421.backend)
    assert info.value.kind is PrinterErrorKind.BUSY
    assert "another driver or program" in info.value.message


def test_not_found_lists_what_is_connected(zd421: Captured) -> None:
    with pytest.raises(PrinterError) as info:
        UsbTransport.open(0x0922, 0x0025, backend=zd421.backend)
    assert info.value.kind is PrinterErrorKind.NOT_FOUND
    assert "usb://0a5f:0185?serial=D4J210001" in info.value.hint


def test_serial_picks_between_identical_printers() -> None:
    preset = PRESETS["zd421-203"]
    engines = [
        EmulatedPrinter(preset.model, decoder=lambda _b: [], responder=responder_for(preset))
        for _ in range(2)
    ]
    devices = [EmulatedUsbDevice(preset.identity(n), e) for n, e in enumerate(engines)]
    backend = EmulatedBackend(devices)
    try:
        with UsbTransport.open(*ZD421, "D4J210002", backend=backend):
            assert devices[1].claimed_by is not None
            assert devices[0].claimed_by is None
    finally:
        backend.close()


def test_no_libusb_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    import libusb_package

    monkeypatch.delenv(usb_transport.EMULATED_USB_ENV, raising=False)
    monkeypatch.setattr(libusb_package, "get_libusb1_backend", lambda: None)
    with pytest.raises(PrinterError) as info:
        usb_transport.default_backend()
    assert info.value.kind is PrinterErrorKind.UNSUPPORTED
    assert "libusb" in info.value.message


def test_unconfigured_device_gets_its_configuration_set(zd421: Captured) -> None:
    zd421.device.configuration = 0  # e.g. no kernel driver ever bound it
    with UsbTransport.open(*ZD421, backend=zd421.backend) as transport:
        transport.write(b"~HS")
        assert transport.read(200, 1000).startswith(b"\x02")
    assert zd421.device.configuration == 1


def test_a_stalled_endpoint_is_cleared_and_the_data_still_arrives(zd421: Captured) -> None:
    zd421.device.halted_writes = 2  # two STALLs (EPIPE) on the way
    data = job(40_000)
    with UsbTransport.open(*ZD421, backend=zd421.backend, chunk_size=8192) as transport:
        transport.write(data)
    assert zd421.device.halts_cleared == 2
    assert zd421.job_arrived.wait(5)
    assert zd421.jobs == [data]


def test_an_endpoint_that_keeps_stalling_is_an_error(zd421: Captured) -> None:
    zd421.device.halted_writes = 10
    with (
        UsbTransport.open(*ZD421, backend=zd421.backend) as transport,
        pytest.raises(PrinterError) as info,
    ):
        transport.write(job(100))
    assert info.value.kind is PrinterErrorKind.PROTOCOL
    assert "Unplug and replug" in info.value.hint
