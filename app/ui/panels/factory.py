"""The foundation's panels, each built with only the services it uses.

The context builds services lazily, and building one opens (and may migrate) the database: that
must not happen on the GUI thread. So panels get `deferred` services that resolve on first use,
which is always inside a TaskRunner task.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from app.bootstrap import AppContext
from app.imports import read_order_file, write_error_csv
from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.groups_panel import GroupsPanel
from app.ui.panels.import_panel import ImportPanel
from app.ui.panels.orders_panel import OrdersPanel
from app.ui.panels.skus_panel import SkusPanel
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import PanelSpec

S = TypeVar("S")


class _Deferred(Generic[S]):
    """Stands in for a service; resolves it once, on first attribute access, under a lock."""

    def __init__(self, resolve: Callable[[], S]) -> None:
        self._resolve = resolve
        self._lock = threading.Lock()
        self._target: S | None = None

    def __getattr__(self, name: str) -> Any:
        target = self._target
        if target is None:
            with self._lock:
                if self._target is None:
                    self._target = self._resolve()
                target = self._target
        return getattr(target, name)


def deferred(resolve: Callable[[], S]) -> S:
    """A stand-in for the service `resolve()` returns, built on first use (in a worker)."""
    return cast(S, _Deferred(resolve))


def foundation_panel_specs(ctx: AppContext) -> list[PanelSpec]:
    from app.ui.main_window import PanelSpec

    # One lock for the whole context: the first service built opens the store for all.
    opening = threading.Lock()

    def service(name: str) -> Any:
        def resolve() -> Any:
            with opening:
                return getattr(ctx, name)

        return deferred(resolve)

    orders = service("order_service")
    grouping = service("grouping_service")
    catalog = service("catalog_service")
    importer = service("import_service")
    built: dict[str, Panel] = {}

    def build_orders(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        built["orders"] = OrdersPanel(runner, presenter, orders=orders)
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
