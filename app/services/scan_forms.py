"""SCAN forms: one USPS manifest per batch or per from-address for today's labels, kept as PDF."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from app.domain.after_labels import ManifestCandidate, plan_scan_forms
from app.domain.errors import AppError, ErrorKind
from app.services.audit import AuditAction, AuditLog
from app.services.clock import Clock, local_date, local_day_bounds, utc_now
from app.services.lazy import Lazy
from app.store import Store
from app.store.scan_forms_repo import StoredScanForm
from app.store.shipping_repo import LabelFacts

if TYPE_CHECKING:  # the gateway (easypost, requests) loads with the service, not the window
    from app.postage.gateway import EasyPostGateway

_log = logging.getLogger(__name__)

#: URI schemes of 4x6 label printers (printers.printer.open_printer): no letter pages there.
LABEL_PRINTER_SCHEMES = frozenset({"usb", "tcp", "virtual"})


@dataclass(frozen=True, slots=True)
class ScanFormResult:
    """One SCAN form made (or that failed), with the labels it holds."""

    id: int
    easypost_id: str
    status: str  # created | failed
    from_address_key: str
    label_count: int
    batch: str | None
    form_path: str | None
    message: str = ""


@dataclass(frozen=True, slots=True)
class ScanFormRun:
    """What one `scanform` request made, and which labels it left out and why."""

    forms: tuple[ScanFormResult, ...]
    excluded: tuple[tuple[int, str, str], ...]  # (label id, tracking code, reason)

    @property
    def failed(self) -> tuple[ScanFormResult, ...]:
        return tuple(form for form in self.forms if form.status != "created")


@dataclass(frozen=True, slots=True)
class PrintedForm:
    """Where a SCAN form went."""

    path: Path
    destination: str


def _candidate(label: LabelFacts) -> ManifestCandidate:
    return ManifestCandidate(
        label_id=label.label_id,
        shipment_id=label.shipment_id,
        from_address_key=label.from_address_key,
        status=label.status,
        bought_at=label.bought_at,
        scan_form_ref=label.scan_form_easypost_id or "",
    )


class ScanFormService:
    """Creates SCAN forms following EasyPost's rules and keeps their PDFs."""

    def __init__(
        self,
        store: Store,
        gateway: EasyPostGateway | Callable[[], EasyPostGateway],
        audit: AuditLog,
        documents: Path,
        *,
        clock: Clock = utc_now,
        poll_interval: float = 2.0,
        timeout: float = 120.0,
        zone: tzinfo | None = None,
    ) -> None:
        """`gateway`: the gateway or a function building it (listing and printing forms need
        no API key; creating, resuming and reconciling forms build it). `zone`: the desk's
        time zone, whose day is "today" (None: the operating system's)."""
        self._store = store
        self._gateway = Lazy(gateway)  # built by the calls that reach EasyPost, not by lists
        self._audit = audit
        self._folder = documents / "scan_forms"
        self._clock = clock
        self._zone = zone
        self._poll_interval = poll_interval
        self._timeout = timeout

    # -- creating ------------------------------------------------------------------------------

    def for_batch(
        self, batch: str, *, on_progress: Callable[[ScanFormResult], None] | None = None
    ) -> ScanFormRun:
        """SCAN forms for a batch's live, unmanifested labels (one per from-address).

        Raises:
            AppError: NOT_FOUND for an unknown batch; CONFLICT when no label can go on a form.
        """
        with self._store.transaction() as tx:
            batch_id = tx.shipping.batch_id_by_reference(batch)
            if batch_id is None:
                raise AppError(
                    f"No batch {batch} is recorded.",
                    hint="See `packdesk-cli batches` for today's batches.",
                    kind=ErrorKind.NOT_FOUND,
                )
            labels = tx.shipping.labels_for_batch(batch_id)
        return self._run(labels, batch_id, batch, None, on_progress)

    def for_today(
        self,
        *,
        from_address_key: str | None = None,
        on_progress: Callable[[ScanFormResult], None] | None = None,
    ) -> ScanFormRun:
        """SCAN forms for all of today's live labels on no form yet, one per from-address.

        Today is the desk's local day, not UTC's.
        """
        start, end = local_day_bounds(self._today(), self._zone)
        with self._store.transaction() as tx:
            labels = tx.shipping.labels_bought_between(start, end)
        if from_address_key is not None:
            names = self.from_address_names()
            by_name = {name.casefold(): key for key, name in names.items()}
            from_address_key = by_name.get(from_address_key.casefold(), from_address_key)
            keys = {label.from_address_key for label in labels}
            if from_address_key not in keys:
                shown = sorted(names.get(key, key) for key in keys)
                raise AppError(
                    f"No label bought today ships from {from_address_key!r}.",
                    hint=f"Today's from-addresses: {', '.join(shown) or 'none'}.",
                    kind=ErrorKind.NOT_FOUND,
                )
        return self._run(labels, None, None, from_address_key, on_progress)

    def _today(self) -> date:
        return local_date(self._clock(), self._zone)

    def _run(
        self,
        labels: list[LabelFacts],
        batch_id: int | None,
        batch: str | None,
        from_address_key: str | None,
        on_progress: Callable[[ScanFormResult], None] | None,
    ) -> ScanFormRun:
        plan = plan_scan_forms(
            [_candidate(label) for label in labels],
            self._today(),
            day_of=lambda at: local_date(at, self._zone),
            from_address_key=from_address_key,
        )
        codes = {label.label_id: label.tracking_code for label in labels}
        excluded = tuple(
            (candidate.label_id, codes[candidate.label_id], reason)
            for candidate, reason in plan.excluded
        )
        if not plan.forms:
            reasons = "; ".join(f"{code}: {reason}" for _, code, reason in excluded[:5])
            raise AppError(
                "No label can go on a SCAN form"
                + (f" ({len(excluded)} left out: {reasons})." if excluded else ": none bought."),
                hint="A SCAN form takes today's live labels that are on no other form.",
                kind=ErrorKind.CONFLICT,
                details={"batch": batch or "", "excluded": len(excluded)},
            )
        results: list[ScanFormResult] = []
        for origin, members in plan.forms:
            for result in self._create(origin, members, batch_id, batch):
                results.append(result)
                if on_progress is not None:
                    on_progress(result)
        return ScanFormRun(tuple(results), excluded)

    def _create(
        self,
        origin: str,
        members: tuple[ManifestCandidate, ...],
        batch_id: int | None,
        batch: str | None,
    ) -> list[ScanFormResult]:
        try:
            info = self._gateway.get().create_scan_form([m.shipment_id for m in members])
        except AppError as error:
            found = self._reconcile(origin, members, batch_id, batch)
            if not found:
                raise
            _log.warning("SCAN form answer lost (%s); found %d at EasyPost", error, len(found))
            return found
        label_ids = [m.label_id for m in members]
        # Recorded before waiting: EasyPost holds the labels on this form from now on, so a crash
        # while it is being created must not let the next run offer them to a second form.
        with self._store.transaction(write=True) as tx:
            form_id = tx.scan_forms.add(
                easypost_id=info.id,
                batch_id=batch_id,
                from_address_key=origin,
                status=info.status,
                created_at=self._clock(),
                label_count=len(members),
            )
            tx.shipping.set_scan_form(label_ids, form_id)
        return [self._finish(form_id, info.id, origin, len(members), batch_id, batch)]

    def _reconcile(
        self,
        origin: str,
        members: tuple[ManifestCandidate, ...],
        batch_id: int | None,
        batch: str | None,
    ) -> list[ScanFormResult]:
        """After a failed or lost create: are the labels on a form at EasyPost already?

        A form whose answer was lost (timeout, crash) holds its labels; EasyPost then refuses
        them for any new form. Each such form is recorded here as if the answer had come.
        """
        by_form: dict[str, list[ManifestCandidate]] = {}
        for member in members:
            record = self._gateway.get().retrieve_shipment(member.shipment_id)
            if record.scan_form_id:
                by_form.setdefault(record.scan_form_id, []).append(member)
        results = []
        for easypost_id, held in by_form.items():
            with self._store.transaction(write=True) as tx:
                known = tx.scan_forms.by_easypost_id(easypost_id)
                form_id = (
                    known.id
                    if known
                    else tx.scan_forms.add(
                        easypost_id=easypost_id,
                        batch_id=batch_id,
                        from_address_key=origin,
                        status="creating",
                        created_at=self._clock(),
                        label_count=len(held),
                    )
                )
                tx.shipping.set_scan_form([m.label_id for m in held], form_id)
            results.append(self._finish(form_id, easypost_id, origin, len(held), batch_id, batch))
        return results

    def _finish(
        self,
        form_id: int,
        easypost_id: str,
        origin: str,
        count: int,
        batch_id: int | None,
        batch: str | None,
    ) -> ScanFormResult:
        info = self._gateway.get().wait_for_scan_form(
            easypost_id, timeout=self._timeout, poll_interval=self._poll_interval
        )
        path: Path | None = None
        if info.status == "created" and info.form_url:
            path = self._folder / f"{easypost_id}.pdf"
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".part")
            tmp.write_bytes(self._gateway.get().download(info.form_url))
            tmp.replace(path)
        with self._store.transaction(write=True) as tx:
            tx.scan_forms.update(form_id, status=info.status, form_path=str(path) if path else None)
            if info.status == "failed":
                tx.shipping.clear_scan_form(form_id)  # the labels may go on the next form
            self._audit.record_in(
                tx,
                AuditAction.of("scanform", info.status, AuditAction.SCAN_FORM_PENDING),
                batch_id=batch_id,
                details={
                    "scan_form": easypost_id,
                    "from_address": origin,
                    "labels": count,
                    "message": info.message,
                    "path": str(path or ""),
                },
            )
        return ScanFormResult(
            form_id,
            easypost_id,
            info.status,
            origin,
            count,
            batch,
            str(path) if path else None,
            info.message,
        )

    def resume(self) -> list[ScanFormResult]:
        """Finish forms a crash left in `creating` (poll them, keep the PDF)."""
        with self._store.transaction() as tx:
            pending = [form for form in tx.scan_forms.all() if form.status == "creating"]
        return [
            self._finish(
                form.id,
                form.easypost_id,
                form.from_address_key,
                form.label_count,
                form.batch_id,
                form.batch_reference,
            )
            for form in pending
        ]

    # -- reading and printing ------------------------------------------------------------------

    def from_address_names(self) -> dict[str, str]:
        """Ship-from labels ("Studio") by the from-address key labels are grouped by."""
        from app.services.preflight import from_address_key

        with self._store.transaction() as tx:
            return {from_address_key(s.address): s.label for s in tx.ship_from.all()}

    def list(self) -> list[StoredScanForm]:
        with self._store.transaction() as tx:
            return tx.scan_forms.all()

    def get(self, form_id: int) -> StoredScanForm:
        with self._store.transaction() as tx:
            form = tx.scan_forms.get(form_id)
        if form is None:
            raise AppError(
                f"No SCAN form {form_id} is recorded.",
                hint="See `packdesk-cli scanform list`.",
                kind=ErrorKind.NOT_FOUND,
            )
        return form

    def print_form(self, form_id: int, printer: str | None = None) -> PrintedForm:
        """Send the form's PDF to an office printer or a folder; None opens it in the viewer.

        `printer`: ``spool://QUEUE`` (CUPS/Windows queue), ``file:///folder-or-file.pdf``, or a
        plain path. A 4x6 label printer (usb://, tcp://, virtual://) is refused: a SCAN form is
        a letter page.

        Raises:
            AppError: NOT_FOUND without a PDF; PRINTER for a label printer or a failed spool.
        """
        form = self.get(form_id)
        if not form.form_path or not Path(form.form_path).is_file():
            raise AppError(
                f"SCAN form {form.easypost_id} has no PDF here (status {form.status}).",
                hint="Create it again if it failed, or wait until it is created.",
                kind=ErrorKind.NOT_FOUND,
            )
        path = Path(form.form_path)
        if printer is None:
            _open_with_viewer(path)
            self._audit.record(
                AuditAction.SCAN_FORM_OPENED, details={"scan_form": form.easypost_id}
            )
            return PrintedForm(path, "viewer")
        destination = _send_to_printer(path, printer)
        self._audit.record(
            AuditAction.SCAN_FORM_PRINTED,
            details={"scan_form": form.easypost_id, "printer": destination},
        )
        return PrintedForm(path, destination)


def _send_to_printer(path: Path, printer: str) -> str:
    scheme = urlsplit(printer).scheme.lower() if "://" in printer else ""
    if scheme in LABEL_PRINTER_SCHEMES:
        raise AppError(
            f"{printer} is a 4x6 label printer; a SCAN form is a letter-size page.",
            hint="Print it on an office printer (--printer spool://QUEUE) or open the PDF.",
            kind=ErrorKind.PRINTER,
            details={"printer": printer},
        )
    if scheme == "spool":
        queue = unquote(urlsplit(printer).netloc + urlsplit(printer).path).strip("/")
        return _spool(path, queue)
    if scheme in ("", "file"):
        target = Path(unquote(urlsplit(printer).path) if scheme else printer)
        if target.is_dir() or not target.suffix:
            target.mkdir(parents=True, exist_ok=True)
            target = target / path.name
        shutil.copyfile(path, target)
        return str(target)
    raise AppError(
        f"Cannot print a SCAN form to {printer}.",
        hint="Use spool://QUEUE for an office printer or a folder path.",
        kind=ErrorKind.PRINTER,
    )


def _spool(path: Path, queue: str) -> str:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        os.startfile(str(path), "print")  # type: ignore[attr-defined]
        return f"spool://{queue}"
    lp = shutil.which("lp") or shutil.which("lpr")
    if lp is None:
        raise AppError(
            "No print spooler command (lp) is installed.",
            hint="Install CUPS, or open the PDF and print it from the viewer.",
            kind=ErrorKind.PRINTER,
        )
    flag = "-d" if lp.endswith("lp") else "-P"
    done = subprocess.run(
        [lp, flag, queue, str(path)], capture_output=True, text=True, check=False, timeout=30
    )
    if done.returncode != 0:
        raise AppError(
            f"The print spooler refused the SCAN form: {done.stderr.strip() or done.returncode}",
            hint=f"Check that the queue {queue!r} exists (lpstat -p).",
            kind=ErrorKind.PRINTER,
            details={"queue": queue},
        )
    return f"spool://{queue}"


def _open_with_viewer(path: Path) -> None:  # pragma: no cover - opens a window
    if sys.platform == "win32":
        os.startfile(str(path))  # type: ignore[attr-defined]
        return
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(opener) is None:
        raise AppError(
            f"No PDF viewer launcher ({opener}) is available.",
            hint=f"Open {path} by hand, or print with --printer spool://QUEUE.",
            kind=ErrorKind.NOT_FOUND,
        )
    subprocess.Popen([opener, str(path)])
