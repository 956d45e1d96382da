"""Virtual printer: decodes each job like a real printer and keeps a PNG preview per label."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from printers.emulators.engine import EmulatedPrinter, PrintedLabel
from printers.emulators.presets import decoder_for
from printers.errors import PrinterError, PrinterErrorKind
from printers.models import PrinterModel, Protocol
from printers.status import (
    Dymo550Engine,
    build_dymo450_status,
    build_dymo550_status,
    build_epl_error,
    build_zebra_hs,
)
from printers.transports.base import (
    DEFAULT_READ_TIMEOUT_MS,
    DEFAULT_WRITE_TIMEOUT_MS,
    TransportBase,
)

VIRTUAL_DIR_ENV = "PACKDESK_VIRTUAL_PRINTER_DIR"
_PREVIEW = re.compile(r"^label-(\d{5})\.png$")


def virtual_printer_dir(name: str) -> Path:
    """Where virtual://NAME keeps its previews: $PACKDESK_VIRTUAL_PRINTER_DIR/NAME, else
    $PACKDESK_HOME/virtual-printers/NAME, else the user's data folder."""
    base = os.environ.get(VIRTUAL_DIR_ENV)
    if base:
        return Path(base) / name
    home = os.environ.get("PACKDESK_HOME")
    if home:
        return Path(home) / "virtual-printers" / name
    import platformdirs

    return platformdirs.user_data_path("Packdesk") / "virtual-printers" / name


def _ready_reply(model: PrinterModel) -> bytes:
    """A virtual printer never runs out of paper: always the model's idle status frame."""
    if model.family is Protocol.ZPL:
        return build_zebra_hs(label_length_dots=model.page_height_dots)
    if model.family is Protocol.EPL2:
        return build_epl_error(0)
    if model.family is Protocol.DYMO_LW:
        return build_dymo450_status()
    return build_dymo550_status(engine=Dymo550Engine.IDLE)


class VirtualTransport(TransportBase):
    """Prints into a folder: label-00001.png, label-00002.png, ... (numbering continues).

    It decodes with the same decoders the emulated printers use, so a job that would not
    print on the real model fails here too (PrinterError BAD_LABEL at flush/close).
    """

    bidirectional = True

    def __init__(self, name: str, model: PrinterModel, *, folder: Path | None = None) -> None:
        self.name = f"virtual://{name}"
        self.model = model
        self.folder = folder or virtual_printer_dir(name)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise PrinterError(
                PrinterErrorKind.ACCESS_DENIED,
                f"Cannot create the virtual printer folder {self.folder}: {exc.strerror}",
                hint=f"Set {VIRTUAL_DIR_ENV} to a folder you can write to.",
                device=self.name,
            ) from exc
        self.previews: list[Path] = []
        self._lock = threading.Lock()
        self._next = self._first_free_number()
        reply = _ready_reply(model)
        self._engine = EmulatedPrinter(
            model,
            decoder=decoder_for(model),
            responder=lambda _query, _state: reply,
            on_label=self._save,
            name=self.name,
        )
        self._errors_seen = 0
        self._save_errors_seen = 0

    def _first_free_number(self) -> int:
        numbers = [int(m.group(1)) for p in self.folder.iterdir() if (m := _PREVIEW.match(p.name))]
        return max(numbers, default=0) + 1

    def _save(self, label: PrintedLabel) -> None:
        if not label.bitmap.width or not label.bitmap.height:
            raise ValueError("the job printed a label with no area (0 lines or 0 dots wide)")
        with self._lock:
            path = self.folder / f"label-{self._next:05d}.png"
            self._next += 1
            label.bitmap.to_image().save(path, dpi=(self.model.dpi, self.model.dpi))
            self.previews.append(path)

    def write(self, data: bytes, timeout_ms: int = DEFAULT_WRITE_TIMEOUT_MS) -> None:
        sent = 0
        while sent < len(data):
            moved = self._engine.receive(data[sent:], timeout_ms / 1000)
            if moved == 0:
                raise PrinterError(
                    PrinterErrorKind.TIMEOUT, "The virtual printer took no data", device=self.name
                )
            sent += moved

    def read(self, n: int, timeout_ms: int = DEFAULT_READ_TIMEOUT_MS) -> bytes:
        return self._engine.take_reply(n, timeout_ms / 1000)

    def flush(self) -> None:
        """Wait until every job sent so far is decoded and saved; BAD_LABEL if one was not."""
        if not self._engine.wait_idle(timeout_s=60):
            raise PrinterError(
                PrinterErrorKind.TIMEOUT, "The virtual printer is still decoding", device=self.name
            )
        if self._engine.state().partial_job:
            raise PrinterError(
                PrinterErrorKind.BAD_LABEL,
                "The job never ended (no end-of-job command), so nothing printed",
                hint="A real printer would wait for the rest; check the file is complete.",
                device=self.name,
            )
        stats = self._engine.stats
        decode = stats.decode_errors[self._errors_seen :]
        saving = stats.callback_errors[self._save_errors_seen :]
        self._errors_seen += len(decode)
        self._save_errors_seen += len(saving)
        if decode or saving:
            problems = [f"does not decode as {self.model.family.value}: {e}" for e in decode]
            problems += [f"cannot be previewed: {e}" for e in saving]
            raise PrinterError(
                PrinterErrorKind.BAD_LABEL,
                "A job " + "; ".join(problems),
                hint="A real printer would print garbage or nothing; check the model and "
                f"that {self.folder} is writable.",
                device=self.name,
            )

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._engine.close()
