"""The documents a panel can write, as one facade: each call takes the target file and says
in a line what it wrote (the GUI's "Documents" menus; the CLI calls the services directly)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.domain.exports import TrackingFormat
from app.services.exports import ExportService
from app.services.paper_labels import PaperLabelService
from app.services.reports import ReportKind, ReportService, StatusScope
from app.services.slips import PackingSlipService
from app.services.tracking_email import EmailSelection, TrackingEmailService


@dataclass(frozen=True, slots=True)
class DocumentDesk:
    """The document services of one desk (built in a worker; every call does file I/O)."""

    reports: ReportService
    slips: PackingSlipService
    exports: ExportService
    paper: PaperLabelService
    emails: Callable[[], TrackingEmailService]

    def report(
        self,
        kind: ReportKind,
        path: Path,
        *,
        batch: str | None = None,
        group_ids: Sequence[str] | None = None,
        status: StatusScope | None = None,
    ) -> str:
        """A report as PDF (a .pdf path) or CSV (any other)."""
        report = self.reports.build(kind, status=status, batch=batch, group_ids=group_ids)
        if path.suffix.lower() == ".pdf":
            self.reports.write_pdf(report, path, overwrite=True)
            return f"Wrote the {kind.value} report to {path.name}."
        rows = self.reports.write_csv(report, path, overwrite=True)
        return f"Wrote the {kind.value} report to {path.name} ({rows} rows)."

    def slips_for(
        self, path: Path, *, batch: str | None = None, group_ids: Sequence[str] | None = None
    ) -> str:
        pages = self.slips.write(path, batch=batch, group_ids=group_ids, overwrite=True)
        return f"Wrote {pages} packing slips to {path.name}."

    def paper_labels(self, path: Path, batch: str, *, paper: str, per_sheet: int = 1) -> str:
        run = self.paper.write(path, batch, paper=paper, per_sheet=per_sheet, overwrite=True)
        return (
            f"Wrote {run.labels} labels on {paper} paper to {path.name} "
            f"({run.customs_forms} customs forms, {run.scan_form_pages} SCAN form pages)."
        )

    def tracking_export(self, fmt: TrackingFormat, path: Path, *, batch: str) -> str:
        rows = self.exports.tracking(fmt, path, batch=batch, overwrite=True)
        return f"Wrote {rows} tracking numbers for {fmt.value} to {path.name}."

    def preview_emails(self, path: Path, batch: str) -> str:
        """The batch's tracking emails as they would go out, in one text file to read."""
        messages = self.emails().preview(EmailSelection(batch=batch))
        text = "\n\n".join(
            f"To: {m.to}\nSubject: {m.subject}\n\n{m.body}".rstrip() + "\n" + "-" * 72
            for m in messages
        )
        from app.documents import pdf  # reportlab loads when a PDF is written

        pdf.save(text.encode("utf-8"), path, overwrite=True)
        return f"Wrote {len(messages)} tracking email previews to {path.name}."

    def send_emails(self, batch: str) -> str:
        report = self.emails().send(EmailSelection(batch=batch))
        summary = report.to_json()
        text = (
            f"Tracking emails: {summary['sent']} sent, {summary['already']} already sent, "
            f"{summary['failed']} failed, {summary['skipped']} without an address."
        )
        return text + (f" Stopped: {report.stopped}" if report.stopped else "")
