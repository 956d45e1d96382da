"""Which panels the foundation offers, each built with only the services it uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.bootstrap import AppContext
from app.ui.errors import ErrorPresenter
from app.ui.panels.base import Panel, UnavailablePanel
from app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.ui.main_window import PanelSpec


def foundation_panel_specs(ctx: AppContext) -> list[PanelSpec]:
    from app.ui.main_window import PanelSpec

    def waiting(label: str) -> PanelSpec:
        def build(runner: TaskRunner, presenter: ErrorPresenter) -> Panel:
            return UnavailablePanel(
                label, "Waiting for the foundation services to be wired.", runner, presenter
            )

        return PanelSpec(label.lower().split()[0], label, build)

    return [waiting("Orders"), waiting("Package groups"), waiting("Import"), waiting("SKUs")]
