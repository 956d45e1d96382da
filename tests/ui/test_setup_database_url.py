"""Setup > Profile's database URL field on the throwaway PostgreSQL cluster: a URL is tried on a
worker, the profile switches to it (password to the keyring, never into settings) after a
restart prompt, and "Back up database" on a PostgreSQL profile gives the pg_dump line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions
from app.domain.errors import AppError
from app.infra.database_target import KEYRING_SERVICE
from app.store import head_revision
from app.ui.errors import ErrorPresenter
from app.ui.panels.setup_desk import DeskPage
from app.ui.panels.setup_panel import SetupPanel
from app.ui.services import ContextServices
from app.ui.tasks import TaskRunner
from tests.keyrings import MemoryKeyring, using_keyring
from tests.ui.conftest import ThreadGuard

SECRET = "sekret-Pg-0123"


@pytest.fixture
def keyring_backend() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def _desk(qtbot: QtBot, ctx: AppContext) -> tuple[DeskPage, TaskRunner]:
    from app.ui.panels.setup_factory import setup_panel_specs

    runner = TaskRunner()
    [spec] = setup_panel_specs(ContextServices(ctx))
    panel = spec.build(runner, ErrorPresenter())
    qtbot.addWidget(panel)
    assert isinstance(panel, SetupPanel)
    return panel.desk, runner


@pytest.mark.usefixtures("_isolated_home")
def test_a_database_url_is_tried_then_the_profile_switches_after_a_restart_prompt(
    qtbot: QtBot,
    pg_url: str,
    tmp_path: Path,
    keyring_backend: MemoryKeyring,
    guard: ThreadGuard,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    restarts: list[DeskPage] = []
    monkeypatch.setattr("app.ui.panels.setup_factory.restart_packdesk", restarts.append)
    home = tmp_path / "home"
    ctx = AppContext(RuntimeOptions(home=home))
    desk, runner = _desk(qtbot, ctx)
    try:
        assert desk.database_label.text() == str(ctx.database_file)
        assert desk.url_edit.text() == ""

        desk.url_edit.setText("mysql://desk@db.lan/packdesk")
        desk.test_button.click()
        qtbot.waitUntil(lambda: desk.url_label.text() == "Not connected.", timeout=10_000)
        assert "not a PostgreSQL address" in desk.message_bar.text()

        desk.url_edit.setText("postgresql://desk@127.0.0.1:1/packdesk")  # nothing listens
        desk.test_button.click()
        qtbot.waitUntil(lambda: desk.url_label.text() == "Not connected.", timeout=15_000)
        assert "Cannot reach the PostgreSQL database" in desk.message_bar.text()

        # A password typed into the URL is used, never shown or stored.
        user, rest = pg_url.split("://", 1)[1].split("@", 1)
        with_password = f"postgresql://{user}:{SECRET}@{rest}"
        desk.url_edit.setText(with_password)
        with qtbot.waitSignal(desk.database_tested, timeout=15_000) as tested:
            desk.test_button.click()
        probe = tested.args[0]
        assert probe.url == pg_url and probe.revision == head_revision()
        assert f"a Packdesk database (schema {head_revision()})" in desk.url_label.text()
        assert SECRET not in desk.url_label.text() + desk.message_bar.text()

        asked: list[str] = []
        desk.confirm = lambda _parent, _title, text: asked.append(text) or False
        desk.switch_button.click()
        assert len(asked) == 1 and SECRET not in asked[0] and pg_url in asked[0]
        assert "Packdesk restarts" in asked[0]
        assert ctx.settings_store.load().other.get("database") is None  # said no: unchanged

        desk.confirm = lambda *_args: True
        with qtbot.waitSignal(desk.database_switched, timeout=15_000) as switched:
            desk.switch_button.click()
        result = switched.args[0]
        assert result.url == pg_url and result.password_kept
        assert restarts == [desk]
        assert ctx.settings_store.load().other["database"] == {"url": pg_url}
        assert SECRET not in ctx.settings_store.path.read_text()
        assert keyring_backend.store[(KEYRING_SERVICE, pg_url)] == SECRET
    finally:
        assert runner.wait_for_idle(30_000)
        ctx.close()

    # The next start uses the server; Back up database gives the pg_dump line for it.
    again = AppContext(RuntimeOptions(home=home))
    try:
        assert again.database_url == pg_url
        with again.store.transaction() as tx:
            assert tx.orders.count() == 0
        page, runner = _desk(qtbot, again)
        assert page.database_label.text() == pg_url and page.url_edit.text() == pg_url
        page.backup_button.click()  # nothing to copy here: the command is shown
        database = pg_url.rsplit("/", 1)[1]
        shown = page.backup_command.text()
        assert f"pg_dump -Fc -d {pg_url} -f {database}-" in shown and ".dump" in shown
        assert SECRET not in shown and page.backup_command.isVisibleTo(page)
        assert "pg_dump" in page.message_bar.text() and "pg_dump" in page.backup_label.text()
        with guard.paused(), pytest.raises(AppError) as refused:  # as the CLI's `setup backup`
            again.database_backup_service.backup()
        assert f"pg_dump -Fc -d {pg_url}" in refused.value.hint
        assert runner.wait_for_idle(30_000)
    finally:
        again.close()


def test_the_restart_starts_the_gui_again_with_the_same_arguments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from app.ui.restart import relaunch_command

    monkeypatch.setattr(sys, "argv", ["/opt/packdesk/bin/packdesk", "--profile", "b"])
    program, arguments = relaunch_command()
    assert program == sys.executable and arguments[-2:] == ["--profile", "b"]
    assert "gui_main" in arguments[1]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert relaunch_command() == (sys.executable, ["--profile", "b"])
