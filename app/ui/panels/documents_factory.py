"""The "Documents" menus of the Package groups and Labels & batches panels: reports, packing
slips, tracking exports, labels on plain paper and tracking emails, on the selection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.bootstrap import AppContext
from app.domain.exports import TrackingFormat
from app.services.documents import DocumentDesk
from app.services.exports import ExportService
from app.services.paper_labels import PaperLabelService
from app.services.reports import ReportKind, ReportService
from app.services.slips import PackingSlipService, slip_decor
from app.services.tracking_email import tracking_email_service
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.panels.labels_panel import LabelsPanel
from app.ui.services import ContextServices, deferred
from app.ui.tasks import TaskRunner
from app.ui.widgets.documents_menu import AskPath, DocumentAction, DocumentsButton, ask_save_path


def document_desk(services: ContextServices) -> DocumentDesk:
    """The desk's document services, built on first use (in a worker)."""

    def build(ctx: AppContext) -> DocumentDesk:
        settings = ctx.settings_store
        return DocumentDesk(
            reports=ReportService(ctx.store),
            slips=PackingSlipService(ctx.store, lambda: slip_decor(settings.load().other)),
            exports=ExportService(ctx.store, ctx.audit_log),
            paper=PaperLabelService(ctx.store, lambda: services.get("gateway")),
            emails=lambda: tracking_email_service(ctx.store, settings, ctx.options.profile),
        )

    return deferred(lambda: services.call(build))


def group_actions(panel: GroupsPanel, desk: DocumentDesk) -> list[DocumentAction | None]:
    """Entries for the Package groups panel (the selection is read now, on the GUI thread)."""
    chosen = [group.group_id for group in panel.selected_groups()]

    def some() -> bool:
        return bool(chosen)

    return [
        DocumentAction(
            "Package Group Counts, ready or not (PDF)…",
            lambda: "package-group-counts.pdf",
            lambda path: desk.report(ReportKind.GROUP_COUNTS, _need(path)),
        ),
        DocumentAction(
            "Package Group Counts, ready or not (CSV)…",
            lambda: "package-group-counts.csv",
            lambda path: desk.report(ReportKind.GROUP_COUNTS, _need(path)),
        ),
        DocumentAction(
            "Package Group report (PDF)…",
            lambda: "package-groups.pdf",
            lambda path: desk.report(ReportKind.GROUPS, _need(path), group_ids=chosen or None),
        ),
        DocumentAction(
            "Pick list for the selected groups (PDF)…",
            lambda: "pick-list.pdf",
            lambda path: desk.report(ReportKind.PICK_LIST, _need(path), group_ids=chosen),
            some,
        ),
        None,
        DocumentAction(
            "Packing slips for the selected groups…",
            lambda: "packing-slips.pdf",
            lambda path: desk.slips_for(_need(path), group_ids=chosen),
            some,
        ),
    ]


def batch_actions(panel: LabelsPanel, desk: DocumentDesk) -> list[DocumentAction | None]:
    """Entries for the Labels & batches panel, on the selected batch."""
    selected = panel.selected_batch()
    batch = selected.reference if selected is not None else ""

    def has() -> bool:
        return bool(batch)

    entries: list[DocumentAction | None] = [
        DocumentAction(
            "Packing slips…",
            lambda: f"packing-slips-{batch}.pdf",
            lambda path: desk.slips_for(_need(path), batch=batch),
            has,
        ),
        DocumentAction(
            "Pick list (PDF)…",
            lambda: f"pick-list-{batch}.pdf",
            lambda path: desk.report(ReportKind.PICK_LIST, _need(path), batch=batch),
            has,
        ),
        None,
    ]
    for paper, per_sheet, words in (
        ("letter", 1, "Letter, one a sheet"),
        ("letter", 2, "Letter, two a sheet"),
        ("a4", 1, "A4, one a sheet"),
        ("a4", 2, "A4, two a sheet"),
    ):
        entries.append(
            DocumentAction(
                f"Labels on plain paper: {words}…",
                _named(f"labels-{batch}-{paper}-{per_sheet}up.pdf"),
                _paper(desk, batch, paper, per_sheet),
                has,
            )
        )
    entries.append(None)
    for fmt in TrackingFormat:
        entries.append(
            DocumentAction(
                f"Tracking export for {fmt.value}…",
                _named(f"tracking-{fmt.value}-{batch}.csv"),
                _export(desk, batch, fmt),
                has,
            )
        )
    entries += [
        None,
        DocumentAction(
            "Spend report, refunds netted (PDF)…",
            lambda: "spend.pdf",
            lambda path: desk.report(ReportKind.SPEND, _need(path)),
        ),
        DocumentAction(
            "Preview the batch's tracking emails (text)…",
            _named(f"tracking-emails-{batch}.txt"),
            lambda path: desk.preview_emails(_need(path), batch),
            has,
        ),
        DocumentAction(
            "Send tracking emails to the batch",
            lambda: None,
            lambda _p: desk.send_emails(batch),
            has,
        ),
    ]
    return entries


def _named(name: str) -> Callable[[], str | None]:
    return lambda: name


def _need(path: Path | None) -> Path:
    """The chosen file of an action that writes one (the menu asked for it first)."""
    if path is None:
        raise ValueError("this document needs a file")
    return path


def _paper(
    desk: DocumentDesk, batch: str, paper: str, per_sheet: int
) -> Callable[[Path | None], str]:
    return lambda path: desk.paper_labels(_need(path), batch, paper=paper, per_sheet=per_sheet)


def _export(desk: DocumentDesk, batch: str, fmt: TrackingFormat) -> Callable[[Path | None], str]:
    return lambda path: desk.tracking_export(fmt, _need(path), batch=batch)


def attach_group_documents(
    panel: GroupsPanel,
    runner: TaskRunner,
    desk: DocumentDesk,
    *,
    ask_path: AskPath = ask_save_path,
) -> DocumentsButton:
    button = DocumentsButton(
        panel,
        runner,
        panel.message_bar,
        panel._on_error("Documents"),
        lambda: group_actions(panel, desk),
        ask_path=ask_path,
    )
    panel.add_tools(button)
    return button


def attach_batch_documents(
    panel: LabelsPanel,
    runner: TaskRunner,
    desk: DocumentDesk,
    *,
    ask_path: AskPath = ask_save_path,
) -> DocumentsButton:
    button = DocumentsButton(
        panel,
        runner,
        panel.message_bar,
        panel._on_error("Documents"),
        lambda: batch_actions(panel, desk),
        ask_path=ask_path,
    )
    panel.add_tools(button)
    return button
