"""The emulated printers on offer: USB identities, IEEE-1284 ids and their engines' replies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from printers.emulators.engine import EmulatedPrinter, EngineState
from printers.imaging import Bitmap
from printers.models import DYMO_VID, ZEBRA_VID, PrinterModel, Protocol, get_model, open_value
from printers.status import (
    Dymo550Engine,
    build_dymo450_status,
    build_dymo550_status,
    build_epl_error,
    build_zebra_hqes,
    build_zebra_hs,
    build_zebra_odometer,
)

# The emulated odometer: a 4x6 die-cut label and its gap feed 6.125 inches, on a printer that
# has already fed some media in its life.
LABEL_PITCH_INCHES = 6.125
ODOMETER_START_INCHES = 8560
# When the emulated 550 calls its roll low or critically low (DYMO does not publish its own).
DYMO_550_LOW, DYMO_550_CRITICAL = 50, 10
DYMO_550_ENDLESS_ROLL = 220  # what the emulated 550 reports with no roll loaded by a test


@dataclass(frozen=True)
class UsbIdentity:
    """What an emulated printer says about itself on the bus."""

    preset: str
    vendor_id: int
    product_id: int
    manufacturer: str
    product: str
    serial: str
    device_id: str  # IEEE-1284 device id (GET_DEVICE_ID)
    ep_out: int
    ep_in: int
    bcd_device: int


@dataclass(frozen=True)
class Preset:
    """A printer model the emulator can present, with its identity template."""

    name: str  # also the PrinterModel name
    product_id: int
    manufacturer: str
    product: str
    serial_prefix: str
    device_id: str
    ep_out: int
    ep_in: int
    bcd_device: int
    firmware: str

    @property
    def model(self) -> PrinterModel:
        return get_model(self.name)

    def identity(self, number: int = 0) -> UsbIdentity:
        model = self.model
        assert model.usb_vendor_id is not None
        return UsbIdentity(
            preset=self.name,
            vendor_id=model.usb_vendor_id,
            product_id=self.product_id,
            manufacturer=self.manufacturer,
            product=self.product,
            serial=f"{self.serial_prefix}{number + 1:04d}",
            device_id=self.device_id,
            ep_out=self.ep_out,
            ep_in=self.ep_in,
            bcd_device=self.bcd_device,
        )


# Device ids in the two spellings printers use: Zebra's long keys (MANUFACTURER/COMMAND SET/
# MODEL, as lprint-zpl.h shows) and the short MFG/CMD/MDL keys. PIDs come from the model table
# (usb.ids, DYMO's TRMs); the ZD421 and the generic ZPL printers have none there, so they use
# the stand-ins named in OPEN_VALUES: discovery must work from the device id.
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "zd421-203",
            open_value("zd421.usb_pid.emulator"),
            "Zebra Technologies",
            "ZTC ZD421-203dpi ZPL",
            "D4J21",
            "MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;MODEL:ZTC ZD421-203dpi ZPL;"
            "CLASS:PRINTER;OPTIONS:XML;",
            0x01,
            0x81,
            0x0100,
            "V93.21.26Z",
        ),
        Preset(
            "zd421-300",
            open_value("zd421-300.usb_pid.emulator"),
            "Zebra Technologies",
            "ZTC ZD421-300dpi ZPL",
            "D4K21",
            "MFG:Zebra Technologies;CMD:ZPL;MDL:ZTC ZD421-300dpi ZPL;CLS:PRINTER;",
            0x01,
            0x81,
            0x0100,
            "V93.21.26Z",
        ),
        Preset(
            "lp2844-z",
            get_model("lp2844-z").usb_product_ids[0],
            "Zebra Technologies",
            "ZTC LP2844-Z-200dpi",  # usb.ids's name for 0a5f:0027
            "42Z0",
            "MANUFACTURER:Zebra Technologies;COMMAND SET:ZPL;MODEL:ZTC LP2844-Z-200dpi;"
            "CLASS:PRINTER;",
            0x01,
            0x82,
            0x0100,
            "V45.11.7Z",
        ),
        Preset(
            "zpl-203",
            open_value("generic-zpl.usb_pid.emulator"),
            "Generic",
            "ZPL Label Printer",
            "G203",
            "MFG:Generic;CMD:ZPL;MDL:ZPL Label Printer 203dpi;CLS:PRINTER;",
            0x01,
            0x81,
            0x0100,
            "1.0",
        ),
        Preset(
            "zpl-300",
            open_value("generic-zpl.usb_pid.emulator") + 1,
            "Generic",
            "ZPL Label Printer",
            "G300",
            "MFG:Generic;CMD:ZPL;MDL:ZPL Label Printer 300dpi;CLS:PRINTER;",
            0x01,
            0x81,
            0x0100,
            "1.0",
        ),
        Preset(
            "lp2844",
            get_model("lp2844").usb_product_ids[0],
            "Zebra Technologies",
            "LP 2844",
            "42J0",
            "MANUFACTURER:Zebra Technologies;COMMAND SET:EPL;MODEL:LP 2844;CLASS:PRINTER;",
            0x01,
            0x82,
            0x0100,
            "UKQ1935HLU V4.70",
        ),
        Preset(
            "dymo-4xl",
            get_model("dymo-4xl").usb_product_ids[0],
            "DYMO",
            "LabelWriter 4XL",
            "04XL",
            "MFG:DYMO;CMD: ;MDL:LabelWriter 4XL;CLASS:PRINTER;DESCRIPTION:DYMO LabelWriter 4XL;",
            0x02,
            0x85,
            0x0108,
            "93089",
        ),
        Preset(
            "dymo-5xl",
            get_model("dymo-5xl").usb_product_ids[0],
            "DYMO",
            "LabelWriter 5XL",
            "55XL",
            "MFG:DYMO;CMD: ;MDL:LabelWriter 5XL;CLASS:PRINTER;DESCRIPTION:DYMO LabelWriter 5XL;",
            0x01,
            0x82,
            0x0100,
            "1.4.2",
        ),
    )
}
assert all(p.model.usb_vendor_id in (ZEBRA_VID, DYMO_VID) for p in PRESETS.values())


def decoder_for(model: PrinterModel) -> Callable[[bytes], list[Bitmap]]:
    """The protocol decoder as the engine calls it: a whole job in, its label bitmaps out.

    ZPL `!` is read as the hex digit 1 (Zebrash's literal reading of the manual), the least
    forgiving reading: a job that relied on `!` meaning "fill with 1s" prints wrong here.
    """

    def decode(data: bytes) -> list[Bitmap]:
        from printers.pipeline import decode_job
        from printers.protocols.zpl import BangReading

        job = decode_job(data, model, zpl_bang=BangReading.HEX_ONE)
        return [page.bitmap for page in job.pages for _ in range(page.copies)]

    return decode


def responder_for(preset: Preset) -> Callable[[bytes, EngineState], bytes]:
    """Status replies in the model's own format, reflecting the engine's state."""
    model = preset.model

    def reply(query: bytes, state: EngineState) -> bytes:
        f = state.faults
        busy = state.printing or state.jobs_waiting > 0
        if model.family is Protocol.ZPL:
            if query == b"~HQES":
                errors = (
                    (0x1 if f.paper_out else 0)
                    | (0x2 if f.ribbon_out else 0)
                    | (0x4 if f.head_open else 0)
                    | (0x10000 if f.paused else 0)
                )
                return build_zebra_hqes(errors)
            if query == b"~HQOD":
                fed = ODOMETER_START_INCHES + state.labels_printed * LABEL_PITCH_INCHES
                return build_zebra_odometer(int(fed), int(fed), int(fed))
            if query == b"~HI":
                dpmm = model.dpmm
                return f"\x02{preset.product},{preset.firmware},{dpmm},8192KB\x03\r\n".encode()
            return build_zebra_hs(
                paper_out=f.paper_out,
                paused=f.paused,
                head_open=f.head_open,
                ribbon_out=f.ribbon_out,
                formats_in_buffer=state.jobs_waiting,
                labels_remaining=state.jobs_waiting,
                label_length_dots=model.page_height_dots,
                partial_format=state.partial_job,
            )
        if model.family is Protocol.EPL2:
            if f.head_open:
                return build_epl_error(11)
            if f.paper_out or f.ribbon_out:
                return build_epl_error(7)
            if f.paused:
                return build_epl_error(12)
            return build_epl_error(50 if busy else 0)
        if model.family is Protocol.DYMO_LW:
            if f.head_open:
                return bytes([0x81])  # the 450 series only has a generic error bit for this
            return build_dymo450_status(paper_out=f.paper_out, busy=busy, top_of_form=not busy)
        remaining = state.media_remaining
        bay = 8
        if remaining is not None and remaining <= DYMO_550_LOW:
            bay = 6 if remaining <= DYMO_550_CRITICAL else 7
        if f.counterfeit_media:
            bay = 10
        if f.paper_out:
            bay = 5
        if f.head_open:
            bay = 1
        return build_dymo550_status(
            engine=Dymo550Engine.PRINTING if busy else Dymo550Engine.IDLE,
            label_index=state.labels_printed & 0xFFFF,
            bay=bay,
            media_remaining=DYMO_550_ENDLESS_ROLL if remaining is None else remaining,
        )

    return reply


def make_engine(preset_name: str, **options: Any) -> EmulatedPrinter:
    """An engine for one preset; `options` go to EmulatedPrinter (speed, buffer, callback)."""
    preset = PRESETS[preset_name]
    model = preset.model
    return EmulatedPrinter(
        model,
        decoder=decoder_for(model),
        responder=responder_for(preset),
        name=preset_name,
        **options,
    )
