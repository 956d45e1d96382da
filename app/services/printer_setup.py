"""Printer setup: the one set of rules for adding, removing and choosing label printers.

`packdesk-cli printers ...` and the Setup panel both call PrinterSetupService, so a printer the
CLI refuses the GUI refuses too (URI and model checked, duplicates refused, the same default
after a removal).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.printing import QueueState
from app.infra.settings import ConfiguredPrinter, PrinterSettings, Settings
from app.services.print_queue import QueueStatus, printer_app_error
from printers.discovery import FoundPrinter
from printers.errors import PrinterError
from printers.media import MEDIA, get_media
from printers.models import MODELS
from printers.printer import Printer
from printers.uri import parse_uri

#: Formats a label can be bought in for a printer ("" = the profile's label format).
PRINTER_LABEL_FORMATS = ("", "PNG", "ZPL", "EPL2")
#: Label stock a desk loads (printers.media: die-cut or continuous; USPS labels are 4x6).
MEDIA_CHOICES = tuple(MEDIA)


class SettingsFile(Protocol):
    """What the service needs of app.infra.settings.SettingsStore."""

    def load(self) -> Settings: ...

    def update_printers(self, printers: PrinterSettings) -> Settings: ...


class RunningQueue(Protocol):
    """A print queue of this process (app.services.print_queue.PrintQueue)."""

    def status(self) -> QueueStatus: ...


OpenPrinter = Callable[[str, str | None], Printer]
RunningQueues = Callable[[], Sequence[RunningQueue]]
Discover = Callable[[], Sequence[FoundPrinter]]
TestLabel = Callable[[Printer], bytes]


@dataclass(frozen=True, slots=True)
class PrinterCheck:
    """A printer's live status, as the panel and `printers status` show it."""

    name: str
    uri: str
    model: str
    state: str
    ok: bool
    message: str
    problems: tuple[str, ...] = ()


# -- the rules (pure: settings in, settings out) ---------------------------------------------


def canonical_printer_uri(uri: str) -> str:
    """One spelling per printer; AppError PRINTER naming what is wrong with the URI."""
    try:
        return str(parse_uri(uri))
    except PrinterError as error:
        raise printer_app_error(error) from None


def check_model(model: str) -> str:
    model = model.strip()
    if model and model not in MODELS:
        raise AppError(
            f"Unknown printer model {model!r}.",
            hint="Use one of: " + ", ".join(MODELS),
            kind=ErrorKind.INVALID_INPUT,
            details={"model": model},
        )
    return model


def check_label_format(label_format: str) -> str:
    fmt = label_format.strip().upper()
    if fmt not in PRINTER_LABEL_FORMATS:
        raise AppError(
            f"{label_format!r} is not a label format for a printer.",
            hint="Use PNG, ZPL or EPL2 (or leave it empty for the profile's format).",
            kind=ErrorKind.INVALID_INPUT,
        )
    return fmt


def check_media(media: str) -> str:
    """`media` when it is stock the printers know ("" = the 4x6 die-cut roll)."""
    media = media.strip()
    try:
        get_media(media)
    except PrinterError:
        raise AppError(
            f"{media!r} is not label media Packdesk knows.",
            hint="Use one of: " + ", ".join(MEDIA),
            kind=ErrorKind.INVALID_INPUT,
            details={"media": media},
        ) from None
    return media


def check_name(name: str) -> str:
    name = name.strip()
    if not name or "://" in name:
        raise AppError(
            f"{name!r} is not a printer name.",
            hint="Use a short name without '://', e.g. desk-zebra.",
            kind=ErrorKind.INVALID_INPUT,
        )
    return name


def with_printer(
    settings: PrinterSettings, printer: ConfiguredPrinter, *, make_default: bool = False
) -> PrinterSettings:
    """`settings` plus `printer`: name, URI and model checked; a name or URI used twice is
    refused; the first printer (or `make_default`) becomes the default."""
    added = ConfiguredPrinter(
        check_name(printer.name),
        canonical_printer_uri(printer.uri),
        check_model(printer.model),
        check_label_format(printer.label_format),
        check_media(printer.media),
    )
    for existing in settings.configured:
        if existing.name == added.name or _same_uri(existing.uri, added.uri):
            raise AppError(
                f"{existing.name} ({existing.uri}) is configured already.",
                hint="Remove it first, or choose another name.",
                kind=ErrorKind.CONFLICT,
                details={"printer": existing.name},
            )
    first = not settings.configured
    return dataclasses.replace(
        settings,
        configured=(*settings.configured, added),
        default=added.name if make_default or first or not settings.default else settings.default,
    )


def without_printer(settings: PrinterSettings, name: str) -> PrinterSettings:
    """`settings` without `name`; when it was the default, the first printer left is."""
    kept = tuple(p for p in settings.configured if p.name != name)
    if len(kept) == len(settings.configured):
        raise AppError(
            f"There is no printer called {name!r}.",
            hint="See the configured printers with `packdesk-cli printers list`.",
            kind=ErrorKind.NOT_FOUND,
            details={"printer": name},
        )
    default = settings.default
    current = settings.find(default) if default else None
    unconfigured_uri = current is None and "://" in default  # a URI default stays as it was
    if not unconfigured_uri and (current is None or current.name == name):
        default = kept[0].name if kept else ""
    return dataclasses.replace(settings, configured=kept, default=default)


def with_default(settings: PrinterSettings, name_or_uri: str) -> PrinterSettings:
    """`settings` printing on `name_or_uri` by default (a configured name, or a valid URI)."""
    chosen = settings.resolve(name_or_uri)  # NOT_FOUND for an unknown name
    if chosen.uri == chosen.name:
        canonical_printer_uri(chosen.uri)
    return dataclasses.replace(settings, default=chosen.name)


def with_options(
    settings: PrinterSettings, name: str, *, model: str, label_format: str, media: str
) -> PrinterSettings:
    """`settings` with `name`'s model, label format and media changed."""
    if all(p.name != name for p in settings.configured):
        raise AppError(f"There is no printer called {name!r}.", kind=ErrorKind.NOT_FOUND)
    changed = tuple(
        dataclasses.replace(
            p,
            model=check_model(model),
            label_format=check_label_format(label_format),
            media=check_media(media),
        )
        if p.name == name
        else p
        for p in settings.configured
    )
    return dataclasses.replace(settings, configured=changed)


def _same_uri(a: str, b: str) -> bool:
    try:
        return canonical_printer_uri(a) == canonical_printer_uri(b)
    except AppError:
        return a == b


# -- the service (the rules plus the settings file and the printers) ------------------------


class PrinterSetupService:
    """Configured printers: list, add, remove, default, options, live status, test label."""

    def __init__(
        self,
        settings: SettingsFile,
        open_printer: OpenPrinter,
        *,
        discover: Discover | None = None,
        test_label: TestLabel | None = None,
        running_queues: RunningQueues | None = None,
    ) -> None:
        self._settings = settings
        self._open = open_printer
        self._running_queues = running_queues
        self._discover = discover
        self._test_label = test_label

    def printers(self) -> PrinterSettings:
        return self._settings.load().printers

    def _change(self, change: Callable[[PrinterSettings], PrinterSettings]) -> PrinterSettings:
        return self._settings.update_printers(change(self.printers())).printers

    def add(
        self,
        name: str,
        uri: str,
        model: str = "",
        *,
        make_default: bool = False,
        label_format: str = "",
        media: str = "",
    ) -> PrinterSettings:
        printer = ConfiguredPrinter(name, uri, model, label_format, media)
        return self._change(lambda s: with_printer(s, printer, make_default=make_default))

    def remove(self, name: str) -> PrinterSettings:
        return self._change(lambda s: without_printer(s, name))

    def set_default(self, name_or_uri: str) -> PrinterSettings:
        return self._change(lambda s: with_default(s, name_or_uri))

    def set_options(
        self, name: str, *, model: str = "", label_format: str = "", media: str = ""
    ) -> PrinterSettings:
        return self._change(
            lambda s: with_options(s, name, model=model, label_format=label_format, media=media)
        )

    def discover(self) -> list[FoundPrinter]:
        """USB label printers on this desk (seconds on a busy bus: call it on a worker)."""
        if self._discover is None:
            return []
        try:
            return list(self._discover())
        except PrinterError as error:
            raise printer_app_error(error) from None

    def status(self, name_or_uri: str | None = None) -> PrinterCheck:
        """Ask the printer how it is (the default printer when none is named)."""
        printer = self.printers().resolve(name_or_uri)
        from_queue = self._queue_status(printer.uri)
        if from_queue is not None and from_queue.printer_status is not None:
            # A queue of this process holds the printer: its last answer, not a second open
            # (a USB printer can be claimed by one handle only).
            status = from_queue.printer_status
            return PrinterCheck(
                printer.name,
                printer.uri,
                from_queue.model or printer.model,
                status.state.value,
                status.ok,
                status.message or status.state.value,
                tuple(p.value for p in status.problems),
            )
        try:
            with self._open(printer.uri, printer.model or None) as opened:
                status = opened.status()
                model = opened.model.name
        except PrinterError as error:
            raise printer_app_error(error) from None
        return PrinterCheck(
            printer.name,
            printer.uri,
            model,
            status.state.value,
            status.ok,
            status.message or status.state.value,
            tuple(p.value for p in status.problems),
        )

    def _queue_status(self, uri: str) -> QueueStatus | None:
        if self._running_queues is None:
            return None
        wanted = canonical_printer_uri(uri)
        for queue in self._running_queues():
            status = queue.status()
            if canonical_printer_uri(status.printer_uri) == wanted:
                return status
        return None

    def print_test_label(self, name_or_uri: str | None = None) -> str:
        """Print one calibration label on the printer; returns what was printed on."""
        from printers.calibration import calibration_label_png

        make = self._test_label or (lambda opened: calibration_label_png(opened.model))
        printer = self.printers().resolve(name_or_uri)
        queue = self._queue_status(printer.uri)
        if queue is not None and queue.state is QueueState.PRINTING:
            raise AppError(
                f"{printer.name} is printing labels from the print queue.",
                hint="Print the test label when the queue is idle (or pause it first).",
                kind=ErrorKind.CONFLICT,
                details={"printer": printer.name},
            )
        try:
            media = get_media(printer.media) if printer.media.strip() else None
            with self._open(printer.uri, printer.model or None) as opened:
                opened.print_label(make(opened), media=media)
        except PrinterError as error:
            raise printer_app_error(error) from None
        return printer.name
