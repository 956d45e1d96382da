"""Labels left on the roll: the DYMO 550 status block and the Zebra ~HQOD odometer."""

from __future__ import annotations

import pytest

from printers.emulators.presets import LABEL_PITCH_INCHES, make_engine
from printers.emulators.usb_backend import backend_from_spec
from printers.errors import PrinterError
from printers.printer import open_printer
from printers.status import (
    PrinterState,
    RollLevel,
    parse_dymo550_status,
    parse_zebra_odometer,
)


def dymo550_frame(bay: int, remaining: int) -> bytes:
    """A 32-byte 550 status block laid out by hand from the LW 550 TRM table in the notes:
    0 engine, 1-4 job id, 5-6 label index, 8 head, 9 density, 10 main bay, 11-22 SKU,
    23-26 error id, 27-28 labels remaining (little-endian), 30 head voltage."""
    block = bytearray(32)
    block[9] = 100
    block[10] = bay
    block[11:19] = b"S0947420"
    block[27] = remaining & 0xFF
    block[28] = remaining >> 8
    return bytes(block)


@pytest.mark.parametrize(
    ("bay", "level", "state"),
    [
        (8, RollLevel.OK, PrinterState.READY),
        (7, RollLevel.LOW, PrinterState.READY),
        (6, RollLevel.CRITICALLY_LOW, PrinterState.READY),
        (5, RollLevel.EMPTY, PrinterState.PAPER_OUT),
        (10, RollLevel.COUNTERFEIT, PrinterState.MEDIA_NOT_SUPPORTED),
    ],
)
def test_550_main_bay_state_and_labels_left(
    bay: int, level: RollLevel, state: PrinterState
) -> None:
    status = parse_dymo550_status(dymo550_frame(bay, 38))
    assert (status.media_remaining, status.media_level, status.state) == (38, level, state)


def test_550_labels_left_is_little_endian() -> None:
    assert parse_dymo550_status(dymo550_frame(8, 0x0104)).media_remaining == 260


def test_zebra_odometer_manual_examples() -> None:
    inches = parse_zebra_odometer(
        b'\x02PRINT METERS\r\nTOTAL NONRESETTABLE:     8560 "\r\n'
        b'USER RESETTABLE CNTR1:     9 "\r\nUSER RESETTABLE CNTR2:    8560 "\r\n\x03'
    )
    assert (inches.total, inches.counter1, inches.counter2, inches.unit) == (8560, 9, 8560, "in")
    cm = parse_zebra_odometer(b"PRINT METERS\r\nTOTAL NONRESETTABLE:    21744 cm\r\n")
    assert cm.unit == "cm" and cm.total_inches == pytest.approx(8560.6, abs=0.1)
    with pytest.raises(PrinterError):
        parse_zebra_odometer(b"\x02nothing\x03")


def test_emulated_550_reports_38_labels_left_and_runs_out() -> None:
    backend = backend_from_spec("dymo-5xl")
    try:
        device = backend.device("dymo-5xl")
        device.engine.load_roll(38)
        ident = device.identity
        with open_printer(
            f"usb://{ident.vendor_id:04x}:{ident.product_id:04x}", usb_backend=backend
        ) as printer:
            status = printer.status()
            assert (status.media_remaining, status.media_level) == (38, RollLevel.LOW)
            device.engine.load_roll(1)
            printer.print_label(_blank_png(), copies=1)
            assert device.engine.wait_printed(1, 20)
            empty = printer.status()
            assert empty.media_remaining == 0 and empty.state is PrinterState.PAPER_OUT
    finally:
        backend.close()


def test_emulated_zebra_odometer_counts_each_label() -> None:
    backend = backend_from_spec("zd421-203")
    try:
        device = backend.device("zd421-203")
        ident = device.identity
        with open_printer(
            f"usb://{ident.vendor_id:04x}:{ident.product_id:04x}", usb_backend=backend
        ) as printer:
            before = printer.odometer()
            assert before is not None
            printer.print_jobs([printer.encode(_blank_png())] * 4)
            assert device.engine.wait_printed(4, 20)
            after = printer.odometer()
            assert after is not None
            fed = after.total_inches - before.total_inches
            assert round(fed / LABEL_PITCH_INCHES) == 4
    finally:
        backend.close()


def test_emulated_zebra_roll_runs_out() -> None:
    engine = make_engine("zd421-203")
    try:
        engine.load_roll(2)
        assert engine.state().media_remaining == 2
        for _ in range(3):
            engine.receive(b"^XA^FO0,0^GB10,10,10^FS^XZ", timeout_s=5)
        assert engine.wait_printed(2, 10)
        assert not engine.wait_printed(3, 0.3)  # the third waits for a new roll
        assert engine.state().faults.paper_out
        engine.load_roll(250)
        assert engine.wait_printed(3, 10)
        assert engine.media_remaining == 249
    finally:
        engine.close()


def _blank_png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("L", (812, 1218), 255)
    ImageDraw.Draw(image).rectangle((10, 10, 801, 1207), outline=0, width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
