"""The foundation's panels, each built with only the services it uses.

Panels get `deferred` services (app.ui.services) that resolve on first use, in a worker.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from app.imports import read_order_file
from app.services.error_csv import write_error_csv
from app.services.manual_ship import ManualShipService
from app.services.tracking_email import tracking_email_service
from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.documents_factory import attach_group_documents, document_desk
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.panels.import_panel import ImportPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.panels.package_types_panel import PackageTypesPanel
from app.ui.panels.skus_panel import SkusPanel
from app.ui.services import ContextServices, deferred
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.bootstrap import AppContext
    from app.ui.main_window import PanelSpec


def foundation_panel_specs(services: ContextServices) -> list[PanelSpec]:
    from app.ui.main_window import PanelSpec

    orders = services.deferred("order_service")
    grouping = services.deferred("grouping_service")
    catalog = services.deferred("catalog_service")
    importer = services.deferred("import_service")
    documents = document_desk(services)
    built: dict[str, Panel] = {}

    def build_orders(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        def build_shipper(ctx: AppContext) -> ManualShipService:
            mail = tracking_email_service(ctx.store, ctx.settings_store, ctx.options.profile)
            return ManualShipService(ctx.store, ctx.audit_log, on_shipped=mail.notify_shipped)

        shipper = deferred(lambda: services.call(build_shipper))
        built["orders"] = OrdersPanel(
            runner,
            presenter,
            orders=orders,
            relabel=services.deferred("relabel_service"),
            details=services.deferred("order_detail_service"),
            shipper=shipper,
        )
        return built["orders"]

    def build_groups(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        def edit_sku(sku: str) -> None:
            skus = built.get("skus")
            if isinstance(skus, SkusPanel):
                skus.edit_sku(sku)

        def new_package_type() -> None:
            types = built.get("package-types")
            if isinstance(types, PackageTypesPanel):
                show_panel = getattr(types.window(), "show_panel", None)
                if callable(show_panel):  # the main window
                    show_panel("package-types")
                types.new_type()

        panel = GroupsPanel(
            runner,
            presenter,
            groups=grouping,
            package_types=catalog,
            edit_sku=edit_sku,
            new_package_type=new_package_type,
        )
        attach_group_documents(panel, runner, documents)
        built["groups"] = panel
        return panel

    def build_package_types(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        panel = PackageTypesPanel(
            runner, presenter, package_types=services.deferred("package_type_service")
        )
        built["package-types"] = panel
        groups = built.get("groups")
        if isinstance(groups, GroupsPanel):
            panel.type_saved.connect(lambda _entry: groups.mark_stale())
            panel.type_removed.connect(lambda _name: groups.mark_stale())
        return panel

    def build_import(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["import"] = ImportPanel(
            runner,
            presenter,
            read_file=read_order_file,
            importer=importer,
            # The save dialog has asked before replacing a file.
            write_error_csv=partial(write_error_csv, overwrite=True),
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
        PanelSpec("package-types", "Package types", build_package_types),
        PanelSpec("import", "Import", build_import),
        PanelSpec("skus", "SKUs & customs", build_skus),
    ]
