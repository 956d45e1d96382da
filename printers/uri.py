"""Printer addresses as URIs: usb://VID:PID, tcp://host:port, spool://QUEUE, file:///path, virtual://NAME."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from printers.errors import PrinterError, PrinterErrorKind

RAW_TCP_PORT = 9100
SCHEMES = ("usb", "tcp", "spool", "file", "virtual")

_NAME = re.compile(r"^(?!\.\.?$)[A-Za-z0-9._-]{1,64}$")
_HEX4 = re.compile(r"^[0-9a-fA-F]{4}$")
_EXAMPLES = (
    "usb://0a5f:0120, usb://0a5f:0120?serial=D4J123, tcp://192.168.1.50:9100, "
    "spool://Zebra_ZD421, file:///tmp/label.zpl, virtual://desk1"
)


@dataclass(frozen=True)
class PrinterUri:
    """One parsed printer address; `str()` gives back the canonical URI."""

    scheme: str
    vendor_id: int | None = None  # usb
    product_id: int | None = None  # usb
    serial: str | None = None  # usb
    host: str = ""  # tcp
    port: int = RAW_TCP_PORT  # tcp
    queue: str = ""  # spool
    path: Path | None = None  # file
    name: str = ""  # virtual
    options: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def __str__(self) -> str:
        query = ""
        if self.scheme == "usb":
            base = f"usb://{self.vendor_id:04x}:{self.product_id:04x}"
            if self.serial:
                query = f"?serial={self.serial}"
            return base + query
        if self.scheme == "tcp":
            host = f"[{self.host}]" if ":" in self.host else self.host
            return f"tcp://{host}:{self.port}"
        if self.scheme == "spool":
            return f"spool://{self.queue}"
        if self.scheme == "file":
            return f"file://{self.path.as_posix() if self.path else ''}"
        extra = "&".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"virtual://{self.name}" + (f"?{extra}" if extra else "")


def _bad(uri: str, why: str) -> PrinterError:
    return PrinterError(
        PrinterErrorKind.UNSUPPORTED,
        f"Cannot read printer address {uri!r}: {why}",
        hint=f"Use one of: {_EXAMPLES}",
        device=uri,
    )


def parse_uri(uri: str) -> PrinterUri:
    """Parse a printer URI; raises PrinterError(UNSUPPORTED) naming what is wrong."""
    text = uri.strip()
    if "://" not in text:
        raise _bad(uri, "it has no scheme")
    scheme = text.split("://", 1)[0].lower()
    if scheme not in SCHEMES:
        raise _bad(uri, f"unknown scheme {scheme!r} (known: {', '.join(SCHEMES)})")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise _bad(uri, str(exc)) from exc
    if any(ord(ch) < 32 or ch == "\x7f" for ch in unquote(text)):
        # A NUL or control character cannot name a queue, a file or a host.
        raise _bad(uri, "it contains a control character (such as %00)")
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    if scheme == "usb":
        return _parse_usb(uri, parts.netloc, query)
    if scheme == "tcp":
        return _parse_tcp(uri, parts.netloc)
    if scheme == "spool":
        queue = unquote(parts.netloc + parts.path).strip("/")
        if not queue:
            raise _bad(uri, "the queue name is empty")
        return PrinterUri("spool", queue=queue)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise _bad(uri, "a file URI needs three slashes: file:///path/to/out.bin")
        if not parts.path:
            raise _bad(uri, "the path is empty")
        return PrinterUri("file", path=Path(unquote(parts.path)))
    name = unquote(parts.netloc + parts.path).strip("/")
    if not name:
        raise _bad(uri, "the virtual printer needs a name, e.g. virtual://desk1")
    if not _NAME.match(name):
        # The name becomes a folder: no separators, no "..".
        raise _bad(uri, "a virtual printer name may use letters, digits, '.', '_' and '-'")
    return PrinterUri("virtual", name=name, options=query)


def _parse_usb(uri: str, netloc: str, query: dict[str, str]) -> PrinterUri:
    vid_text, sep, pid_text = netloc.partition(":")
    if not sep or not _HEX4.match(vid_text) or not _HEX4.match(pid_text):
        raise _bad(uri, "USB addresses are usb://VID:PID with 4 hex digits each")
    unknown = set(query) - {"serial"}
    if unknown:
        raise _bad(uri, f"unknown option(s) {', '.join(sorted(unknown))}; only serial= is known")
    serial = query.get("serial") or None
    return PrinterUri(
        "usb", vendor_id=int(vid_text, 16), product_id=int(pid_text, 16), serial=serial
    )


def _parse_tcp(uri: str, netloc: str) -> PrinterUri:
    if not netloc:
        raise _bad(uri, "the host is empty")
    if netloc.startswith("["):  # IPv6 literal
        host, _, rest = netloc[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port_text = netloc.partition(":")
    if not host:
        raise _bad(uri, "the host is empty")
    port = RAW_TCP_PORT
    if port_text:
        if not re.fullmatch(r"[0-9]{1,5}", port_text) or not 0 < int(port_text) < 65536:
            raise _bad(uri, f"port {port_text!r} is not a number from 1 to 65535")
        port = int(port_text)
    return PrinterUri("tcp", host=host, port=port)
