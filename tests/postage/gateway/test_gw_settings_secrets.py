"""Settings JSON (typed, atomic, other sections kept) and API keys in a fake keyring."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from gw_support import MemoryKeyring

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.infra.secrets import ApiKeyStore, mask
from app.infra.settings import EasyPostMode, Settings, SettingsStore

TEST_KEY = "EZTK1234567890abcdefSECRETvalue"
PROD_KEY = "EZAK0987654321zyxwvuSECRETvalue"


def test_settings_defaults_roundtrip_and_unknown_sections(tmp_path: Path) -> None:
    store = SettingsStore(tmp_path / "p" / "settings.json")
    assert store.load() == Settings()
    desk = Address("Desk", "1 Main St", "Springfield", "62701", "US", state="IL")
    saved = store.update(mode=EasyPostMode.SANDBOX, from_address=desk, customs_signer="Pat")
    assert store.load() == saved and store.load().easypost.from_address == desk
    data = json.loads(store.path.read_text())
    data["printers"] = {"default": "zebra"}  # another helper's section
    store.path.write_text(json.dumps(data))
    store.update(concurrency=12)
    again = json.loads(store.path.read_text())
    assert again["printers"] == {"default": "zebra"} and again["easypost"]["concurrency"] == 12
    assert [p.name for p in store.path.parent.iterdir()] == ["settings.json"]  # no temp left


def test_broken_settings_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{not json")
    with pytest.raises(AppError) as caught:
        SettingsStore(path).load()
    assert str(path) in caught.value.message


def test_keys_per_profile_and_mode_kept_apart(memory_keyring: MemoryKeyring) -> None:
    desk1, desk2 = ApiKeyStore("desk1", environ={}), ApiKeyStore("desk2", environ={})
    desk1.set("test", TEST_KEY)
    desk1.set("production", PROD_KEY)
    assert desk1.get("test") == TEST_KEY and desk1.get("production") == PROD_KEY
    assert desk2.get("test") is None
    with pytest.raises(AppError, match="production key"):
        desk2.set("test", PROD_KEY)
    with pytest.raises(AppError, match="test key"):
        desk2.set("production", TEST_KEY)
    status = desk1.status("test")
    assert (
        status.source == "keyring"
        and TEST_KEY not in status.masked
        and status.masked.endswith("alue")
    )
    assert desk1.clear("test") and not desk1.clear("test")
    assert desk1.status("test").source == "none"
    with pytest.raises(AppError) as caught:
        desk1.require("test")
    assert caught.value.kind is ErrorKind.AUTH and "key set" in caught.value.hint
    with pytest.raises(AppError):
        desk1.get("sandbox")


def test_environment_key_wins(memory_keyring: MemoryKeyring) -> None:
    store = ApiKeyStore("desk1", environ={"EASYPOST_API_KEY": TEST_KEY})
    assert store.get("test") == TEST_KEY
    assert store.status("test").source == "env"
    # ...but never in the other mode (tests/infra/test_key_kind.py).
    assert "it will not be sent" in store.status("production").problem


def test_locked_keyring_is_a_secrets_error_without_the_key(
    memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    store = ApiKeyStore("desk1", environ={})
    memory_keyring.locked = True
    caplog.set_level(logging.DEBUG)
    for action in (lambda: store.get("test"), lambda: store.set("test", TEST_KEY)):
        with pytest.raises(AppError) as caught:
            action()
        assert caught.value.kind is ErrorKind.SECRETS and "keyring" in caught.value.hint.lower()
        assert TEST_KEY not in str(caught.value) and TEST_KEY not in repr(caught.value.details)
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert TEST_KEY not in caplog.text


def test_mask() -> None:
    assert mask(TEST_KEY) == "EZTK…alue" and mask("") == "" and mask("short") == "…"
