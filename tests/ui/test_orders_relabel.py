"""The Orders panel says which orders need a relabel (their address changed after the label
was bought), from the relabel service, loaded on a worker."""

from __future__ import annotations

import threading
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.bootstrap import RuntimeOptions, build_context
from app.domain.order_flow import StatusAction
from app.domain.orders import OrderStatus, SourcePlatform
from app.services.buy_plan import Selection
from app.services.orders import OrderSelection, StatusChangeReport
from app.store.order_list_repo import OrderSummary
from app.ui.errors import ErrorPresenter
from app.ui.main_window import MainWindow
from app.ui.panels.labels_panel import LabelsPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.tasks import TaskRunner


class _Orders:
    def list_summaries(self) -> list[OrderSummary]:
        return [
            OrderSummary(
                id=n,
                source=SourcePlatform.SHOPIFY,
                external_id=f"#{n}",
                status=OrderStatus.LABEL_PURCHASED,
                name="Ann",
                company="",
                city="Boston",
                state="MA",
                postal_code="02108",
                country="US",
                email="",
                tracking_code=f"9400{n}",
                group_id="G-1",
                items="1 x TEE-M",
            )
            for n in (1, 2, 3)
        ]

    def first_summaries(self, limit: int) -> list[OrderSummary]:
        return self.list_summaries()[:limit]

    def change_status(self, action: StatusAction, selection: OrderSelection) -> StatusChangeReport:
        raise AssertionError("not used")


class _Relabel:
    def __init__(self) -> None:
        self.threads: list[bool] = []

    def needing_relabel(self, order_ids: list[int] | None = None) -> dict[int, object]:
        self.threads.append(threading.current_thread() is threading.main_thread())
        return {3: object()}


def test_the_summary_names_the_orders_that_need_relabel(qtbot: QtBot) -> None:
    relabel = _Relabel()
    panel = OrdersPanel(TaskRunner(), ErrorPresenter(), orders=_Orders(), relabel=relabel)
    qtbot.addWidget(panel)
    with (
        qtbot.waitSignal(panel.status_changed, timeout=10_000) as said,
        qtbot.waitSignal(panel.orders_loaded, timeout=10_000),
    ):
        panel.refresh()
    assert "1 need relabel" in said.args[0] and "orders 3;" in said.args[0]
    assert relabel.threads == [False]  # asked on a worker, never on the GUI thread
    row = panel.model.row_of(3)
    assert row is not None
    tracking = next(i for i, c in enumerate(panel.model.columns) if c.title == "Tracking")
    assert panel.model.index(row, tracking).data().endswith("(needs relabel)")
    panel.set_status_filter(OrderStatus.LABEL_PURCHASED)  # the filter keeps the 3 orders
    assert panel.model.rowCount() == 3


def test_the_labels_view_marks_a_label_bought_for_an_old_address(
    qtbot: QtBot, tmp_path: Path
) -> None:
    with build_context(RuntimeOptions(profile="demo", home=tmp_path, demo=True)) as ctx:
        ctx.demo_seeder.seed()
        group = min(
            (g for g in ctx.grouping_service.groups() if g.package_type == "Poly mailer 10x13"),
            key=lambda g: g.orders,
        )
        bought = ctx.purchase_service.buy(Selection(groups=(group.group_id,)))
        moved = bought.bought[0].order_id
        with ctx.store.transaction(write=True) as tx:  # the address was corrected afterwards
            tx.session.connection().exec_driver_sql(
                "UPDATE orders SET street1 = '500 Other Rd' WHERE id = ?", (moved,)
            )
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        panel = window.panels["labels"]
        assert isinstance(panel, LabelsPanel)
        with qtbot.waitSignal(panel.batch_loaded, timeout=15_000):
            window.show_panel("labels")
        flagged = [r.facts.order_id for r in panel.label_model.rows() if r.needs_relabel]
        assert flagged == [moved]
        row = next(i for i, r in enumerate(panel.label_model.rows()) if r.needs_relabel)
        text = panel.label_model.index(row, 1).data()
        assert text.endswith("(needs relabel)")
        window.close()
