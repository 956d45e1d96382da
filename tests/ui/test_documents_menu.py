"""The Documents menus: the Package groups panel writes group reports and slips, the Labels &
batches entries write a batch's slips and tracking exports; all on a worker."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.orders import OrderStatus
from app.infra.email_settings import EmailSettings
from app.services.audit import AuditLog
from app.services.catalog import CatalogService
from app.services.documents import DocumentDesk
from app.services.exports import ExportService
from app.services.grouping import GroupingService
from app.services.paper_labels import PaperLabelService
from app.services.reports import ReportService
from app.services.slips import PackingSlipService
from app.services.tracking_email import MailSender, TrackingEmailService
from app.ui.errors import ErrorPresenter
from app.ui.panels.documents_factory import attach_group_documents, batch_actions
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.tasks import TaskRunner
from app.ui.widgets.documents_menu import DocumentsButton
from app.ui.widgets.message_bar import MessageBar
from tests.documents.pdf_reading import page_texts
from tests.documents.world import DocWorld, standard_orders, world  # noqa: F401

pytestmark = pytest.mark.gui


def _desk(world: DocWorld) -> DocumentDesk:  # noqa: F811
    def never_connect(_settings: EmailSettings) -> MailSender:
        raise AssertionError("a preview sends nothing")

    return DocumentDesk(
        ReportService(world.store),
        PackingSlipService(world.store),
        ExportService(world.store, AuditLog(world.store, "d", "u")),
        PaperLabelService(world.store),
        lambda: TrackingEmailService(world.store, EmailSettings, never_connect),
    )


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.wait_for_idle(10_000)


def test_group_panel_menu_writes_the_counts_report(
    qtbot: QtBot,
    world: DocWorld,  # noqa: F811
    runner: TaskRunner,
    tmp_path: Path,
) -> None:
    world.add_orders(standard_orders(), OrderStatus.IMPORTED)  # not ready: counts still cover them
    panel = GroupsPanel(
        runner,
        ErrorPresenter(),
        groups=GroupingService(world.store),
        package_types=CatalogService(world.store),
    )
    qtbot.addWidget(panel)
    target = tmp_path / "counts.pdf"
    button = attach_group_documents(
        panel, runner, _desk(world), ask_path=lambda _parent, _title, _name: target
    )
    button.menu_.aboutToShow.emit()
    assert "Package Group Counts, ready or not (PDF)…" in button.titles()
    entry = next(a for a in button.menu_.actions() if a.text().endswith("ready or not (PDF)…"))
    with qtbot.waitSignal(button.written, timeout=10_000) as blocker:
        entry.trigger()
    assert "counts.pdf" in blocker.args[0]
    assert "5 orders" in page_texts(target)[0]
    slips = next(a for a in button.menu_.actions() if a.text().startswith("Packing slips"))
    assert not slips.isEnabled()  # no group selected


@dataclass
class _Batch:
    reference: str


class _LabelsStandIn:
    def __init__(self, reference: str) -> None:
        self.reference = reference

    def selected_batch(self) -> _Batch:
        return _Batch(self.reference)


def test_batch_menu_writes_slips_and_a_tracking_export(
    qtbot: QtBot,
    world: DocWorld,  # noqa: F811
    runner: TaskRunner,
    tmp_path: Path,
) -> None:
    orders = standard_orders()
    first = orders[0]
    orders[0] = dataclasses.replace(
        first, recipient=dataclasses.replace(first.recipient, email="yamada@example.jp")
    )
    world.add_orders(orders, OrderStatus.READY_TO_SHIP)
    batch = world.batch()
    for external_id in ("1001", "1002"):
        world.label(external_id, batch=batch)
    desk = _desk(world)
    stand_in = _LabelsStandIn(batch)
    host = MessageBar()
    qtbot.addWidget(host)
    targets = iter([tmp_path / "slips.pdf", tmp_path / "pledgebox.csv", tmp_path / "mail.txt"])
    button = DocumentsButton(
        host,
        runner,
        host,
        lambda exc: (_ for _ in ()).throw(exc),
        lambda: batch_actions(stand_in, desk),  # type: ignore[arg-type]
        ask_path=lambda _parent, _title, _name: next(targets),
    )
    titles = button.titles()
    assert "Labels on plain paper: Letter, two a sheet…" in titles
    assert "Tracking export for pledgebox…" in titles
    titles_run = (
        "Packing slips…",
        "Tracking export for pledgebox…",
        "Preview the batch's tracking emails (text)…",
    )
    for title in titles_run:
        entry = next(a for a in button.menu_.actions() if a.text() == title)
        with qtbot.waitSignal(button.written, timeout=10_000):
            entry.trigger()
    assert len(page_texts(tmp_path / "slips.pdf")) == 2
    lines = (tmp_path / "pledgebox.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "PledgeBox ID (PBID),Courier Code,Tracking Code,Partial Shipped (Optional)"
    assert len(lines) == 3
    preview = (tmp_path / "mail.txt").read_text(encoding="utf-8")
    assert preview.count("Subject: Your order") == 1  # 1002 has no email address
    assert "To: yamada@example.jp" in preview and "tLabels=94" in preview
