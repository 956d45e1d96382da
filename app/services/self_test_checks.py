"""The self-test's checks: what a packing desk needs, each tried for real in a scratch folder.

Nothing here touches the user's profiles, keyring entries or printers: the migration runs on
a temporary profile, the sandbox and the virtual printer live in the same temporary folder,
the keyring is asked which backend it would use (never for a key, which could pop up an
unlock prompt), and USB printers are listed without being opened.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import pkgutil
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.services.self_test import Check, SelfTestWarning

#: Modules loaded lazily or by name at run time, which a frozen build misses first.
LAZY_MODULES = (
    "easypost",
    "usb.backend.libusb1",
    "libusb_package",
    "keyring.backends.fail",
    "pypdfium2",
    "openpyxl",
    "reportlab.pdfbase.ttfonts",
)
#: Packages not imported by the imports check: Qt (its own child process) and Alembic's
#: migration scripts (Alembic loads them by path; importing env.py outside Alembic fails).
_NOT_IMPORTED = ("app.ui", "app.store.migrations", "app.resources")
QT_TIMEOUT_S = 20.0
#: Where the Qt child also writes its finding (see qt_check).
QT_REPORT_ENV = "PACKDESK_SELF_TEST_QT_REPORT"
_BUILD_FIX = "Reinstall Packdesk; if it persists, the build is missing this file: report it."


def desk_checks(scratch: Path, qt_command: Sequence[str]) -> list[Check]:
    """Every check, in the order a desk depends on them; all scratch files go in `scratch`."""
    sandbox, print_virtual = sandbox_and_print_checks(scratch)
    return [
        Check("imports", import_check),
        Check("migration", lambda: migration_check(scratch)),
        Check(
            "keyring",
            keyring_check,
            timeout_s=10.0,
            stuck_fix="The keyring service (D-Bus Secret Service or KWallet) does not answer: "
            "log out and in again, or set EASYPOST_API_KEY for Packdesk.",
        ),
        Check("usb", usb_check),
        Check("qt", lambda: qt_check(qt_command, scratch), timeout_s=QT_TIMEOUT_S + 5),
        sandbox,
        print_virtual,
        Check("pdf", lambda: pdf_check(scratch)),
    ]


def import_check() -> str:
    """Import every module of app (but the UI) and printers, and the lazily loaded libraries."""
    count = 0
    for package_name in ("app", "printers"):
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            name = info.name
            if name.endswith(".__main__") or name.startswith(_NOT_IMPORTED):
                continue
            _import(name)
            count += 1
    for name in LAZY_MODULES:
        _import(name)
    return f"{count} modules of app and printers, {len(LAZY_MODULES)} lazily loaded libraries"


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except ImportError as error:
        raise AppError(
            f"Cannot import {name}: {error}", hint=_BUILD_FIX, kind=ErrorKind.INTERNAL
        ) from error
    except Exception as error:  # a module that fails on import otherwise goes unnamed
        raise AppError(
            f"Importing {name} failed: {type(error).__name__}: {error}",
            hint=_BUILD_FIX,
            kind=ErrorKind.INTERNAL,
        ) from error


def migration_check(scratch: Path) -> str:
    """A new profile database gets every packaged migration; a database at the oldest schema
    is backed up and upgraded, as a desk's is on the first start of a new version."""
    from app.infra.paths import profile_paths
    from app.store import head_revision, open_store
    from app.store.migrate import known_revisions
    from app.store.older_schema import create_at_revision, oldest_revision

    head = head_revision()
    store = open_store(profile_paths("self-test", scratch).database)
    try:
        created = store.migration.revision
    finally:
        store.close()
    _at_head(created, head)
    finding = f"new profile database: {len(known_revisions())} migrations up to schema {head}"
    oldest = oldest_revision()
    if oldest == head:
        return finding
    older = profile_paths("self-test-upgrade", scratch).database
    older.parent.mkdir(parents=True, exist_ok=True)
    create_at_revision(older, oldest)
    store = open_store(older)
    try:
        migration = store.migration
    finally:
        store.close()
    _at_head(migration.revision, head)
    if migration.backup is None or not migration.backup.is_file():
        raise AppError(
            f"Upgrading a schema-{oldest} database kept no backup.",
            hint=_BUILD_FIX,
            kind=ErrorKind.DATABASE,
        )
    return f"{finding}; schema {oldest} upgraded, backup {migration.backup.name} kept"


def _at_head(revision: str, head: str) -> None:
    if revision != head:
        raise AppError(
            f"The database stopped at schema {revision}, not {head}.",
            hint=_BUILD_FIX,
            kind=ErrorKind.DATABASE,
        )


def keyring_check() -> str:
    """The keyring backend Packdesk would store the EasyPost key in (never read or written)."""
    import keyring
    from keyring.backends import chainer, fail

    from app.infra.secrets import ENV_API_KEY

    backend = keyring.get_keyring()
    names = [_backend_name(b) for b in getattr(backend, "backends", [backend])]
    if not isinstance(backend, fail.Keyring) and not (
        isinstance(backend, chainer.ChainerBackend) and not names
    ):
        return ", ".join(names)
    shipped = ", ".join(_shipped_backends()) or "none"
    if os.environ.get(ENV_API_KEY, "").strip():
        return f"no keyring backend usable here (shipped: {shipped}); {ENV_API_KEY} is set"
    raise SelfTestWarning(
        f"no keyring backend usable here (shipped: {shipped}), so the EasyPost key cannot "
        "be stored on this PC",
        _keyring_fix(),
    )


def _shipped_backends() -> list[str]:
    """This platform's keyring backends present in this installation, usable here or not."""
    candidates = {"win32": ("Windows",), "darwin": ("macOS",)}.get(
        sys.platform, ("SecretService", "libsecret", "kwallet")
    )
    found = []
    for module in candidates:
        try:
            importlib.import_module(f"keyring.backends.{module}")
        except ImportError:
            continue
        found.append(module)
    return found


def _backend_name(backend: object) -> str:
    priority = getattr(backend, "priority", None)
    label = getattr(backend, "name", type(backend).__name__)
    return f"{label} (priority {priority:g})" if isinstance(priority, int | float) else str(label)


def _keyring_fix() -> str:
    if sys.platform.startswith("linux"):
        return (
            "Log in to a desktop session with a keyring (GNOME Keyring or KWallet; "
            "`sudo apt install gnome-keyring`), or set EASYPOST_API_KEY for Packdesk "
            "(the sandbox and --demo need no key)."
        )
    return "Set EASYPOST_API_KEY for Packdesk (the sandbox and --demo need no key)."


def usb_check() -> str:
    """libusb loads (from libusb-package), and the label printers on the bus are listed."""
    import libusb_package
    import usb.core

    from printers.discovery import identify
    from printers.transports.usb import access_denied_hint, has_printer_interface, usb_uri

    backend = libusb_package.get_libusb1_backend()
    if backend is None:
        raise AppError(
            "libusb-1.0 could not be loaded, so USB printers cannot be used.",
            hint="Reinstall Packdesk (it ships libusb); on Linux `sudo apt install "
            "libusb-1.0-0` also works. Network (tcp://) and spooler printers still print.",
            kind=ErrorKind.PRINTER,
        )
    library = Path(str(libusb_package.get_library_path() or "libusb-1.0")).name
    seen: list[str] = []
    denied: list[int] = []
    for dev in usb.core.find(find_all=True, backend=backend):
        try:
            if not has_printer_interface(dev):
                continue
        except usb.core.USBError:
            continue  # a device that will not show its configuration is not ours to judge
        vid, pid = int(dev.idVendor), int(dev.idProduct)
        model, _cmd, _dpi = identify(vid, pid, "", _product(dev))
        seen.append(f"{usb_uri(dev, None)} {model.display_name if model else 'unknown model'}")
        if not _can_open(dev):
            denied.append(vid)
    found = "; ".join(seen) if seen else "no USB printer plugged in"
    queues = spooler_queues()
    if queues:
        found += f"; spooler queues (spool://NAME): {', '.join(queues)}"
    if denied:
        raise SelfTestWarning(
            f"{library}; {found}; this user may not open {len(denied)} of them",
            access_denied_hint(denied[0]),
        )
    return f"{library}; {found}"


def spooler_queues(run: Callable[..., Any] = subprocess.run) -> list[str]:
    """The OS print queues Packdesk could print to RAW (spool://NAME): the Windows spooler's
    printers, or CUPS destinations (`lpstat -e`). Empty when there is no spooler to ask."""
    if sys.platform == "win32":
        try:
            win32print = importlib.import_module("win32print")
        except ImportError:
            return []
        flags = win32print.PRINTER_ENUM_LOCAL | win32print.PRINTER_ENUM_CONNECTIONS
        return sorted(str(entry[2]) for entry in win32print.EnumPrinters(flags))
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return []
    try:
        done = run([lpstat, "-e"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return []
    return sorted(line.strip() for line in done.stdout.splitlines() if line.strip())


def _product(dev: Any) -> str:
    """The product string, when this user may read it (opening needs no driver detach)."""
    import usb.core
    import usb.util

    try:
        return str(usb.util.get_string(dev, dev.iProduct) or "") if dev.iProduct else ""
    except (usb.core.USBError, ValueError, NotImplementedError):
        return ""


def _can_open(dev: object) -> bool:
    """False when Linux's device node for `dev` is not writable by this user (no udev rule)."""
    bus, address = getattr(dev, "bus", None), getattr(dev, "address", None)
    if not sys.platform.startswith("linux") or not isinstance(bus, int):
        return True
    node = Path(f"/dev/bus/usb/{bus:03d}/{address:03d}")
    return not node.exists() or os.access(node, os.W_OK)


def qt_check(command: Sequence[str], scratch: Path | None = None) -> str:
    """Start Qt in a child process (a platform plugin that cannot load aborts the process).

    The child prints `qt: <finding>` and also writes it to the file named by
    $PACKDESK_SELF_TEST_QT_REPORT: a windowed Windows build may have no stdout to print to.
    Qt is told to log to stderr (on Windows it would go to the debugger otherwise).
    """
    with tempfile.TemporaryDirectory(prefix="qt-", dir=scratch, ignore_cleanup_errors=True) as tmp:
        report = Path(tmp) / "qt-report.txt"
        env = {**os.environ, QT_REPORT_ENV: str(report), "QT_FORCE_STDERR_LOGGING": "1"}
        try:
            done = subprocess.run(
                list(command),
                capture_output=True,
                text=True,
                timeout=QT_TIMEOUT_S,
                check=False,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        except subprocess.TimeoutExpired as error:
            raise AppError(
                f"Qt did not start within {QT_TIMEOUT_S:.0f} s.",
                hint="Check the display connection; on a PC without a screen run the "
                "self-test with QT_QPA_PLATFORM=offscreen.",
                kind=ErrorKind.INTERNAL,
            ) from error
        written = report.read_text(encoding="utf-8") if report.is_file() else ""
    lines = [
        line
        for line in (done.stdout or "").splitlines() + written.splitlines()
        if line.startswith("qt: ")
    ]
    if done.returncode == 0 and lines:
        return lines[-1].removeprefix("qt: ")
    raise AppError(
        f"Qt could not start (exit {done.returncode}): {_qt_reason(done.stderr or '')}",
        hint=_qt_fix(done.stderr or ""),
        kind=ErrorKind.INTERNAL,
    )


def _qt_reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    # Qt's own category lines (qt.qpa.*) name the cause; the generic abort text comes last.
    telling = [line for line in lines if line.startswith("qt.qpa")] or [
        line for line in lines if "plugin" in line.lower() or "error" in line.lower()
    ]
    return " / ".join((telling or lines)[:3])[:500] or "no message"


def _qt_fix(stderr: str) -> str:
    if not sys.platform.startswith("linux"):
        return "Reinstall Packdesk: its Qt plugins folder is incomplete."
    missing_library = "is needed" in stderr or "could not load" in stderr.lower()
    no_display = not (
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )
    if no_display and not missing_library:
        return (
            "There is no display here: run Packdesk in the desktop session, or check a "
            "PC without a screen with QT_QPA_PLATFORM=offscreen packdesk --self-test."
        )
    return (
        "Install the libraries Qt's xcb plugin needs: sudo apt-get install libegl1 libgl1 "
        "libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libxcb-cursor0 "
        "libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 "
        "libxcb-shape0 libxcb-xkb1 (QT_DEBUG_PLUGINS=1 names the missing one)."
    )


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
            f"The offline sandbox failed: {cause}", hint=_BUILD_FIX, kind=ErrorKind.INTERNAL
        ) from error
    finally:
        sandbox_log.removeHandler(errors)
    symbols = read_code128(Image.open(io.BytesIO(png)))
    tracking = [s for s in symbols if label.tracking_code in s.text.replace("\x1d", "")]
    if not tracking:
        raise AppError(
            f"The label bought for {label.tracking_code} does not scan back "
            f"(read: {[s.text for s in symbols] or 'no barcode'}).",
            hint=_BUILD_FIX,
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
                f"The virtual {model} printed nothing.", hint=_BUILD_FIX, kind=ErrorKind.PRINTER
            )
        with Image.open(previews[-1]) as printed:
            size = printed.size
            scanned = [s.text for s in read_code128(printed)]
        if barcode not in scanned:
            raise AppError(
                f"The label printed on the virtual {model} does not scan "
                f"(read: {scanned or 'no barcode'}).",
                hint=_BUILD_FIX,
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
            "The PDF reportlab wrote does not read back.", hint=_BUILD_FIX, kind=ErrorKind.INTERNAL
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
            hint=_BUILD_FIX,
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
