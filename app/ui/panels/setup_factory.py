"""The Setup panel, built with only the services it uses (resolved on first use in a worker)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel
from app.ui.panels.setup_desk import DeskPage, ProfileInfo
from app.ui.panels.setup_easypost import EasyPostPage
from app.ui.panels.setup_panel import SetupPanel
from app.ui.panels.setup_printers import PrintersPage
from app.ui.panels.setup_ship_from import ShipFromPage
from app.ui.restart import restart_packdesk
from app.ui.services import ContextServices
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import PanelSpec


def setup_panel_specs(services: ContextServices) -> list[PanelSpec]:
    from app.ui.main_window import PanelSpec

    ctx = services.ctx

    def build_setup(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
        locations = ctx.database_location_service  # no I/O: the URL was read with the profile
        profile = ProfileInfo(
            ctx.options.profile,
            ctx.database_file,
            ctx.paths.settings,
            ctx.paths.root / "backups",
            database_url=locations.current_url,
            pg_dump_command=locations.backup_command(),
        )
        desk: DeskPage | None = None

        def restart() -> None:
            if desk is not None:
                restart_packdesk(desk)

        desk = DeskPage(
            runner,
            presenter,
            settings=services.deferred("desk_settings_service"),
            package_types=services.deferred("catalog_service"),
            backups=services.deferred("database_backup_service"),
            profile=profile,
            group_defaults=services.deferred("group_defaults_service"),
            locations=locations,
            restart=restart,
        )
        return SetupPanel(
            runner,
            presenter,
            checklist=services.deferred("setup_checklist_service"),
            easypost=EasyPostPage(
                runner, presenter, easypost=services.deferred("easypost_setup_service")
            ),
            ship_from=ShipFromPage(
                runner, presenter, ship_from=services.deferred("ship_from_service")
            ),
            printers=PrintersPage(
                runner, presenter, printers=services.deferred("printer_setup_service")
            ),
            desk=desk,
        )

    return [PanelSpec("setup", "Setup", build_setup)]
