"""Round-trip conformance through the emulated printers: every corpus label, every emulated
model, over USB (the real pyusb path) and TCP 9100 for the Zebras. What the emulated printer
prints must be exactly the thresholded source in its place, and every barcode must scan."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import zxingcpp
from PIL import Image

from printers.emulators.tcp_server import EmulatedTcpPrinter
from printers.emulators.usb_backend import EmulatedBackend, backend_from_spec
from printers.imaging import Bitmap, RasterLabel, load_label, threshold_image
from printers.models import get_model
from printers.pipeline import page_bitmap
from printers.printer import open_printer
from tests.printers.corpus.make_corpus import CorpusLabel

# lp2844-z and the generic ZPL printers get ASCII-compressed ZPL; the emulators read `!` as
# the hex digit 1 (Zebrash's reading), so a label relying on `!` would not print exactly.
EMULATED = [
    "zd421-203",
    "zd421-300",
    "lp2844-z",
    "zpl-203",
    "zpl-300",
    "lp2844",
    "dymo-4xl",
    "dymo-5xl",
]
GS1_TEXT = "(420)10001(92)05590164917312751089"  # zxing's rendering of the corpus IMpb


def scan(bitmap: Bitmap) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(bitmap.to_image().convert("L"))]


@pytest.fixture(scope="module")
def usb_printers() -> Iterator[EmulatedBackend]:
    backend = backend_from_spec(",".join(EMULATED))
    yield backend
    backend.close()


def check_printed(printed: list[Bitmap], corpus: dict[str, CorpusLabel], model_name: str) -> None:
    model = get_model(model_name)
    names = list(corpus)
    assert len(printed) == len(names) + 1  # the first label was printed with 2 copies
    native = 0
    for name, bitmap in zip([names[0], *names], printed, strict=True):
        label = load_label(corpus[name].path.read_bytes(), model)
        assert isinstance(label, RasterLabel)
        assert bitmap == page_bitmap(label, model), (name, model_name)
        x, y = model.printable_x + label.x, model.printable_y + label.y
        assert bitmap.crop(x, y, label.bitmap.width, label.bitmap.height) == label.bitmap
        assert bitmap.black_dots() == label.bitmap.black_dots()  # nothing else is inked
        is_image = corpus[name].path.suffix.lower() != ".pdf"
        if is_image and corpus[name].dpi == model.dpi and not label.rotated and label.scale == 1:
            # Native dpi: the printed dots are the thresholded source itself.
            with Image.open(corpus[name].path) as source:
                assert label.bitmap == threshold_image(source), (name, model_name)
            native += 1
        assert scan(bitmap) == [GS1_TEXT], (name, model_name)
    assert native > 0  # at least one label at the printer's own dpi went through unchanged


@pytest.mark.parametrize("preset", EMULATED)
def test_every_corpus_label_prints_exactly_over_usb(
    preset: str, usb_printers: EmulatedBackend, label_corpus: dict[str, CorpusLabel]
) -> None:
    device = usb_printers.device(preset)
    ident = device.identity
    uri = f"usb://{ident.vendor_id:04x}:{ident.product_id:04x}?serial={ident.serial}"
    with open_printer(uri, usb_backend=usb_printers) as printer:
        assert printer.model.name == preset  # identified from the IEEE-1284 device id
        files = [label.path.read_bytes() for label in label_corpus.values()]
        jobs = [printer.encode(files[0], copies=2)] + [printer.encode(f) for f in files[1:]]
        printer.print_jobs(jobs)
    assert device.engine.wait_printed(len(files) + 1, 30)
    assert device.engine.stats.decode_errors == []
    check_printed([p.bitmap for p in device.engine.printed], label_corpus, preset)


@pytest.mark.parametrize("preset", ["zd421-203", "zd421-300", "zpl-203"])
def test_network_zebras_print_the_corpus_exactly(
    preset: str, label_corpus: dict[str, CorpusLabel]
) -> None:
    with EmulatedTcpPrinter.for_preset(preset) as server:
        with open_printer(server.uri) as printer:  # the model comes from ~HI
            assert printer.model.name == preset
            files = [label.path.read_bytes() for label in label_corpus.values()]
            jobs = [printer.encode(files[0], copies=2)] + [printer.encode(f) for f in files[1:]]
            printer.print_jobs(jobs)
        assert server.engine.wait_printed(len(files) + 1, 30)
        printed = [p.bitmap for p in server.engine.printed]
        assert server.engine.stats.decode_errors == []
    check_printed(printed, label_corpus, preset)


def test_raw_zpl_passes_through_byte_for_byte(usb_printers: EmulatedBackend) -> None:
    zpl = b"^XA^FO100,100^GB200,100,100^FS^XZ"
    device = usb_printers.device("zd421-203")
    before = device.engine.stats.bytes_received
    with open_printer("usb://0a5f:0185", usb_backend=usb_printers) as printer:
        assert printer.encode(zpl) == zpl
        result = printer.print_label(zpl)
    assert result.bytes_sent == len(zpl)
    assert device.engine.stats.bytes_received - before >= len(zpl)
