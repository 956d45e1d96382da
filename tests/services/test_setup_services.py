"""The services behind the Setup panel, wired by the real context against the offline sandbox:
test connection and its answers, the checklist, ship-from edit/verify/"use as entered", station."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.bootstrap import AppContext, RuntimeOptions, build_context
from app.domain.orders import Address
from app.infra.settings import EasyPostMode
from app.postage.sandbox.server import SandboxServer
from app.services.audit import AuditAction
from app.services.easypost_setup import ConnectionOutcome
from tests.keyrings import MemoryKeyring, no_keyring, using_keyring

TEST_KEY = "EZTKsetupservice0123456789SECRET"
PROD_KEY = "EZAKsetupservice0123456789SECRET"
DESK = Address("Ann Packer", "417 montgomery st", "San Francisco", "94104", "US", state="CA")


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    with SandboxServer(tmp_path / "sandbox-state.json") as server:
        yield server


@pytest.fixture
def ctx(tmp_path: Path, sandbox: SandboxServer) -> Iterator[AppContext]:
    with build_context(RuntimeOptions(profile="desk", home=tmp_path)) as context:
        context.settings_store.update(mode=EasyPostMode.TEST, api_base=sandbox.api_base)
        yield context


def test_connection_answers_each_with_its_fix(ctx: AppContext) -> None:
    service = ctx.easypost_setup_service
    with using_keyring(MemoryKeyring()):
        missing = service.test_connection(EasyPostMode.TEST)
        assert missing.outcome is ConnectionOutcome.NO_KEY and "API Keys" in missing.fix
        wrong = service.test_connection(EasyPostMode.TEST, "EZBADKEY0123456789")
        assert wrong.outcome is ConnectionOutcome.WRONG_KEY and "dashboard" in wrong.fix
        kind = service.test_connection(EasyPostMode.TEST, PROD_KEY)
        assert kind.outcome is ConnectionOutcome.WRONG_KIND and "never sends" in kind.fix
        service.set_key(EasyPostMode.TEST, TEST_KEY)
        ok = service.test_connection(EasyPostMode.TEST)
        assert ok.ok, ok
        assert service.test_connection(EasyPostMode.SANDBOX).ok
        overview = service.overview()
        assert overview.keyring.available and overview.keys[0].source == "keyring"
    for check in (missing, wrong, kind, ok):
        assert TEST_KEY not in repr(check) and PROD_KEY not in repr(check)


def test_connection_network_down(ctx: AppContext) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx.settings_store.update(api_base=f"http://127.0.0.1:{port}/v2")
    check = ctx.easypost_setup_service.test_connection(EasyPostMode.TEST, TEST_KEY)
    assert check.outcome is ConnectionOutcome.NETWORK and "internet" in check.fix


def test_production_key_from_the_environment_is_not_sent_in_test_mode(
    ctx: AppContext, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EASYPOST_API_KEY", PROD_KEY)
    before = len(sandbox.ledger())
    with using_keyring(MemoryKeyring()):
        check = ctx.easypost_setup_service.test_connection(EasyPostMode.TEST)
    assert check.outcome is ConnectionOutcome.WRONG_KIND
    assert len(sandbox.ledger()) == before


def test_no_keyring_backend_is_an_answer_with_the_fixes(ctx: AppContext) -> None:
    with using_keyring(no_keyring()):
        check = ctx.easypost_setup_service.test_connection(EasyPostMode.TEST)
        assert check.outcome is ConnectionOutcome.NO_KEYRING and "gnome-keyring" in check.fix
        state = ctx.setup_checklist_service.check()
        (key_item,) = [i for i in state.items if i.key == "easypost_key"]
        assert not key_item.done and "KWallet" in key_item.fix


def test_checklist_from_empty_to_complete(ctx: AppContext) -> None:
    with using_keyring(MemoryKeyring()):
        state = ctx.setup_checklist_service.check()
        assert [i.key for i in state.missing] == ["easypost_key", "ship_from", "printer"]
        ctx.easypost_setup_service.set_key(EasyPostMode.TEST, TEST_KEY)
        ctx.ship_from_service.add("Studio", DESK)
        ctx.printer_setup_service.add("desk", "virtual://setup-checklist")
        state = ctx.setup_checklist_service.check()
        assert state.complete and state.running_mode is EasyPostMode.TEST


def test_verify_shows_corrections_and_use_as_entered_is_audited(ctx: AppContext) -> None:
    with using_keyring(MemoryKeyring()):
        ctx.easypost_setup_service.set_key(EasyPostMode.TEST, TEST_KEY)
        typed = Address("Ann Packer", "417 Montgomery Street", "San Francisco", "94104", "US")
        check = ctx.ship_from_service.verify(typed)
        wrong_state = ctx.ship_from_service.verify(dataclasses.replace(typed, state="NY"))
    # The sandbox fills in the ZIP's state and writes the street the USPS way.
    fields = {field: (before, after) for field, before, after in check.differences}
    assert check.verified and fields == {
        "state": ("", "CA"),
        "street1": ("417 Montgomery Street", "417 MONTGOMERY ST"),
    }
    assert not wrong_state.verified and wrong_state.suggested is None
    assert any("NY" in problem for problem in wrong_state.problems)
    ctx.ship_from_service.add("Studio", wrong_state.typed, as_entered=wrong_state)
    (entry,) = ctx.audit_log.entries(action=AuditAction.SHIP_FROM_AS_ENTERED)
    assert entry.details["label"] == "Studio" and entry.details["verified"] is False
    # Taking the suggestion records nothing more.
    assert check.suggested is not None
    ctx.ship_from_service.update("Studio", check.suggested, new_label="Home")
    (home,) = ctx.ship_from_service.list_addresses()
    assert (home.label, home.address.state, home.is_default) == ("Home", "CA", True)
    assert len(ctx.audit_log.entries(action=AuditAction.SHIP_FROM_AS_ENTERED)) == 1


def test_station_name_from_setup_goes_into_the_audit_log(tmp_path: Path) -> None:
    with build_context(RuntimeOptions(profile="st", home=tmp_path)) as ctx:
        ctx.settings_store.update_desk(station="Desk 3")
    with build_context(RuntimeOptions(profile="st", home=tmp_path)) as ctx:
        entry = ctx.audit_log.record(AuditAction.SETUP_MODE_CHANGED, details={"mode": "test"})
        assert entry.station == "Desk 3"


def test_a_mode_change_is_saved_for_the_next_start_and_recorded(ctx: AppContext) -> None:
    with using_keyring(MemoryKeyring()):
        overview = ctx.easypost_setup_service.set_mode(EasyPostMode.PRODUCTION)
    assert overview.saved_mode is EasyPostMode.PRODUCTION
    assert overview.running_mode is EasyPostMode.TEST  # this run keeps its mode
    (entry,) = ctx.audit_log.entries(action=AuditAction.SETUP_MODE_CHANGED)
    assert entry.details == {"from": "test", "to": "production"}


def test_desk_defaults_are_checked_and_the_station_applies_at_once(ctx: AppContext) -> None:
    from app.domain.errors import AppError, ErrorKind
    from app.infra.settings import DeskDefaults

    service = ctx.desk_settings_service
    assert ctx.audit_log.station  # the running app's log exists before the change
    saved = service.save(DeskDefaults(station="  Desk   4 ", refund_reminder_days=10), "zpl")
    assert (saved.desk.station, saved.easypost.label_format) == ("Desk 4", "ZPL")
    entry = ctx.audit_log.record(AuditAction.SETUP_MODE_CHANGED, details={})
    assert entry.station == "Desk 4"
    for bad, fmt in (
        (DeskDefaults(refund_reminder_days=31), "PNG"),
        (DeskDefaults(station="x" * 41), "PNG"),
        (DeskDefaults(station="bell\x07"), "PNG"),
        (DeskDefaults(), "GIF"),
    ):
        with pytest.raises(AppError) as caught:
            service.save(bad, fmt)
        assert caught.value.kind is ErrorKind.INVALID_INPUT
    assert ctx.settings_store.load().desk.station == "Desk 4"  # nothing half saved
