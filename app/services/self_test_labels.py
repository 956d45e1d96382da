"""The self-test's label and document checks: a sandbox buy whose label scans, that label
printed on virtual printers (scanned again), and a PDF in the fonts the documents embed.

All of it in the scratch folder: a private sandbox state, private virtual-printer folders.
"""

from __future__ import annotations

import io
import logging
from decimal import Decimal
from pathlib import Path

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.services.self_test import BUILD_FIX, Check


def sandbox_and_print_checks(scratch: Path) -> tuple[Check, Check]:
    """The sandbox round trip, then a print of the label it bought to the virtual printer."""
    bought: dict[str, object] = {}

    def sandbox() -> str:
        detail, label, data = sandbox_round_trip(scratch)
        bought.update(label=label, data=data)
        return detail

    def print_virtual() -> str:
        label = bought.get("label")
        if not isinstance(label, bytes):
            raise AppError(
                "Skipped: the sandbox check bought no label to print.",
                hint="Fix the sandbox check first.",
                kind=ErrorKind.INTERNAL,
            )
        return print_to_virtual_printer(scratch, label, str(bought["data"]))

    return Check("sandbox", sandbox), Check("print", print_virtual)


def sandbox_round_trip(scratch: Path) -> tuple[str, bytes, str]:
    """Create and buy a shipment on a scratch sandbox; decode the label's barcode.

    Returns the finding, the label PNG and the barcode data it must carry.
    """
    from PIL import Image

    from app.infra.secrets import SANDBOX_API_KEY
    from app.postage.gateway import EasyPostGateway, GatewayConfig
    from app.postage.models import ParcelSpec
    from app.postage.ratelimit import RetryPolicy
    from app.postage.sandbox.read_code128 import read_code128
    from app.postage.sandbox.server import SandboxServer

    fast_retry = RetryPolicy(base_delay=0.01, max_delay=0.05, jitter=0.0)

    errors = _ErrorsSeen()
    sandbox_log = logging.getLogger("app.postage.sandbox")
    sandbox_log.addHandler(errors)
    try:
        with SandboxServer(scratch / "sandbox-state.json") as server:
            # A local server: retry fast, its errors are not EasyPost's passing trouble.
            config = GatewayConfig(api_base=server.api_base, retry=fast_retry)
            gateway = EasyPostGateway(SANDBOX_API_KEY, config)
            try:
                quote = gateway.create_shipment(
                    to_address=_RECIPIENT,
                    from_address=_SENDER,
                    parcel=ParcelSpec(Decimal(12), None, Decimal(8), Decimal(6), Decimal(4)),
                    reference="self-test",
                )
                rate = min(quote.rates, key=lambda r: r.amount)
                label = gateway.buy(quote.shipment_id, rate.id, label_format="PNG")
                png = gateway.download(label.label_url)
            finally:
                gateway.close()
    except AppError as error:
        cause = errors.seen[-1] if errors.seen else error.message
        raise AppError(
            f"The offline sandbox failed: {cause}", hint=BUILD_FIX, kind=ErrorKind.INTERNAL
        ) from error
    finally:
        sandbox_log.removeHandler(errors)
    symbols = read_code128(Image.open(io.BytesIO(png)))
    tracking = [s for s in symbols if label.tracking_code in s.text.replace("\x1d", "")]
    if not tracking:
        raise AppError(
            f"The label bought for {label.tracking_code} does not scan back "
            f"(read: {[s.text for s in symbols] or 'no barcode'}).",
            hint=BUILD_FIX,
            kind=ErrorKind.INTERNAL,
        )
    return (
        f"{rate.service} ${rate.amount} bought, label {len(png) // 1024} KB PNG, barcode "
        f"{'GS1-128' if tracking[0].gs1 else 'Code 128'} scans as {label.tracking_code} "
        "(Packdesk's own Code 128 reader; zxing-cpp is a test dependency only)",
        png,
        tracking[0].text,
    )


class _ErrorsSeen(logging.Handler):
    """Collects what the in-process sandbox logs as errors (the cause behind its HTTP 500)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        failure = record.exc_info[1] if record.exc_info else None
        self.seen.append(
            f"{type(failure).__name__}: {failure}" if failure is not None else record.getMessage()
        )


#: Virtual printers the label goes to: a Zebra (ZPL) and a DYMO (the 550 series' raster).
VIRTUAL_MODELS = ("zd421-203", "dymo-5xl")


def print_to_virtual_printer(scratch: Path, label: bytes, barcode: str) -> str:
    """Print `label` to each virtual printer of VIRTUAL_MODELS (the printer decodes the job
    as the real model would) and scan the printed bitmap's barcode."""
    from PIL import Image

    from app.postage.sandbox.read_code128 import read_code128
    from printers.printer import open_printer

    found = []
    for model in VIRTUAL_MODELS:
        folder = scratch / "virtual-printers" / model
        with open_printer(f"virtual://{model}", model, virtual_dir=folder) as printer:
            result = printer.print_label(label)
            language = printer.model.family.value
        previews = sorted(folder.rglob("label-*.png"))
        if not previews:
            raise AppError(
                f"The virtual {model} printed nothing.", hint=BUILD_FIX, kind=ErrorKind.PRINTER
            )
        with Image.open(previews[-1]) as printed:
            size = printed.size
            scanned = [s.text for s in read_code128(printed)]
        if barcode not in scanned:
            raise AppError(
                f"The label printed on the virtual {model} does not scan "
                f"(read: {scanned or 'no barcode'}).",
                hint=BUILD_FIX,
                kind=ErrorKind.PRINTER,
            )
        found.append(
            f"{model} ({language}, {result.bytes_sent // 1024} KB) {size[0]}x{size[1]} dots"
        )
    return f"{'; '.join(found)}; the printed barcodes scan"


def pdf_check(scratch: Path) -> str:
    """Render a page with reportlab in every font Packdesk's PDFs use, then read it back."""
    import pypdfium2
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    font_files = _document_fonts()
    names = ["Helvetica"]
    for path in font_files:
        name = f"SelfTest-{path.stem}"
        # A .ttc is a collection: its first face stands for the file.
        pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        names.append(name)
    target = scratch / "self-test.pdf"
    canvas = Canvas(str(target), pagesize=letter)
    for n, name in enumerate(names):
        canvas.setFont(name, 12)
        canvas.drawString(72, 720 - 18 * n, f"Packdesk self-test: {name} Zoë Ørsted 12345")
    canvas.showPage()
    canvas.save()
    document = pypdfium2.PdfDocument(str(target))
    try:
        text = document[0].get_textpage().get_text_range()
        pages = len(document)
    finally:
        document.close()
    if "Packdesk self-test" not in text:
        raise AppError(
            "The PDF reportlab wrote does not read back.", hint=BUILD_FIX, kind=ErrorKind.INTERNAL
        )
    return (
        f"{pages} page, {target.stat().st_size // 1024} KB, read back with pdfium; "
        f"{len(font_files)} TrueType fonts embedded ({', '.join(p.name for p in font_files)})"
    )


_FONT_FILES = (".ttf", ".ttc")  # what reportlab embeds (TrueType and TrueType collections)


def _document_fonts() -> list[Path]:
    """The TrueType fonts PDFs and labels embed: the sandbox label fonts (reportlab's Vera)
    and every font shipped under app.resources (e.g. resources/fonts)."""
    import app.resources
    from app.postage.sandbox.render_layout import FONT_FILES

    found = [FONT_FILES[False], FONT_FILES[True]]
    for folder in app.resources.__path__:
        found += sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in _FONT_FILES)
    missing = [str(path) for path in found if not path.is_file()]
    if missing:
        raise AppError(
            f"Font files are missing: {', '.join(missing)}",
            hint=BUILD_FIX,
            kind=ErrorKind.INTERNAL,
        )
    return found


_SENDER = Address(
    name="Packdesk Self Test",
    street1="417 Montgomery St",
    city="San Francisco",
    state="CA",
    postal_code="94104",
    country="US",
    phone="4155550100",
)
_RECIPIENT = Address(
    name="Self Test",
    street1="1 Main St",
    city="Boston",
    state="MA",
    postal_code="02108",
    country="US",
)
