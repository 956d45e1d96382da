"""Fault injection through Printer: the real pyusb path and real sockets, decoded output."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import load_label
from printers.models import get_model
from printers.pipeline import page_bitmap
from printers.printer import open_printer
from tests.printers.emulators.fixtures import MakeBackend, MakeTcp

ZD421_URI = "usb://0a5f:0185"
URIS = {
    "zd421-203": "usb://0a5f:0185",
    "zd421-300": "usb://0a5f:0186",
    "lp2844": "usb://0a5f:0009",
    "dymo-4xl": "usb://0922:0025",
    "dymo-5xl": "usb://0922:002a",
}


def label_png(dpi: int = 203, mark: int = 0) -> bytes:
    """A small label with a unique block per `mark`, so two labels never look alike."""
    image = Image.new("L", (4 * dpi, 6 * dpi), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 4 * dpi - 40, 80), fill=0)
    draw.rectangle((60 + 12 * mark, 200, 100 + 12 * mark, 260), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def expected_page(png: bytes, model_name: str) -> bytes:
    model = get_model(model_name)
    label = load_label(png, model)
    assert not isinstance(label, bytes)
    return page_bitmap(label, model).data  # type: ignore[arg-type]


def test_unplug_mid_job_then_replug_and_resend_prints_exactly_once(
    emulated_usb: MakeBackend,
) -> None:
    backend = emulated_usb("zd421-203")
    device = backend.device("zd421-203")
    png = label_png()
    printer = open_printer(ZD421_URI, usb_backend=backend)
    job = printer.encode(png)
    device.engine.set_faults(drop_after_bytes=len(job) // 2)
    with pytest.raises(PrinterError) as info:
        printer.send_job(job)
    assert info.value.kind is PrinterErrorKind.DISCONNECTED
    assert info.value.retryable
    printer.close()  # closing a vanished device must not raise

    device.replug()
    with open_printer(ZD421_URI, usb_backend=backend) as again:
        again.send_job(job)
    assert device.engine.wait_idle(10)
    printed = device.engine.printed
    assert len(printed) == 1
    assert printed[0].bitmap.data == expected_page(png, "zd421-203")
    assert device.engine.stats.decode_errors == []


@pytest.mark.parametrize("preset", list(URIS))
def test_paper_out_is_reported_before_sending(emulated_usb: MakeBackend, preset: str) -> None:
    backend = emulated_usb(preset)
    device = backend.device(preset)
    device.engine.set_faults(paper_out=True)
    model = get_model(preset)
    with (
        open_printer(URIS[preset], usb_backend=backend) as printer,
        pytest.raises(PrinterError) as info,
    ):
        printer.print_label(label_png(model.dpi))
    assert info.value.kind is PrinterErrorKind.PAPER_OUT
    assert "load labels" in info.value.hint
    assert device.engine.stats.jobs_received == 0  # nothing went into the void


@pytest.mark.parametrize("preset", ["zd421-203", "lp2844", "dymo-5xl"])
def test_head_open_is_reported_before_sending(emulated_usb: MakeBackend, preset: str) -> None:
    backend = emulated_usb(preset)
    device = backend.device(preset)
    device.engine.set_faults(head_open=True)
    with (
        open_printer(URIS[preset], usb_backend=backend) as printer,
        pytest.raises(PrinterError) as info,
    ):
        printer.print_label(label_png(get_model(preset).dpi))
    assert info.value.kind is PrinterErrorKind.HEAD_OPEN
    assert device.engine.stats.jobs_received == 0


def test_counterfeit_labels_on_a_5xl_are_unsupported_media(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("dymo-5xl")
    backend.device("dymo-5xl").engine.set_faults(counterfeit_media=True)
    with (
        open_printer(URIS["dymo-5xl"], usb_backend=backend) as printer,
        pytest.raises(PrinterError) as info,
    ):
        printer.print_label(label_png(300))
    assert info.value.kind is PrinterErrorKind.UNSUPPORTED_MEDIA


def test_short_writes_deliver_every_byte(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("dymo-5xl")  # 270 KB per label: many short transfers
    device = backend.device("dymo-5xl")
    device.engine.set_faults(max_write=4000)
    png = label_png(300)
    with open_printer(URIS["dymo-5xl"], usb_backend=backend) as printer:
        result = printer.print_label(png)
    assert device.engine.wait_printed(1, 10)
    assert device.engine.stats.bytes_received >= result.bytes_sent
    assert device.engine.printed[0].bitmap.data == expected_page(png, "dymo-5xl")


def test_stalled_printer_is_a_timeout(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("zd421-203")
    backend.device("zd421-203").engine.set_faults(stalled=True)
    printer = open_printer(ZD421_URI, usb_backend=backend, status_timeout_ms=100)
    with printer, pytest.raises(PrinterError) as info:
        printer.print_label(label_png())
    assert info.value.kind is PrinterErrorKind.TIMEOUT


def test_stall_during_the_write_is_a_timeout(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    printer = open_printer(ZD421_URI, usb_backend=backend, write_timeout_ms=100)
    engine.set_faults(stalled=True)
    with printer, pytest.raises(PrinterError) as info:
        printer.transport.write(printer.encode(label_png()), 100)
    assert info.value.kind is PrinterErrorKind.TIMEOUT


def test_paper_out_mid_batch_stops_the_batch_and_nothing_is_lost(
    emulated_usb: MakeBackend,
) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    sent: list[int] = []
    pngs = [label_png(mark=i) for i in range(5)]

    def paper_runs_out_after_two(index: int) -> None:
        sent.append(index)
        if index == 1:
            engine.set_faults(paper_out=True)

    with open_printer(ZD421_URI, usb_backend=backend) as printer:
        jobs = [printer.encode(png) for png in pngs]
        with pytest.raises(PrinterError) as info:
            printer.print_jobs(jobs, on_sent=paper_runs_out_after_two)
        assert info.value.kind is PrinterErrorKind.PAPER_OUT
        assert sent == [0, 1]
        engine.set_faults(paper_out=False)  # the packer loads a roll
        printer.print_jobs(jobs[2:])
    assert engine.wait_printed(5, 10)
    assert [p.bitmap.data for p in engine.printed] == [
        expected_page(png, "zd421-203") for png in pngs
    ]


def test_network_zebra_paper_out_and_disconnect(emulated_tcp: MakeTcp) -> None:
    server = emulated_tcp("zd421-203")
    server.engine.set_faults(paper_out=True)
    with open_printer(server.uri, "zd421-203") as printer:
        with pytest.raises(PrinterError) as info:
            printer.print_label(label_png())
        assert info.value.kind is PrinterErrorKind.PAPER_OUT
    assert server.engine.stats.jobs_received == 0

    server.engine.set_faults(paper_out=False)
    png = label_png()
    with open_printer(server.uri, "zd421-203") as printer:
        job = printer.encode(png)
        server.engine.set_faults(drop_after_bytes=len(job) // 2)
        with pytest.raises(PrinterError) as dropped:
            printer.send_job(job)  # the cut shows at the latest in the status read after
    assert dropped.value.kind is PrinterErrorKind.DISCONNECTED
    with open_printer(server.uri, "zd421-203") as printer:
        printer.send_job(job)
    assert server.engine.wait_printed(1, 10)
    assert len(server.engine.printed) == 1
    assert server.engine.printed[0].bitmap.data == expected_page(png, "zd421-203")


def test_tcp_without_model_asks_hi(emulated_tcp: MakeTcp) -> None:
    server = emulated_tcp("zd421-300")
    with open_printer(server.uri) as printer:
        assert printer.model.name == "zd421-300"


def test_wait_until_printed_follows_the_mechanism(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("zd421-203", labels_per_second=50)
    engine = backend.device("zd421-203").engine
    with open_printer(ZD421_URI, usb_backend=backend) as printer:
        printer.print_jobs([printer.encode(label_png(mark=i)) for i in range(3)])
        status = printer.wait_until_printed(timeout_s=10, poll_s=0.01)
    assert status.ok
    assert len(engine.printed) == 3


def test_a_stale_reply_is_never_read_as_the_current_status(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("zd421-203")
    engine = backend.device("zd421-203").engine
    with open_printer(ZD421_URI, usb_backend=backend) as printer:
        engine.set_faults(paper_out=True)
        printer.transport.write(b"~HS" * 5)  # 5 x 70 bytes of "paper out"; nobody reads them
        assert engine.wait_idle(1)
        engine.set_faults(paper_out=False)
        assert printer.status().ok  # the stale "paper out" frame was drained first


def test_a_full_printer_buffer_holds_the_host_back(emulated_usb: MakeBackend) -> None:
    # One label takes 100 s and the buffer holds nothing beyond the job being printed, so the
    # second job (or the status query before it) cannot get in: the host must wait.
    backend = emulated_usb("zd421-203", labels_per_second=0.01, buffer_bytes=1)
    engine = backend.device("zd421-203").engine
    printer = open_printer(ZD421_URI, usb_backend=backend, write_timeout_ms=100)
    with printer:
        jobs = [printer.encode(label_png(mark=i)) for i in range(2)]
        with pytest.raises(PrinterError) as info:
            printer.print_jobs(jobs)
    assert info.value.kind is PrinterErrorKind.TIMEOUT
    assert engine.stats.jobs_received == 1
    assert engine.state().printing


def test_opening_without_a_model_detaches_usblp_only_once(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("dymo-5xl")
    device = backend.device("dymo-5xl")
    with open_printer(URIS["dymo-5xl"], usb_backend=backend) as printer:
        assert printer.model.name == "dymo-5xl"
    assert (device.detach_count, device.attach_count) == (1, 1)
    assert device.kernel_driver_active


def test_a_long_lived_printer_reopens_after_replug(emulated_usb: MakeBackend) -> None:
    backend = emulated_usb("zd421-203")
    device = backend.device("zd421-203")
    png = label_png(mark=3)
    with open_printer(ZD421_URI, usb_backend=backend) as printer:
        job = printer.encode(png)
        device.engine.set_faults(drop_after_bytes=len(job) // 3)
        with pytest.raises(PrinterError) as info:
            printer.send_job(job)
        assert info.value.kind is PrinterErrorKind.DISCONNECTED
        with pytest.raises(PrinterError) as still_gone:
            printer.reopen()
        assert still_gone.value.kind is PrinterErrorKind.NOT_FOUND
        device.replug()
        printer.reopen()
        printer.send_job(job)
    assert device.engine.wait_idle(10)
    assert [p.bitmap.data for p in device.engine.printed] == [expected_page(png, "zd421-203")]
