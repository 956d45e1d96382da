"""Label files on disk: the bought format plus a PNG preview, written atomically, so reprints
need no network."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.postage.models import PurchasedLabel

_EXTENSIONS = {"PNG": "png", "PDF": "pdf", "ZPL": "zpl", "EPL2": "epl"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class LabelSource(Protocol):
    """What label files need of the gateway."""

    def download(self, url: str) -> bytes: ...

    def convert_label(self, shipment_id: str, label_format: str) -> PurchasedLabel: ...


@dataclass(frozen=True, slots=True)
class StoredLabelFiles:
    """Where a label's files are: the bought format, and a PNG for previews."""

    label_path: Path
    preview_path: Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` so a crash leaves the old file or the new one, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class LabelFiles:
    """Stores bought labels under `root/<batch>/`, named by order and tracking number."""

    def __init__(self, root: Path, source: LabelSource) -> None:
        self.root = root
        self._source = source

    def paths_for(
        self, batch_reference: str, order_ref: str, tracking_code: str, label_format: str
    ) -> StoredLabelFiles:
        folder = self.root / _UNSAFE.sub("_", batch_reference or "no-batch")
        stem = f"{_UNSAFE.sub('_', order_ref)}-{_UNSAFE.sub('_', tracking_code)}"
        ext = _EXTENSIONS.get(label_format.upper(), label_format.lower())
        label_path = folder / f"{stem}.{ext}"
        preview = label_path if ext == "png" else folder / f"{stem}.preview.png"
        return StoredLabelFiles(label_path, preview)

    def save(
        self, label: PurchasedLabel, *, batch_reference: str, order_ref: str
    ) -> StoredLabelFiles:
        """Download the label (and a PNG preview) and write both atomically.

        Raises:
            AppError: NOT_FOUND when EasyPost has no file for the label; NETWORK when it
                cannot be fetched (the label stays bought; `save` can be called again).
        """
        fmt = label.label_format.upper()
        paths = self.paths_for(batch_reference, order_ref, label.tracking_code, fmt)
        if not label.label_url:
            raise AppError(
                f"EasyPost gave no {fmt} file for label {label.tracking_code}.",
                hint="Reprint from the preview, or convert the label again later.",
                kind=ErrorKind.NOT_FOUND,
                details={"shipment_id": label.shipment_id},
            )
        write_atomically(paths.label_path, self._source.download(label.label_url))
        if paths.preview_path != paths.label_path:
            png_url = label.label_urls.get("PNG", "")
            if not png_url:
                png_url = self._source.convert_label(label.shipment_id, "PNG").label_url
            write_atomically(paths.preview_path, self._source.download(png_url))
        return paths
