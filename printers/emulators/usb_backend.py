"""A pyusb backend (usb.backend.IBackend) presenting emulated label printers.

`usb.core.find(backend=EmulatedBackend([...]))` then runs pyusb's real code: descriptors,
string and class requests, kernel-driver detach/attach, set_configuration, claim, bulk
transfers with partial writes and timeouts. Errors are raised exactly as pyusb's libusb1
backend raises them (USBError with the libusb code and errno), so the transport's error
mapping is exercised too.
"""

from __future__ import annotations

import array
import errno
import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import usb.backend
import usb.core

from printers.emulators.engine import EmulatedPrinter, LinkDropped, PrintedLabel
from printers.emulators.presets import PRESETS, UsbIdentity, make_engine

# libusb error codes and messages, as usb/backend/libusb1.py reports them.
_ERRORS = {
    errno.EACCES: (-3, "Access denied (insufficient permissions)"),
    errno.ENODEV: (-4, "No such device (it may have been disconnected)"),
    errno.ENOENT: (-5, "Entity not found"),
    errno.EBUSY: (-6, "Resource busy"),
    errno.EPIPE: (-9, "Pipe error"),
    errno.EINVAL: (-2, "Invalid parameter"),
}
LIBUSB_SPEED_FULL = 2
PREVIEW_DIR_ENV = "PACKDESK_EMULATED_PREVIEW_DIR"
GET_DEVICE_ID = 0
GET_PORT_STATUS = 1
SOFT_RESET = 2


def _usb_error(code: int) -> usb.core.USBError:
    libusb_code, text = _ERRORS[code]
    return usb.core.USBError(text, libusb_code, code)


def _timeout_error() -> usb.core.USBTimeoutError:
    return usb.core.USBTimeoutError("Operation timed out", -7, errno.ETIMEDOUT)


class _Descriptor:
    """Any descriptor: a bag of fields pyusb copies into its own objects."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


_bus_addresses = itertools.count(4)


class EmulatedUsbDevice:
    """One emulated printer on the bus: identity, descriptors, host-side state and an engine."""

    def __init__(self, identity: UsbIdentity, engine: EmulatedPrinter, *, bus: int = 1) -> None:
        self.identity = identity
        self.engine = engine
        self.bus = bus
        self.address = next(_bus_addresses)
        self.plugged = True
        self.generation = 0  # bumps on unplug: handles from before fail with ENODEV
        self.configuration = 1  # usblp configured the device when it bound
        self.kernel_driver_active = True
        self.claimed_by: object | None = None
        self.access_denied = False  # fault: open fails with EACCES (no udev rule)
        self.halted_writes = 0  # fault: the next N bulk OUT transfers STALL (EPIPE)
        self.halts_cleared = 0
        self.endpoint_halted = False
        self.detach_count = 0
        self.attach_count = 0
        self._lock = threading.RLock()
        engine.on_link_drop = self._link_dropped

    @property
    def name(self) -> str:
        return self.identity.preset

    # --- fault control ---------------------------------------------------------------------

    def unplug(self) -> None:
        """Pull the cable: every open handle fails with ENODEV, half-sent input is lost."""
        self.engine.drop_link()  # calls _link_dropped

    def replug(self) -> None:
        """Plug it back in: a new address, and usblp binds the interface again."""
        with self._lock:
            self.plugged = True
            self.address = next(_bus_addresses)
            self.kernel_driver_active = True
            self.configuration = 1

    def _link_dropped(self) -> None:
        with self._lock:
            self.plugged = False
            self.generation += 1
            self.claimed_by = None

    # --- descriptors -----------------------------------------------------------------------

    def device_descriptor(self) -> _Descriptor:
        ident = self.identity
        return _Descriptor(
            bLength=18,
            bDescriptorType=1,
            bcdUSB=0x0200,
            bDeviceClass=0,  # the class is given per interface
            bDeviceSubClass=0,
            bDeviceProtocol=0,
            bMaxPacketSize0=64,
            idVendor=ident.vendor_id,
            idProduct=ident.product_id,
            bcdDevice=ident.bcd_device,
            iManufacturer=1,
            iProduct=2,
            iSerialNumber=3,
            bNumConfigurations=1,
            address=self.address,
            bus=self.bus,
            port_number=self.address % 8 + 1,
            port_numbers=(self.address % 8 + 1,),
            speed=LIBUSB_SPEED_FULL,
        )

    def config_descriptor(self) -> _Descriptor:
        return _Descriptor(
            bLength=9,
            bDescriptorType=2,
            wTotalLength=9 + 9 + 7 + 7,
            bNumInterfaces=1,
            bConfigurationValue=1,
            iConfiguration=0,
            bmAttributes=0xC0,  # self-powered
            bMaxPower=1,
            extra_descriptors=[],
        )

    def interface_descriptor(self) -> _Descriptor:
        return _Descriptor(
            bLength=9,
            bDescriptorType=4,
            bInterfaceNumber=0,
            bAlternateSetting=0,
            bNumEndpoints=2,
            bInterfaceClass=7,  # printer
            bInterfaceSubClass=1,
            bInterfaceProtocol=2,  # bidirectional
            iInterface=0,
            extra_descriptors=[],
        )

    def endpoint_descriptor(self, index: int) -> _Descriptor:
        address = (self.identity.ep_out, self.identity.ep_in)[index]
        return _Descriptor(
            bLength=7,
            bDescriptorType=5,
            bEndpointAddress=address,
            bmAttributes=2,  # bulk
            wMaxPacketSize=64,
            bInterval=0,
            bRefresh=0,
            bSynchAddress=0,
            extra_descriptors=[],
        )

    def string(self, index: int) -> str:
        ident = self.identity
        return {1: ident.manufacturer, 2: ident.product, 3: ident.serial}.get(index, "")


@dataclass(eq=False)
class _Handle:
    device: EmulatedUsbDevice
    generation: int


class EmulatedBackend(usb.backend.IBackend):  # type: ignore[misc]
    """The pyusb backend. `emulated = True` lets transports skip OS-specific checks."""

    emulated = True

    def __init__(self, devices: list[EmulatedUsbDevice]) -> None:
        super().__init__()
        self.devices = devices

    def device(self, preset: str) -> EmulatedUsbDevice:
        """The emulated device created from `preset` (e.g. "zd421-203")."""
        for dev in self.devices:
            if dev.identity.preset == preset:
                return dev
        raise KeyError(preset)

    def wait_idle(self, timeout_s: float) -> bool:
        """Wait until every device printed every whole job it received."""
        return all(dev.engine.wait_idle(timeout_s) for dev in self.devices)

    def close(self) -> None:
        """Stop every device's engine."""
        for dev in self.devices:
            dev.engine.close()

    # --- enumeration and descriptors -------------------------------------------------------

    def enumerate_devices(self) -> list[EmulatedUsbDevice]:
        return [dev for dev in self.devices if dev.plugged]

    def get_parent(self, dev: EmulatedUsbDevice) -> None:
        return None

    def get_device_descriptor(self, dev: EmulatedUsbDevice) -> _Descriptor:
        return dev.device_descriptor()

    def get_configuration_descriptor(self, dev: EmulatedUsbDevice, config: int) -> _Descriptor:
        if config != 0:
            raise IndexError("no such configuration")
        return dev.config_descriptor()

    def get_interface_descriptor(
        self, dev: EmulatedUsbDevice, intf: int, alt: int, config: int
    ) -> _Descriptor:
        if (intf, alt, config) != (0, 0, 0):
            raise IndexError("no such interface")
        return dev.interface_descriptor()

    def get_endpoint_descriptor(
        self, dev: EmulatedUsbDevice, ep: int, intf: int, alt: int, config: int
    ) -> _Descriptor:
        if (intf, alt, config) != (0, 0, 0) or ep not in (0, 1):
            raise IndexError("no such endpoint")
        return dev.endpoint_descriptor(ep)

    # --- handles ---------------------------------------------------------------------------

    def open_device(self, dev: EmulatedUsbDevice) -> _Handle:
        if not dev.plugged:
            raise _usb_error(errno.ENODEV)
        if dev.access_denied:
            raise _usb_error(errno.EACCES)
        return _Handle(dev, dev.generation)

    def close_device(self, dev_handle: _Handle) -> None:
        dev = dev_handle.device
        with dev._lock:
            if dev.claimed_by is dev_handle:
                dev.claimed_by = None

    def _live(self, handle: _Handle) -> EmulatedUsbDevice:
        dev = handle.device
        if not dev.plugged or handle.generation != dev.generation:
            raise _usb_error(errno.ENODEV)
        return dev

    def set_configuration(self, dev_handle: _Handle, config_value: int) -> None:
        dev = self._live(dev_handle)
        with dev._lock:
            if dev.kernel_driver_active or (
                dev.claimed_by is not None and dev.claimed_by is not dev_handle
            ):
                raise _usb_error(errno.EBUSY)  # Linux: an interface is held by a driver
            if config_value not in (0, 1):
                raise _usb_error(errno.EINVAL)
            dev.configuration = config_value

    def get_configuration(self, dev_handle: _Handle) -> int:
        return self._live(dev_handle).configuration

    def set_interface_altsetting(self, dev_handle: _Handle, intf: int, altsetting: int) -> None:
        self._live(dev_handle)
        if (intf, altsetting) != (0, 0):
            raise _usb_error(errno.EINVAL)

    def claim_interface(self, dev_handle: _Handle, intf: int) -> None:
        dev = self._live(dev_handle)
        with dev._lock:
            if intf != 0:
                raise _usb_error(errno.ENOENT)
            if dev.kernel_driver_active or (
                dev.claimed_by is not None and dev.claimed_by is not dev_handle
            ):
                raise _usb_error(errno.EBUSY)
            dev.claimed_by = dev_handle

    def release_interface(self, dev_handle: _Handle, intf: int) -> None:
        dev = self._live(dev_handle)
        with dev._lock:
            if dev.claimed_by is not dev_handle:
                raise _usb_error(errno.ENOENT)
            dev.claimed_by = None

    def is_kernel_driver_active(self, dev_handle: _Handle, intf: int) -> bool:
        return self._live(dev_handle).kernel_driver_active

    def detach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        dev = self._live(dev_handle)
        with dev._lock:
            if not dev.kernel_driver_active:
                raise _usb_error(errno.ENOENT)
            dev.kernel_driver_active = False
            dev.detach_count += 1

    def attach_kernel_driver(self, dev_handle: _Handle, intf: int) -> None:
        dev = self._live(dev_handle)
        with dev._lock:
            if dev.kernel_driver_active or dev.claimed_by is not None:
                raise _usb_error(errno.EBUSY)
            dev.kernel_driver_active = True
            dev.attach_count += 1

    def clear_halt(self, dev_handle: _Handle, ep: int) -> None:
        dev = self._live(dev_handle)
        with dev._lock:
            dev.halts_cleared += 1
            dev.endpoint_halted = False

    def reset_device(self, dev_handle: _Handle) -> None:
        dev = self._live(dev_handle)
        dev.engine.drop_link()  # a reset re-enumerates: the handle is gone, like libusb
        dev.replug()

    # --- transfers -------------------------------------------------------------------------

    def _claimed(self, dev_handle: _Handle) -> EmulatedUsbDevice:
        dev = self._live(dev_handle)
        if dev.claimed_by is not dev_handle:
            raise _usb_error(errno.EBUSY)  # usbfs refuses I/O on an unclaimed interface
        return dev

    def bulk_write(
        self, dev_handle: _Handle, ep: int, intf: int, data: array.array[int], timeout: int
    ) -> int:
        dev = self._claimed(dev_handle)
        if ep != dev.identity.ep_out:
            raise _usb_error(errno.EPIPE)
        with dev._lock:
            if dev.halted_writes and not dev.endpoint_halted:
                dev.halted_writes -= 1
                dev.endpoint_halted = True
            if dev.endpoint_halted:
                raise _usb_error(errno.EPIPE)  # stays halted until clear_halt
        try:
            moved = dev.engine.receive(data.tobytes(), _seconds(timeout))
        except LinkDropped:
            raise _usb_error(errno.ENODEV) from None
        if moved == 0 and len(data):
            raise _timeout_error()  # libusb raises only when nothing moved
        return moved

    def bulk_read(
        self, dev_handle: _Handle, ep: int, intf: int, buff: array.array[int], timeout: int
    ) -> int:
        dev = self._claimed(dev_handle)
        if ep != dev.identity.ep_in:
            raise _usb_error(errno.EPIPE)
        try:
            got = dev.engine.take_reply(len(buff), _seconds(timeout))
        except LinkDropped:
            raise _usb_error(errno.ENODEV) from None
        if not got:
            raise _timeout_error()
        buff[: len(got)] = array.array("B", got)
        return len(got)

    def ctrl_transfer(
        self,
        dev_handle: _Handle,
        bmRequestType: int,  # noqa: N803 (pyusb's parameter names)
        bRequest: int,  # noqa: N803
        wValue: int,  # noqa: N803
        wIndex: int,  # noqa: N803
        data: array.array[int],
        timeout: int,
    ) -> int:
        dev = self._live(dev_handle)
        if bmRequestType == 0x80 and bRequest == 6 and wValue >> 8 == 3:
            index = wValue & 0xFF
            if index == 0:
                payload = bytes([4, 3, 0x09, 0x04])  # LANGID en-US
            else:
                text = dev.string(index).encode("utf-16-le")
                payload = bytes([2 + len(text), 3]) + text
            return _fill(data, payload)
        if bmRequestType == 0xA1 and bRequest == GET_DEVICE_ID:
            self._check_interface_owned(dev, dev_handle, wIndex >> 8)
            ident = dev.identity.device_id.encode("ascii")
            return _fill(data, (len(ident) + 2).to_bytes(2, "big") + ident)
        if bmRequestType == 0xA1 and bRequest == GET_PORT_STATUS:
            self._check_interface_owned(dev, dev_handle, wIndex >> 8)
            faults = dev.engine.faults
            status = 0x10  # selected
            if not (faults.paper_out or faults.head_open):
                status |= 0x08  # not error
            if faults.paper_out:
                status |= 0x20
            return _fill(data, bytes([status]))
        if bmRequestType == 0x21 and bRequest == SOFT_RESET:
            self._check_interface_owned(dev, dev_handle, wIndex >> 8)
            return 0
        raise _usb_error(errno.EPIPE)  # a STALL: the device does not know the request

    def _check_interface_owned(
        self, dev: EmulatedUsbDevice, handle: _Handle, interface: int
    ) -> None:
        if interface != 0:
            raise _usb_error(errno.EPIPE)
        if dev.claimed_by is not handle:
            raise _usb_error(errno.EBUSY)  # usbfs: the interface must be ours (usblp holds it)


def _fill(buff: array.array[int], payload: bytes) -> int:
    count = min(len(buff), len(payload))
    buff[:count] = array.array("B", payload[:count])
    return count


def _seconds(timeout_ms: int) -> float:
    return timeout_ms / 1000 if timeout_ms > 0 else 3600.0  # libusb: 0 means no limit


def backend_from_spec(
    spec: str, *, preview_dir: Path | None = None, **engine_options: Any
) -> EmulatedBackend:
    """An EmulatedBackend with one device per preset name, e.g. "zd421-203,dymo-4xl".

    A name may carry a print speed in labels per second: "zd421-203@1,dymo-4xl@0.3".
    With `preview_dir` (or $PACKDESK_EMULATED_PREVIEW_DIR) each printed label is also saved
    there as <preset>-<n>.png, so CLI demos can show what came out. Raises ValueError for an
    unknown name or a bad speed."""
    entries = [n.strip().lower() for n in spec.split(",") if n.strip()]
    names: list[str] = []
    speeds: list[float | None] = []
    for entry in entries:
        name, _, speed_text = entry.partition("@")
        names.append(name)
        try:
            speeds.append(float(speed_text) if speed_text else None)
        except ValueError:
            raise ValueError(f"bad print speed in {entry!r}; e.g. zd421-203@1") from None
    unknown = [n for n in names if n not in PRESETS]
    if unknown:
        raise ValueError(
            f"unknown emulated printer(s) {', '.join(unknown)}; known: {', '.join(PRESETS)}"
        )
    folder = preview_dir or (
        Path(os.environ[PREVIEW_DIR_ENV]) if os.environ.get(PREVIEW_DIR_ENV) else None
    )
    devices = []
    for number, (name, speed) in enumerate(zip(names, speeds, strict=True)):
        identity = PRESETS[name].identity(number)
        options = dict(engine_options)
        if speed is not None:
            options["labels_per_second"] = speed
        if folder is not None and "on_label" not in options:
            options["on_label"] = _preview_saver(folder, name, PRESETS[name].model.dpi)
        devices.append(EmulatedUsbDevice(identity, make_engine(name, **options)))
    return EmulatedBackend(devices)


def _preview_saver(folder: Path, name: str, dpi: int) -> Callable[[PrintedLabel], None]:
    folder.mkdir(parents=True, exist_ok=True)

    def save(label: PrintedLabel) -> None:
        path = folder / f"{name}-{label.index + 1:04d}.png"
        label.bitmap.to_image().save(path, dpi=(dpi, dpi))

    return save
