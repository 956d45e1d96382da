"""The foundation's panels, each built with only the services it uses.

Panels get `deferred` services (app.ui.services) that resolve on first use, in a worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.imports import read_order_file, write_error_csv
from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.panels.import_panel import ImportPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.panels.skus_panel import SkusPanel
from app.ui.services import ContextServices
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import PanelSpec


def foundation_panel_specs(services: ContextServices) -> list[PanelSpec]:
    from app.ui.main_window import PanelSpec

    orders = services.deferred("order_service")
    grouping = services.deferred("grouping_service")
    catalog = services.deferred("catalog_service")
    importer = services.deferred("import_service")
    built: dict[str, Panel] = {}

    def build_orders(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["orders"] = OrdersPanel(
            runner, presenter, orders=orders, relabel=services.deferred("relabel_service")
        )
        return built["orders"]

    def build_groups(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        def edit_sku(sku: str) -> None:
            skus = built.get("skus")
            if isinstance(skus, SkusPanel):
                skus.edit_sku(sku)

        panel = GroupsPanel(
            runner, presenter, groups=grouping, package_types=catalog, edit_sku=edit_sku
        )
        built["groups"] = panel
        return panel

    def build_import(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["import"] = ImportPanel(
            runner,
            presenter,
            read_file=read_order_file,
            importer=importer,
            write_error_csv=write_error_csv,
        )
        return built["import"]

    def build_skus(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        panel = SkusPanel(runner, presenter, catalog=catalog)
        built["skus"] = panel
        groups = built.get("groups")
        if isinstance(groups, GroupsPanel):
            # A fixed SKU can unblock customs and change weights: show it in the groups.
            panel.items_saved.connect(lambda _items: groups.refresh())
        return panel

    return [
        PanelSpec("orders", "Orders", build_orders),
        PanelSpec("groups", "Package groups", build_groups),
        PanelSpec("import", "Import", build_import),
        PanelSpec("skus", "SKUs & customs", build_skus),
    ]
