"""Find USB label printers by vendor, printer class 7 and the IEEE-1284 device id."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from typing import Any

import usb.core
import usb.util

from printers.errors import PrinterError
from printers.models import DYMO_VID, MODELS, ZEBRA_VID, PrinterModel, Protocol
from printers.transports.usb import (
    GET_DEVICE_ID,
    PRINTER_VENDORS,
    default_backend,
    has_printer_interface,
    parse_device_id_reply,
    printer_interface,
    read_serial,
    usb_error,
    usb_uri,
)

_KEY_ALIASES = {
    "MANUFACTURER": "MFG",
    "COMMAND SET": "CMD",
    "COMMANDSET": "CMD",
    "MODEL": "MDL",
    "CLASS": "CLS",
    "DESCRIPTION": "DES",
}
_GENERIC = {"zpl-203", "zpl-300", "epl2-203"}


@dataclass(frozen=True)
class FoundPrinter:
    """One printer on the bus and what we make of it."""

    uri: str
    vendor_id: int
    product_id: int
    serial: str | None
    manufacturer: str
    product: str
    device_id: str  # the raw IEEE-1284 id ("" when it could not be read)
    command_set: str  # e.g. "ZPL", "EPL" ("" when the printer does not say)
    dpi: int | None
    model: PrinterModel | None
    note: str = ""  # why something is unknown, or what to do

    @property
    def language(self) -> Protocol | None:
        return self.model.family if self.model else None

    def describe(self) -> str:
        """One line for `python -m printers list`."""
        what = (
            f"{self.model.display_name} [{self.model.name}, {self.model.family.value}, "
            f"{self.model.dpi} dpi]"
            if self.model
            else "unknown model"
        )
        extra = f"  ({self.note})" if self.note else ""
        name = self.product or self.manufacturer or "?"
        return f"{self.uri}  {name}: {what}{extra}"


def parse_device_id(text: str) -> dict[str, str]:
    """`MFG:x;CMD:y;MDL:z;` -> {"MFG": x, "CMD": y, "MDL": z}; long Zebra keys are folded."""
    fields: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition(":")
        if not sep:
            continue
        key = key.strip().upper()
        fields[_KEY_ALIASES.get(key, key)] = value.strip()
    return fields


def _dpi_of(text: str) -> int | None:
    match = re.search(r"(\d{3})\s*dpi", text, re.IGNORECASE)
    if not match:
        return None
    dpi = int(match.group(1))
    return 203 if dpi == 200 else dpi  # 8 dpmm: "ZTC LP2844-Z-200dpi" (usb.ids) is 203 dpi


def _language_of(cmd: str) -> Protocol | None:
    langs = {c.strip().upper() for c in re.split(r"[,\s]+", cmd) if c.strip()}
    if "ZPL" in langs or "ZPL2" in langs or "ZPLII" in langs:
        return Protocol.ZPL
    if "EPL" in langs or "EPL2" in langs:
        return Protocol.EPL2
    return None


def identify(
    vendor_id: int, product_id: int, device_id: str, product: str = ""
) -> tuple[PrinterModel | None, str, int | None]:
    """(model, command set, dpi) from the device id first, the product string, the PID last."""
    fields = parse_device_id(device_id)
    mdl = fields.get("MDL", "") or product
    cmd = fields.get("CMD", "").strip()
    dpi = _dpi_of(mdl) or _dpi_of(fields.get("DES", ""))
    language = _language_of(cmd)

    def agrees(model: PrinterModel) -> bool:
        return (
            model.usb_vendor_id in (None, vendor_id)
            and (language is None or model.family is language)
            and (dpi is None or model.dpi == dpi)
        )

    specific = [m for m in MODELS.values() if m.name not in _GENERIC]
    for text in (mdl, product):
        if not text:
            continue
        for model in specific:
            if model.matches_device_id(text) and agrees(model):
                return model, cmd, dpi or model.dpi
    for model in specific:
        if product_id in model.usb_product_ids and agrees(model):
            return model, cmd, dpi or model.dpi
    if vendor_id == ZEBRA_VID or language is not None:
        if language is Protocol.EPL2:
            return MODELS["epl2-203"], cmd, dpi or 203
        if language is Protocol.ZPL or vendor_id == ZEBRA_VID:
            return MODELS["zpl-300" if dpi == 300 else "zpl-203"], cmd, dpi
    return None, cmd, dpi


class _HeldBySystemDriver(Exception):  # noqa: N818 (a condition, not an error)
    """The interface belongs to the OS printer driver and we were told not to take it."""


def read_device_id(dev: usb.core.Device, timeout_ms: int = 2000, *, detach: bool = True) -> str:
    """GET_DEVICE_ID on the printer interface. On Linux usblp holds the interface, so it is
    detached for the request and reattached right after (unless `detach` is False)."""
    cfg, intf = printer_interface(dev)
    number = intf.bInterfaceNumber
    detached = False
    try:
        if sys.platform.startswith("linux") or getattr(dev.backend, "emulated", False):
            try:
                active = dev.is_kernel_driver_active(number)
                if active and not detach:
                    raise _HeldBySystemDriver
                if active:
                    dev.detach_kernel_driver(number)
                    detached = True
            except NotImplementedError:
                pass  # the backend cannot tell; try the request anyway
        usb.util.claim_interface(dev, number)
        raw = bytes(
            dev.ctrl_transfer(
                0xA1,
                GET_DEVICE_ID,
                cfg.index,
                (number << 8) | intf.bAlternateSetting,
                1024,
                timeout_ms,
            )
        )
    finally:
        try:
            usb.util.release_interface(dev, number)
            if detached:
                dev.attach_kernel_driver(number)
        finally:
            usb.util.dispose_resources(dev)
    return parse_device_id_reply(raw)


def _string(dev: usb.core.Device, index: int) -> str:
    if not index:
        return ""
    try:
        return str(usb.util.get_string(dev, index) or "").strip()
    except (usb.core.USBError, ValueError, NotImplementedError):
        return ""  # unreadable without access rights; the note says why


def describe_device(dev: usb.core.Device) -> FoundPrinter:
    """Everything discovery can learn about one USB printer."""
    vid, pid = int(dev.idVendor), int(dev.idProduct)
    serial = read_serial(dev)
    manufacturer = _string(dev, dev.iManufacturer)
    product = _string(dev, dev.iProduct)
    device_id, note = "", ""
    try:
        # Only label-printer vendors are borrowed from usblp: an office printer in the middle
        # of a CUPS job must not lose its driver because we listed printers.
        device_id = read_device_id(dev, detach=vid in PRINTER_VENDORS)
    except _HeldBySystemDriver:
        note = "in use by the system printer driver; not probed"
    except usb.core.USBError as exc:
        err = usb_error(exc, usb_uri(dev, serial), "reading the device id", vid)
        note = f"{err.message}; {err.hint}"
    except PrinterError as exc:
        note = exc.message
    model, cmd, dpi = identify(vid, pid, device_id, product)
    if model is None and not note:
        note = "not a model this program knows; pass --model"
    return FoundPrinter(
        uri=usb_uri(dev, serial),
        vendor_id=vid,
        product_id=pid,
        serial=serial,
        manufacturer=manufacturer,
        product=product,
        device_id=device_id,
        command_set=cmd,
        dpi=dpi,
        model=model,
        note=note,
    )


def discover(backend: Any = None) -> list[FoundPrinter]:
    """Every connected USB device with a printer-class interface, identified."""
    be = backend if backend is not None else default_backend()
    found = []
    for dev in usb.core.find(find_all=True, backend=be):
        # Class 7 is what makes it a printer (a DYMO scale or a LabelManager in HID mode
        # shares the vendor id but has no printer interface).
        if has_printer_interface(dev):
            found.append(describe_device(dev))
    return found


__all__ = [
    "DYMO_VID",
    "ZEBRA_VID",
    "FoundPrinter",
    "describe_device",
    "discover",
    "identify",
    "parse_device_id",
    "read_device_id",
]
