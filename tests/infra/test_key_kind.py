"""Issue 8 item 5: the kind of key is checked wherever it comes from, $EASYPOST_API_KEY too.

A production key (EZAK...) is never sent in test mode, a test key (EZTK...) never in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.errors import AppError, ErrorKind
from app.infra.secrets import ApiKeyStore, key_kind
from tests.keyrings import MemoryKeyring, using_keyring

TEST_KEY = "EZTKkindtest0123456789abcdefSECRET"
PROD_KEY = "EZAKkindprod0123456789abcdefSECRET"


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    with using_keyring(MemoryKeyring()) as backend:
        assert isinstance(backend, MemoryKeyring)
        yield backend


def test_key_kind_by_prefix() -> None:
    assert key_kind(TEST_KEY) == "test"
    assert key_kind(PROD_KEY) == "production"
    assert key_kind("EZBADKEYwhatever") == ""  # unknown: the server decides


@pytest.mark.parametrize(("mode", "wrong"), [("test", PROD_KEY), ("production", TEST_KEY)])
def test_environment_key_of_the_other_kind_is_refused(
    memory: MemoryKeyring, mode: str, wrong: str
) -> None:
    store = ApiKeyStore("desk1", environ={"EASYPOST_API_KEY": wrong})
    for read in (store.get, store.require):
        with pytest.raises(AppError) as caught:
            read(mode)
        error = caught.value
        assert error.kind is ErrorKind.AUTH and error.details["key_kind"] != mode
        assert "EASYPOST_API_KEY" in error.message + error.hint
        assert wrong not in str(error) and wrong not in repr(error.details)


def test_keyring_key_of_the_other_kind_is_refused(memory: MemoryKeyring) -> None:
    # Stored by hand or by an older version that did not check: refused when read, too.
    memory.store[("packdesk-easypost", "desk1:test")] = PROD_KEY
    with pytest.raises(AppError, match="production key"):
        ApiKeyStore("desk1", environ={}).get("test")


def test_key_of_the_right_kind_is_used(memory: MemoryKeyring) -> None:
    assert ApiKeyStore("d", environ={"EASYPOST_API_KEY": TEST_KEY}).get("test") == TEST_KEY
    assert ApiKeyStore("d", environ={"EASYPOST_API_KEY": PROD_KEY}).get("production") == PROD_KEY


def test_the_gateway_is_never_built_with_a_production_key_in_test_mode(
    memory: MemoryKeyring, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reported path: the profile says test, $EASYPOST_API_KEY holds a production key.
    from app.bootstrap import RuntimeOptions, build_context
    from app.infra.settings import EasyPostMode

    monkeypatch.setenv("EASYPOST_API_KEY", PROD_KEY)
    with build_context(RuntimeOptions(profile="desk", home=tmp_path)) as ctx:
        ctx.settings_store.update(mode=EasyPostMode.TEST)
        with pytest.raises(AppError) as caught:
            _ = ctx.gateway
        assert caught.value.kind is ErrorKind.AUTH and "production key" in caught.value.message
        assert PROD_KEY not in str(caught.value)
