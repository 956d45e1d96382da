"""Labels on plain paper for desks without a label printer: a batch's stored label files at
exact 4x6 scale, each international label followed by its customs form, then the SCAN forms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import DOMESTIC_COUNTRIES
from app.services.bulk import cyclic_gc_paused
from app.services.label_files import write_atomically
from app.store import Store
from app.store.documents_repo import LabelFile

if TYPE_CHECKING:  # reportlab and Pillow load when labels are laid out, not with the window
    from app.documents.paper_labels import PaperItem

#: A 4x6 label's width: a stored label image is scaled to it (its height follows the image).
LABEL_WIDTH_IN = 4.0


class FormSource(Protocol):
    """What printing customs forms needs of the gateway (only when a form is not stored)."""

    def retrieve_shipment(self, shipment_id: str) -> object: ...

    def download(self, url: str) -> bytes: ...


@dataclass(frozen=True, slots=True)
class PaperRun:
    """What went on paper."""

    path: Path
    labels: int
    customs_forms: int
    scan_form_pages: int

    def to_json(self) -> dict[str, object]:
        return {
            "pdf": str(self.path),
            "labels": self.labels,
            "customs_forms": self.customs_forms,
            "scan_form_pages": self.scan_form_pages,
        }


def customs_form_path(label: LabelFile) -> Path | None:
    """Where a label's customs form is kept, beside its label file."""
    stored = label.label_path or label.preview_path
    if not stored:
        return None
    path = Path(stored)
    return path.with_name(path.name.split(".")[0] + ".customs.pdf")


class PaperLabelService:
    """One use case for `packdesk-cli print --paper` and the panels' "Labels on paper"."""

    def __init__(self, store: Store, forms: Callable[[], FormSource] | None = None) -> None:
        self._store = store
        self._forms = forms  # the gateway, built only when a customs form must be fetched

    def items(self, batch: str, *, scan_forms: bool = True) -> tuple[list[PaperItem], int, int]:
        """The batch's labels (and forms) to print, with the customs form and SCAN form counts.

        Raises:
            AppError: NOT_FOUND for an unknown batch, a label without a stored image, or an
                international label whose customs form can be neither found nor fetched.
        """
        from app.documents.bitmaps import pdf_pages
        from app.documents.paper_labels import PaperItem

        with self._store.transaction() as tx:
            batch_id = tx.documents.batch_id(batch)
            if batch_id is None:
                raise AppError(
                    f"There is no batch {batch}.",
                    hint="See `packdesk-cli batches` for the batch references.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"batch": batch},
                )
            labels = tx.documents.label_files(batch_id)
            forms = tx.documents.scan_form_files(batch_id) if scan_forms else []
        items: list[PaperItem] = []
        customs = pages = 0
        with cyclic_gc_paused():
            for label in labels:
                items.append(self._label_item(label))
                if label.country not in DOMESTIC_COUNTRIES:
                    for bitmap, width, height in pdf_pages(self._customs_form(label)):
                        items.append(
                            PaperItem(
                                bitmap,
                                width,
                                height,
                                f"customs form, order {label.order_external_id}",
                            )
                        )
                    customs += 1
        for easypost_id, form_path in forms:
            if not form_path or not Path(form_path).is_file():
                raise AppError(
                    f"SCAN form {easypost_id} has no PDF here.",
                    hint="Leave SCAN forms out (--no-scan-form), or create the form again.",
                    kind=ErrorKind.NOT_FOUND,
                )
            for bitmap, width, height in pdf_pages(Path(form_path)):
                items.append(PaperItem(bitmap, width, height, full_page=True))
                pages += 1
        if not labels and not pages:
            raise AppError(
                f"Batch {batch} has no live labels to print.",
                hint="Refunded labels are never printed; see `packdesk-cli batches show`.",
                kind=ErrorKind.NOT_FOUND,
            )
        return items, customs, pages

    def write(
        self,
        path: Path,
        batch: str,
        *,
        paper: str = "letter",
        per_sheet: int = 1,
        scan_forms: bool = True,
        overwrite: bool = False,
    ) -> PaperRun:
        """Write the batch's labels on `paper` sheets as one PDF at `path`."""
        if per_sheet not in (1, 2):
            raise AppError("Labels go one or two to a sheet.", hint="Pass --per-sheet 1 or 2.")
        items, customs, pages = self.items(batch, scan_forms=scan_forms)
        from app.documents import paper_labels

        paper_labels.write(items, path, paper=paper, per_sheet=per_sheet, overwrite=overwrite)
        labels = len(items) - pages - sum(1 for i in items if i.caption.startswith("customs"))
        return PaperRun(path, labels, customs, pages)

    @staticmethod
    def _label_item(label: LabelFile) -> PaperItem:
        from app.documents.bitmaps import open_bitmap, pdf_pages
        from app.documents.paper_labels import PaperItem

        candidates = [p for p in (label.preview_path, label.label_path) if p]
        image_path = next(
            (Path(p) for p in candidates if Path(p).suffix.lower() in (".png", ".gif", ".jpg")),
            None,
        )
        caption = f"order {label.order_external_id}  {label.tracking_code}"
        if image_path is not None and image_path.is_file():
            bitmap = open_bitmap(image_path)
            height_in = LABEL_WIDTH_IN * bitmap.height / bitmap.width
            return PaperItem(bitmap, LABEL_WIDTH_IN, height_in, caption)
        pdf_path = next((Path(p) for p in candidates if p.lower().endswith(".pdf")), None)
        if pdf_path is not None and pdf_path.is_file():
            bitmap, width_in, height_in = pdf_pages(pdf_path)[0]
            return PaperItem(bitmap, width_in, height_in, caption)
        raise AppError(
            f"The label file of order {label.order_external_id} ({label.tracking_code}) is "
            "missing, so it cannot go on paper.",
            hint="Reprint it to the label printer queue, which fetches it again, or refund it.",
            kind=ErrorKind.NOT_FOUND,
            details={"label_id": label.label_id},
        )

    def _customs_form(self, label: LabelFile) -> bytes | Path:
        stored = customs_form_path(label)
        if stored is not None and stored.is_file():
            return stored
        if self._forms is None:
            raise _no_form(label)
        gateway = self._forms()
        record = gateway.retrieve_shipment(label.shipment_id)
        urls = [url for _kind, url in getattr(record, "forms", ())]
        if not urls:
            raise _no_form(label)
        data = gateway.download(urls[0])
        if stored is not None:
            write_atomically(stored, data)  # next time, no network
        return data


def _no_form(label: LabelFile) -> AppError:
    return AppError(
        f"The customs form of order {label.order_external_id} ({label.tracking_code}) is "
        "not here and EasyPost has none for it.",
        hint="Check the label in EasyPost; an international parcel must not leave without it.",
        kind=ErrorKind.CUSTOMS,
        details={"label_id": label.label_id},
    )
