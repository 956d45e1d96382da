"""The emulated printers on offer: USB identities, IEEE-1284 ids and their engines' replies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from printers.emulators.engine import EmulatedPrinter, EngineState
from printers.imaging import Bitmap
from printers.models import DYMO_VID, ZEBRA_VID, PrinterModel, Protocol, get_model
from printers.status import (
    Dymo550Engine,
    build_dymo450_status,
    build_dymo550_status,
    build_epl_error,
    build_zebra_hqes,
    build_zebra_hs,
)


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
# MODEL, as lprint-zpl.h shows) and the short MFG/CMD/MDL keys. The ZD421 PIDs are not in
# usb.ids; these are stand-ins, which is the point: discovery must work from the device id.
PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "zd421-203",
            0x0185,
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
            0x0186,
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
            "lp2844",
            0x0009,
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
            0x0025,
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
            0x002A,
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
    """The protocol decoder as the engine calls it: a whole job in, its label bitmaps out."""

    def decode(data: bytes) -> list[Bitmap]:
        from printers.pipeline import decode_job

        job = decode_job(data, model)
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
        bay = 8
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
