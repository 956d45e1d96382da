"""The Setup panel over the real services: the offline sandbox on 127.0.0.1, a temporary
database, the virtual printer, and a keyring (in memory, or keyring's own "none" backend).
Every wait is on a signal or a condition, never a sleep."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.infra.settings import EasyPostMode
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditAction
from app.services.easypost_setup import ConnectionCheck, ConnectionOutcome
from app.services.setup_checklist import SetupState
from app.ui.app import build_window
from app.ui.errors import CrashDialog
from app.ui.main_window import MainWindow
from app.ui.panels.setup_panel import SetupPanel
from app.ui.widgets.message_bar import Tone
from printers.transports.virtual import virtual_printer_dir
from tests.keyrings import MemoryKeyring, no_keyring, using_keyring
from tests.ui.conftest import ThreadGuard

pytestmark = pytest.mark.gui

TEST_KEY = "EZTKsetuppanel0123456789abcdSECRET"
PROD_KEY = "EZAKsetuppanel0123456789abcdSECRET"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox-state.json") as server:
        yield server


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


@pytest.fixture
def ctx(tmp_path: Path, sandbox: SandboxServer) -> Iterator[AppContext]:
    # A new, empty profile in test mode whose EasyPost is the sandbox (as --api-base does).
    options = RuntimeOptions(profile="newdesk", home=tmp_path, api_base=sandbox.api_base)
    with build_context(options) as context:
        yield context


@pytest.fixture
def crashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(
        CrashDialog, "exec", lambda self: seen.append(self.details.toPlainText()) or 0
    )
    return seen


@pytest.fixture
def opened(
    qtbot: QtBot, ctx: AppContext, guard: ThreadGuard, crashes: list[str]
) -> Iterator[tuple[MainWindow, SetupPanel, SetupState]]:
    """The window on a fresh profile as the app starts it, after its first checklist."""
    window, restore_hook = build_window(ctx)
    qtbot.addWidget(window)
    setup = window.panels["setup"]
    assert isinstance(setup, SetupPanel)
    with qtbot.waitSignal(setup.checklist_loaded, timeout=15_000) as first:
        window.show()
        qtbot.waitExposed(window)
    yield window, setup, first.args[0]
    assert window.runner.wait_for_idle(30_000)
    restore_hook()
    assert crashes == [], crashes[0] if crashes else ""
    assert guard.on_gui_thread == []


def _test_connection(qtbot: QtBot, setup: SetupPanel, mode: EasyPostMode) -> ConnectionCheck:
    page = setup.easypost
    page.mode_combo.setCurrentIndex(page.mode_combo.findData(mode))
    with qtbot.waitSignal(page.connection_checked, timeout=15_000) as checked:
        page.test_button.click()
    check = checked.args[0]
    assert isinstance(check, ConnectionCheck)
    return check


def test_first_run_on_an_empty_profile_to_a_working_desk_with_the_gui_only(
    qtbot: QtBot,
    opened: tuple[MainWindow, SetupPanel, SetupState],
    memory_keyring: MemoryKeyring,
    ctx: AppContext,
    sandbox: SandboxServer,
) -> None:
    window, setup, first = opened
    # It opens first, on the page of the first missing item, with the checklist.
    assert window.current_panel() is setup
    assert [i.key for i in first.missing] == ["easypost_key", "ship_from", "printer"]
    assert setup.tabs.currentWidget() is setup.easypost
    text = setup.checklist_label.text()
    assert text.count("✘") == 3 and "Add one in Setup > Printers" in text
    assert "TEST MODE" in window.mode_indicator.text()

    # EasyPost: the key goes in a password field and into the keyring, never on screen.
    page = setup.easypost
    edit = page.key_edits[EasyPostMode.TEST]
    assert edit.echoMode() == edit.EchoMode.Password
    edit.setText(TEST_KEY)
    with qtbot.waitSignals([page.key_saved, setup.checklist_loaded], timeout=15_000):
        page.save_key_buttons[EasyPostMode.TEST].click()  # type: ignore[attr-defined]
    assert memory_keyring.store[("packdesk-easypost", "newdesk:test")] == TEST_KEY
    assert edit.text() == "" and TEST_KEY not in page.key_labels[EasyPostMode.TEST].text()
    check = _test_connection(qtbot, setup, EasyPostMode.TEST)
    assert check.outcome is ConnectionOutcome.OK, check
    assert page.result_label.text().startswith("✔")

    # Ship-from: typed with a long street name and no state; EasyPost's correction is shown
    # beside it, and taken.
    setup.tabs.setCurrentWidget(setup.ship_from)
    ship = setup.ship_from
    ship.label_edit.setText("Studio")
    for name, value in {
        "name": "Ann Packer",
        "street1": "417 Montgomery Street",
        "city": "San Francisco",
        "postal_code": "94104",
    }.items():
        ship.fields[name].setText(value)
    with qtbot.waitSignal(ship.verified, timeout=15_000) as verified:
        ship.save_button.click()
    correction = verified.args[0]
    assert not correction.agrees and ship.compare_box.isVisibleTo(ship)
    shown = [ship.compare_grid.itemAt(i).widget() for i in range(ship.compare_grid.count())]
    shown_text = " ".join(w.text() for w in shown if w is not None and hasattr(w, "text"))
    assert "417 Montgomery Street  →  417 MONTGOMERY ST" in shown_text
    assert "(empty)  →  CA" in shown_text
    with qtbot.waitSignals([ship.saved, ship.loaded], timeout=15_000):
        ship.use_suggestion_button.click()
    (studio,) = ship.model.rows()
    assert (studio.label, studio.address.state, studio.is_default) == ("Studio", "CA", True)
    assert ship.message_bar.tone is Tone.SUCCESS

    # Printers: a virtual printer added through the one printer service, a test label printed.
    setup.tabs.setCurrentWidget(setup.printers)
    printers = setup.printers
    printers.name_edit.setText("Desk Zebra")
    printers.uri_edit.setText("virtual://setup-first-run")
    # The checklist that follows the save ticks the last item off (earlier ones may still
    # arrive first: wait for the complete one).
    with qtbot.waitSignal(
        setup.checklist_loaded, timeout=15_000, check_params_cb=lambda state: state.complete
    ):
        printers.add_button.click()
    assert setup.checklist_label.text().count("✔") == 3
    printers.view.selectRow(0)
    with qtbot.waitSignal(printers.test_printed, timeout=15_000):
        printers.test_button.click()
    assert list(virtual_printer_dir("setup-first-run").glob("*.png"))
    with qtbot.waitSignal(printers.status_checked, timeout=15_000) as status:
        printers.status_button.click()
    assert status.args[0].ok
    qtbot.waitUntil(lambda: printers.model.rows()[0].status.startswith("✔"))

    # The same desk as the CLI sees it.
    assert ctx.settings_store.load().printers.default == "Desk Zebra"


def test_no_keyring_backend_says_so_with_the_fixes(
    qtbot: QtBot, opened: tuple[MainWindow, SetupPanel, SetupState]
) -> None:
    window, setup, _first = opened
    page = setup.easypost
    with using_keyring(no_keyring()):
        with qtbot.waitSignal(page.overview_loaded, timeout=15_000):
            page.reload()
        assert page.keyring_bar.isVisibleTo(page)
        bar = page.keyring_bar.text()
        assert "no system keyring" in bar
        with qtbot.waitSignal(setup.checklist_loaded, timeout=15_000) as checked:
            setup.check()
        (key_item,) = [i for i in checked.args[0].items if i.key == "easypost_key"]
        assert not key_item.done and "gnome-keyring" in key_item.fix
        assert "EASYPOST_API_KEY" in key_item.fix
        assert page.key_labels[EasyPostMode.TEST].text() == "no keyring on this desk"
        page.key_edits[EasyPostMode.TEST].setText(TEST_KEY)
        with qtbot.waitSignal(window.presenter.known_error_shown, timeout=15_000) as error:
            page.save_key_buttons[EasyPostMode.TEST].click()  # type: ignore[attr-defined]
        assert "no system keyring" in error.args[0] and "KWallet" in error.args[0]
        assert TEST_KEY not in error.args[0]
        check = _test_connection(qtbot, setup, EasyPostMode.TEST)  # the typed key is tried
        assert check.ok
        page.key_edits[EasyPostMode.TEST].clear()
        check = _test_connection(qtbot, setup, EasyPostMode.TEST)
        assert check.outcome is ConnectionOutcome.NO_KEYRING and "KWallet" in check.fix
        assert window.runner.wait_for_idle(15_000)


def test_a_wrong_key_is_a_401_with_its_fix(
    qtbot: QtBot, opened: tuple[MainWindow, SetupPanel, SetupState], memory_keyring: MemoryKeyring
) -> None:
    _window, setup, _first = opened
    setup.easypost.key_edits[EasyPostMode.TEST].setText("EZBADKEYsetuppanel0123456789")
    check = _test_connection(qtbot, setup, EasyPostMode.TEST)
    assert check.outcome is ConnectionOutcome.WRONG_KEY
    text = setup.easypost.result_label.text()
    assert text.startswith("✘") and "Fix: Copy the test key again" in text


def test_a_production_key_is_never_sent_in_test_mode(
    qtbot: QtBot,
    opened: tuple[MainWindow, SetupPanel, SetupState],
    memory_keyring: MemoryKeyring,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _window, setup, _first = opened
    requests_before = len(sandbox.ledger())
    setup.easypost.key_edits[EasyPostMode.TEST].setText(PROD_KEY)
    check = _test_connection(qtbot, setup, EasyPostMode.TEST)
    assert check.outcome is ConnectionOutcome.WRONG_KIND
    assert "production key" in check.message and "never sends" in check.fix
    # ...nor when it comes from the environment.
    setup.easypost.key_edits[EasyPostMode.TEST].clear()
    monkeypatch.setenv("EASYPOST_API_KEY", PROD_KEY)
    assert _test_connection(qtbot, setup, EasyPostMode.TEST).outcome is (
        ConnectionOutcome.WRONG_KIND
    )
    assert len(sandbox.ledger()) == requests_before
    assert PROD_KEY not in setup.easypost.result_label.text()


def test_use_as_entered_is_allowed_with_a_recorded_warning(
    qtbot: QtBot,
    opened: tuple[MainWindow, SetupPanel, SetupState],
    memory_keyring: MemoryKeyring,
    ctx: AppContext,
    guard: ThreadGuard,
) -> None:
    _window, setup, _first = opened
    memory_keyring.store[("packdesk-easypost", "newdesk:test")] = TEST_KEY
    ship = setup.ship_from
    ship.label_edit.setText("Barn")
    values = {"name": "Bo Barn", "street1": "12 Mill Rd", "city": "Springfield",
              "state": "NY", "postal_code": "94104"}  # fmt: skip
    for name, value in values.items():
        ship.fields[name].setText(value)
    with qtbot.waitSignal(ship.verified, timeout=15_000) as verified:
        ship.save_button.click()
    assert not verified.args[0].verified  # a San Francisco ZIP is not in New York
    assert not ship.use_suggestion_button.isEnabled()
    assert "NY" in ship.compare_note.text()
    with qtbot.waitSignal(ship.saved, timeout=15_000):
        ship.use_as_entered_button.click()
    assert ship.message_bar.tone is Tone.WARNING and "recorded" in ship.message_bar.text()
    with guard.paused():
        (entry,) = ctx.audit_log.entries(action=AuditAction.SHIP_FROM_AS_ENTERED)
        (barn,) = ctx.ship_from_service.list_addresses()
    assert entry.details["label"] == "Barn" and barn.address.state == "NY"


def test_defaults_and_backup_from_the_panel(
    qtbot: QtBot, opened: tuple[MainWindow, SetupPanel, SetupState], ctx: AppContext
) -> None:
    _window, setup, _first = opened
    desk = setup.desk
    with qtbot.waitSignal(desk.loaded, timeout=15_000):
        desk.reload()
    assert desk.database_label.text() == str(ctx.database_file)
    desk.station_edit.setText("Desk 2")
    desk.reminder_spin.setValue(10)
    desk.format_combo.setCurrentIndex(desk.format_combo.findData("ZPL"))
    with qtbot.waitSignal(desk.saved, timeout=15_000):
        desk.save_button.click()
    saved = ctx.settings_store.load()
    assert (saved.desk.station, saved.desk.refund_reminder_days) == ("Desk 2", 10)
    assert saved.easypost.label_format == "ZPL"
    with qtbot.waitSignal(desk.defaults_applied, timeout=15_000) as applied:
        desk.apply_button.click()
    assert applied.args[0] == 0 and "Every group has a choice" in desk.message_bar.text()
    with qtbot.waitSignal(desk.backed_up, timeout=30_000) as backed:
        desk.backup_button.click()
    result = backed.args[0]
    assert result.path.is_file() and result.path.parent == ctx.paths.root / "backups"
    assert str(result.path) in desk.backup_label.text()


def test_the_mode_is_always_shown_and_production_cannot_be_missed(qtbot: QtBot) -> None:
    from app.ui.widgets.mode_indicator import ModeIndicator

    indicator = ModeIndicator()
    qtbot.addWidget(indicator)
    indicator.show_mode(EasyPostMode.PRODUCTION, EasyPostMode.TEST)
    assert (
        "PRODUCTION · REAL POSTAGE" in indicator.text() and "next start: test" in indicator.text()
    )
    assert "#c62828" in indicator.styleSheet() and "bold" in indicator.styleSheet()
    indicator.show_mode(EasyPostMode.SANDBOX)
    assert indicator.text().strip() == "SANDBOX · nothing is bought"


def test_a_sandbox_window_shows_its_mode_before_any_work(
    qtbot: QtBot, tmp_path: Path, guard: ThreadGuard
) -> None:
    options = RuntimeOptions(profile="sb", home=tmp_path, sandbox=True)
    with build_context(options) as ctx:
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        assert "SANDBOX" in window.mode_indicator.text()  # no I/O needed to know it
        assert window.runner.wait_for_idle(15_000)


def test_switching_to_production_is_shown_for_the_next_start_and_recorded(
    qtbot: QtBot,
    opened: tuple[MainWindow, SetupPanel, SetupState],
    ctx: AppContext,
    guard: ThreadGuard,
) -> None:
    window, setup, _first = opened
    page = setup.easypost
    with qtbot.waitSignal(page.overview_loaded, timeout=15_000):
        page.reload()
    page.mode_combo.setCurrentIndex(page.mode_combo.findData(EasyPostMode.PRODUCTION))
    with qtbot.waitSignals([page.mode_saved, setup.checklist_loaded], timeout=15_000):
        page.save_mode_button.click()
    assert page.message_bar.tone is Tone.WARNING and "real money" in page.message_bar.text()
    qtbot.waitUntil(lambda: "next start: production" in window.mode_indicator.text())
    assert "TEST MODE" in window.mode_indicator.text()  # this window still buys in test mode
    with guard.paused():
        (entry,) = ctx.audit_log.entries(action=AuditAction.SETUP_MODE_CHANGED)
    assert entry.details == {"from": "test", "to": "production"}
