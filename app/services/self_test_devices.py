"""The self-test's device checks: libusb and the printers in sight, and Qt in a child process.

USB printers are listed without being opened (no driver is detached, no job disturbed); the
spooler queues are asked for their names only.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.domain.errors import AppError, ErrorKind
from app.services.self_test import BUILD_FIX, SelfTestWarning

QT_TIMEOUT_S = 20.0
#: Where the Qt child also writes its finding (see qt_check).
QT_REPORT_ENV = "PACKDESK_SELF_TEST_QT_REPORT"


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
    # The child's own findings (Qt started, something of the bundle did not load).
    found = [line for line in (done.stderr or "").splitlines() if line.startswith("error: ")]
    if found:
        raise AppError(
            f"Qt started, but {found[-1].removeprefix('error: ')}",
            hint=BUILD_FIX,
            kind=ErrorKind.INTERNAL,
        )
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
