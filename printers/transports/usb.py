"""USB transport over pyusb: find, detach usblp, claim, chunked bulk OUT, drained bulk IN."""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import usb.core
import usb.util

from printers.errors import PrinterError, PrinterErrorKind
from printers.transports.base import (
    DEFAULT_READ_TIMEOUT_MS,
    DEFAULT_WRITE_TIMEOUT_MS,
    TransportBase,
)

USB_PRINTER_CLASS = 7
GET_DEVICE_ID = 0  # USB printer class request (bmRequestType 0xA1)
ZEBRA_VID = 0x0A5F
DYMO_VID = 0x0922
PRINTER_VENDORS = {ZEBRA_VID: "Zebra", DYMO_VID: "DYMO"}
# 16 KiB chunks: small enough that a timeout tells us early, large enough to keep the bus busy.
DEFAULT_CHUNK_SIZE = 16 * 1024
EMULATED_USB_ENV = "PACKDESK_EMULATED_USB"
UDEV_RULES_FILE = "/etc/udev/rules.d/60-packdesk-label-printers.rules"

_backend_override: Any = None
_env_backend: tuple[str, Any] | None = None


def set_default_backend(backend: Any) -> None:
    """Make every later USB lookup use `backend` (None restores libusb); tests and demos."""
    global _backend_override
    _backend_override = backend


def active_emulated_backend() -> Any:
    """The emulated backend in use (override or PACKDESK_EMULATED_USB), if any."""
    for backend in (_backend_override, _env_backend[1] if _env_backend else None):
        if backend is not None and getattr(backend, "emulated", False):
            return backend
    return None


def default_backend() -> Any:
    """The pyusb backend to use: an override, the emulated devices from the env, or libusb."""
    global _env_backend
    if _backend_override is not None:
        return _backend_override
    spec = os.environ.get(EMULATED_USB_ENV, "").strip()
    if spec:
        if _env_backend is None or _env_backend[0] != spec:
            from printers.emulators.usb_backend import backend_from_spec

            try:
                _env_backend = (spec, backend_from_spec(spec))
            except ValueError as exc:
                raise PrinterError(
                    PrinterErrorKind.UNSUPPORTED,
                    f"{EMULATED_USB_ENV}={spec!r}: {exc}",
                    hint=f"Fix or unset {EMULATED_USB_ENV} (it replaces real USB printers).",
                    device="usb",
                ) from exc
        return _env_backend[1]
    import libusb_package

    backend = libusb_package.get_libusb1_backend()
    if backend is None:
        raise PrinterError(
            PrinterErrorKind.UNSUPPORTED,
            "No USB backend: libusb-1.0 could not be loaded",
            hint="Reinstall Packdesk (it ships libusb through the libusb-package wheel); on "
            "Linux `sudo apt install libusb-1.0-0` also works. Or print over spool:// or tcp://.",
            device="usb",
        )
    return backend


def udev_rule(vendor_id: int) -> str:
    """The udev rule line that gives the user logged in at the desk (systemd-logind's
    `uaccess`) raw access to this vendor's printers; installer/linux ships it for both."""
    return f'SUBSYSTEM=="usb", ATTR{{idVendor}}=="{vendor_id:04x}", TAG+="uaccess"'


def access_denied_hint(vendor_id: int) -> str:
    """What to do about EACCES on this platform, with the exact rule to install on Linux."""
    if sys.platform.startswith("linux"):
        return (
            f"Allow USB access with a udev rule (Packdesk's Linux installer adds it): put the "
            f"line  {udev_rule(vendor_id)}  into {UDEV_RULES_FILE} (e.g. "
            f"`echo '{udev_rule(vendor_id)}' | sudo tee -a {UDEV_RULES_FILE}`), run "
            "`sudo udevadm control --reload-rules && sudo udevadm trigger`, then unplug and "
            "replug the printer."
        )
    if sys.platform == "win32":
        return (
            "Windows gives the printer to its own driver (usbprint.sys). Either print through "
            "the Windows spooler with spool://<printer name> (RAW; the README in Packdesk's "
            "folder shows how, step by step), or replace the driver with WinUSB using Zadig "
            "(this breaks the vendor's own software)."
        )
    return (
        "Another program (usually a CUPS print queue) holds the printer. Print through "
        "spool://<queue name> instead, or remove the queue for this printer."
    )


def usb_error(exc: BaseException, device: str, doing: str, vendor_id: int = 0) -> PrinterError:
    """Map a pyusb error to a PrinterError kind with a hint a packer can act on."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, usb.core.USBTimeoutError) or code == errno.ETIMEDOUT:
        return PrinterError(
            PrinterErrorKind.TIMEOUT,
            f"The printer did not respond while {doing}",
            hint="Check the printer for an error light, paper or an open head; "
            "switch it off and on if it stays stuck, then resend.",
            device=device,
        )
    if code == errno.ENODEV:
        return PrinterError(
            PrinterErrorKind.DISCONNECTED,
            f"The printer was disconnected while {doing}",
            hint="Plug the USB cable back in (and check the power), then resend the label.",
            device=device,
        )
    if code == errno.EACCES:
        return PrinterError(
            PrinterErrorKind.ACCESS_DENIED,
            f"Permission denied while {doing}",
            hint=access_denied_hint(vendor_id),
            device=device,
        )
    if code == errno.EBUSY:
        return PrinterError(
            PrinterErrorKind.BUSY,
            f"The printer is in use by another driver or program while {doing}",
            hint="Close other label software and pause any CUPS queue for this printer "
            "(`cupsdisable <queue>`), then try again.",
            device=device,
        )
    return PrinterError(
        PrinterErrorKind.PROTOCOL,
        f"USB error while {doing}: {exc}",
        hint="Unplug and replug the printer; if it keeps happening try another cable or port.",
        device=device,
    )


def printer_interface(dev: usb.core.Device) -> tuple[Any, Any]:
    """The (configuration, interface) descriptors of the device's USB printer-class interface."""
    for cfg in dev:
        for intf in cfg:
            if intf.bInterfaceClass == USB_PRINTER_CLASS:
                return cfg, intf
    raise PrinterError(
        PrinterErrorKind.UNSUPPORTED,
        "This USB device has no printer-class interface",
        hint="Pick the label printer itself, not a hub or another device.",
        device=f"usb://{dev.idVendor:04x}:{dev.idProduct:04x}",
    )


def has_printer_interface(dev: usb.core.Device) -> bool:
    """True when any configuration of `dev` offers a USB printer-class (7) interface."""
    return any(intf.bInterfaceClass == USB_PRINTER_CLASS for cfg in dev for intf in cfg)


def usb_uri(dev: usb.core.Device, serial: str | None) -> str:
    """The usb:// URI naming this device (with its serial so two identical printers differ)."""
    base = f"usb://{dev.idVendor:04x}:{dev.idProduct:04x}"
    return base + (f"?serial={serial}" if serial else "")


def read_serial(dev: usb.core.Device) -> str | None:
    """The serial number string, or None when the device has none or will not say."""
    if not dev.iSerialNumber:
        return None
    try:
        return str(usb.util.get_string(dev, dev.iSerialNumber)).strip() or None
    except (usb.core.USBError, ValueError, NotImplementedError):
        # Without access rights (or on Windows) strings are unreadable; the URI then omits it.
        return None


class UsbTransport(TransportBase):
    """One claimed printer-class interface; writes in chunks, reads status over bulk IN.

    Open with `UsbTransport.open(vid, pid, serial=...)` or wrap a found `usb.core.Device`.
    Always `close()` (or use `with`): it releases the interface, reattaches the kernel
    driver it detached and frees the handle.
    """

    bidirectional = True

    def __init__(
        self,
        dev: usb.core.Device,
        *,
        name: str = "",
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.dev = dev
        self.name = name or usb_uri(dev, None)
        self.chunk_size = chunk_size
        self._detached = False
        self._claimed = False
        self._closed = False
        self._pending_in = bytearray()
        self._cfg, self._intf = printer_interface(dev)
        self.interface_number: int = self._intf.bInterfaceNumber
        try:
            self._setup()
        except usb.core.USBError as exc:
            self._cleanup()
            raise usb_error(exc, self.name, "opening the printer", dev.idVendor) from exc
        except BaseException:
            self._cleanup()
            raise

    @classmethod
    def open(
        cls,
        vendor_id: int,
        product_id: int,
        serial: str | None = None,
        *,
        backend: Any = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> UsbTransport:
        """Find the printer by ids (and serial) and open it; NOT_FOUND lists what is there."""
        be = backend if backend is not None else default_backend()
        wanted = usb_uri_text(vendor_id, product_id, serial)
        candidates = [
            dev
            for dev in usb.core.find(
                find_all=True, backend=be, idVendor=vendor_id, idProduct=product_id
            )
            if has_printer_interface(dev)
        ]
        if serial is not None:
            candidates = [dev for dev in candidates if read_serial(dev) == serial]
        if not candidates:
            raise not_found_error(wanted, be)
        dev = candidates[0]
        return cls(dev, name=wanted, chunk_size=chunk_size)

    def _setup(self) -> None:
        dev, number = self.dev, self.interface_number
        # Linux binds usblp to printer interfaces; claiming (or set_configuration) fails with
        # EBUSY until it is detached. macOS must not detach (Access denied), Windows cannot.
        if sys.platform.startswith("linux") or _is_emulated(dev):
            try:
                active = dev.is_kernel_driver_active(number)
            except NotImplementedError:
                active = False
            if active:
                dev.detach_kernel_driver(number)
                self._detached = True
        try:
            current = dev.get_active_configuration()
        except usb.core.USBError:
            current = None  # unconfigured, which a freshly plugged device may be
        if current is None or current.bConfigurationValue != self._cfg.bConfigurationValue:
            dev.set_configuration(self._cfg.bConfigurationValue)
        usb.util.claim_interface(dev, number)
        self._claimed = True
        if self._intf.bAlternateSetting:
            dev.set_interface_altsetting(number, self._intf.bAlternateSetting)
        self._ep_out = usb.util.find_descriptor(
            self._intf,
            custom_match=lambda e: (
                usb.util.endpoint_direction(e.bEndpointAddress) == usb.util.ENDPOINT_OUT
                and usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
            ),
        )
        self._ep_in = usb.util.find_descriptor(
            self._intf,
            custom_match=lambda e: (
                usb.util.endpoint_direction(e.bEndpointAddress) == usb.util.ENDPOINT_IN
                and usb.util.endpoint_type(e.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK
            ),
        )
        if self._ep_out is None:
            raise PrinterError(
                PrinterErrorKind.UNSUPPORTED,
                "The printer interface has no bulk OUT endpoint",
                device=self.name,
            )
        if self._ep_in is None:
            self.bidirectional = False  # protocol-1 (unidirectional) printers exist

    def device_id(self, timeout_ms: int = 2000) -> str:
        """The IEEE-1284 device id (GET_DEVICE_ID) over the interface this transport holds."""
        self._check_open()
        try:
            raw = self.dev.ctrl_transfer(
                0xA1,
                GET_DEVICE_ID,
                self._cfg.index,
                (self.interface_number << 8) | self._intf.bAlternateSetting,
                1024,
                timeout_ms,
            )
        except usb.core.USBError as exc:
            raise usb_error(exc, self.name, "reading the device id", self.dev.idVendor) from exc
        return parse_device_id_reply(bytes(raw))

    def product(self) -> str:
        """The product string ("" when the device does not give one)."""
        if not self.dev.iProduct:
            return ""
        try:
            return str(usb.util.get_string(self.dev, self.dev.iProduct) or "").strip()
        except (usb.core.USBError, ValueError, NotImplementedError):
            return ""  # some devices stall string requests; the device id still identifies

    def write(self, data: bytes, timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS) -> None:
        """Send every byte; partial bulk writes (a busy printer NAKing) simply continue."""
        self._check_open()
        view = memoryview(data)
        sent = 0
        halts_cleared = 0
        while sent < len(view):
            chunk = view[sent : sent + self.chunk_size]
            try:
                moved = self.dev.write(self._ep_out, chunk, timeout_ms)
            except usb.core.USBTimeoutError as exc:
                # libusb raises only when nothing moved within the timeout.
                raise PrinterError(
                    PrinterErrorKind.TIMEOUT,
                    f"The printer took no data for {timeout_ms / 1000:g} s "
                    f"({sent} of {len(view)} bytes sent)",
                    hint="Check the printer for an error light, paper or an open head; "
                    "switch it off and on if it stays stuck, then resend the label.",
                    device=self.name,
                ) from exc
            except usb.core.USBError as exc:
                if getattr(exc, "errno", None) == errno.EPIPE and halts_cleared < 3:
                    # The endpoint STALLed (a hiccup after a reset or a bad packet): clear
                    # the halt and go on; the stalled transfer moved nothing.
                    halts_cleared += 1
                    self._clear_halt(exc)
                    continue
                raise usb_error(exc, self.name, "sending the label", self.dev.idVendor) from exc
            sent += moved

    def _clear_halt(self, cause: usb.core.USBError) -> None:
        try:
            self.dev.clear_halt(self._ep_out)
        except usb.core.USBError as exc:
            raise usb_error(exc, self.name, "recovering a stalled endpoint", 0) from cause

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes:
        """Up to `n` bytes of status; b"" when nothing came within `timeout_ms`."""
        self._check_open()
        if not self.bidirectional:
            return b""
        if not self._pending_in:
            # Ask for at least a full packet: a shorter buffer overflows on real hardware.
            size = max(n, int(self._ep_in.wMaxPacketSize) or 64)
            try:
                got = self.dev.read(self._ep_in, size, timeout_ms)
            except usb.core.USBTimeoutError:
                return b""
            except usb.core.USBError as exc:
                raise usb_error(exc, self.name, "reading status", self.dev.idVendor) from exc
            self._pending_in += bytes(got)
        out = bytes(self._pending_in[:n])
        del self._pending_in[:n]
        return out

    def close(self) -> None:
        """Release the interface, give the kernel driver back, free the handle. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._cleanup()

    def _cleanup(self) -> None:
        dev = self.dev
        try:
            if self._claimed:
                self._claimed = False
                usb.util.release_interface(dev, self.interface_number)
            if self._detached:
                self._detached = False
                dev.attach_kernel_driver(self.interface_number)
        except usb.core.USBError as exc:
            # Unplugged already: nothing is left to release or reattach (the kernel rebinds
            # usblp on replug). Anything else is a real fault and goes up.
            if getattr(exc, "errno", None) != errno.ENODEV:
                raise usb_error(exc, self.name, "closing", dev.idVendor) from exc
        finally:
            usb.util.dispose_resources(dev)

    def _check_open(self) -> None:
        if self._closed:
            raise PrinterError(
                PrinterErrorKind.DISCONNECTED, "The USB connection is closed", device=self.name
            )


def parse_device_id_reply(raw: bytes) -> str:
    """The text of a GET_DEVICE_ID reply: a 2-byte big-endian length (which counts itself),
    then MFG:..;MDL:..;CMD:..; Some devices send the length little-endian; both are read."""
    if len(raw) < 2:
        return ""
    length = int.from_bytes(raw[:2], "big")
    if length > len(raw) or length < 2:
        length = int.from_bytes(raw[:2], "little")
    return raw[2 : min(length, len(raw))].decode("ascii", "replace").strip("\x00")


def usb_uri_text(vendor_id: int, product_id: int, serial: str | None) -> str:
    """usb://VID:PID[?serial=...] from its parts."""
    return f"usb://{vendor_id:04x}:{product_id:04x}" + (f"?serial={serial}" if serial else "")


def not_found_error(wanted: str, backend: Any) -> PrinterError:
    """NOT_FOUND for `wanted`, listing the printers that are connected instead."""
    found = [
        usb_uri(dev, read_serial(dev))
        for dev in usb.core.find(find_all=True, backend=backend)
        if dev.idVendor in PRINTER_VENDORS or has_printer_interface(dev)
    ]
    seen = ", ".join(found) if found else "no USB label printers at all"
    return PrinterError(
        PrinterErrorKind.NOT_FOUND,
        f"No printer at {wanted}",
        hint=f"Connected: {seen}. Check the cable and power, or pick one of those "
        "(`python -m printers list`).",
        device=wanted,
    )


def _is_emulated(dev: usb.core.Device) -> bool:
    return bool(getattr(dev.backend, "emulated", False))
