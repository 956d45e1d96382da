"""ctx.settings / ctx.gateway wiring (--sandbox, --api-base, keys) and the key/address/rates CLI."""

from __future__ import annotations

import io
import json

import pytest
import requests
from gw_support import API_KEY, MemoryKeyring

from app.bootstrap import RuntimeOptions, build_context
from app.cli.main import main
from app.domain.errors import AppError, ErrorKind
from app.infra.settings import EasyPostMode
from app.postage.gateway import PRODUCTION_API_BASE, is_loopback
from app.postage.sandbox.server import SandboxServer


def test_sandbox_mode_starts_and_stops_the_profiles_sandbox() -> None:
    ctx = build_context(RuntimeOptions(sandbox=True))
    assert ctx.easypost_mode is EasyPostMode.SANDBOX
    gateway = ctx.gateway
    assert is_loopback(gateway.api_base) and gateway is ctx.gateway
    health = requests.get(gateway.api_base.replace("/v2", "/_sandbox/health"), timeout=5)
    assert health.json()["ok"]
    ctx.close()
    assert ctx.paths.sandbox_state.exists()  # the day's history survives
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(gateway.api_base.replace("/v2", "/_sandbox/health"), timeout=5)


def test_api_base_override_and_env(
    sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    with build_context(RuntimeOptions(api_base=sandbox.api_base)) as ctx:
        assert ctx.gateway.api_base == sandbox.api_base  # loopback: no key needed
        assert "sandbox_server" not in ctx.__dict__  # no second sandbox was started
    monkeypatch.setenv("EASYPOST_API_BASE", sandbox.api_base)
    with build_context(RuntimeOptions()) as ctx:
        assert ctx.gateway.api_base == sandbox.api_base


def test_real_easypost_needs_the_modes_key(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    with build_context(RuntimeOptions()) as ctx, pytest.raises(AppError) as caught:
        _ = ctx.gateway
    assert caught.value.kind is ErrorKind.AUTH and "key set --mode test" in caught.value.hint
    with build_context(RuntimeOptions()) as ctx:
        ctx.api_keys.set("test", API_KEY)
        assert ctx.gateway.api_base == PRODUCTION_API_BASE  # built, nothing sent
        assert API_KEY not in repr(ctx.gateway)
    with build_context(RuntimeOptions()) as ctx:
        ctx.settings_store.update(mode=EasyPostMode.PRODUCTION)
    with build_context(RuntimeOptions()) as ctx, pytest.raises(AppError):
        _ = ctx.gateway  # the test key is not used for production


def test_cli_key_set_status_clear(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(API_KEY + "\n"))
    assert main(["key", "set", "--mode", "test", "--stdin"]) == 0
    assert memory_keyring.store[("packdesk-easypost", "default:test")] == API_KEY
    assert main(["key", "status", "--json"]) == 0
    assert main(["key", "clear", "--mode", "test"]) == 0
    out = capsys.readouterr()
    assert API_KEY not in out.out + out.err
    status = json.loads(out.out.split("\n}\n")[0].split("\n", 1)[1] + "\n}")
    assert status["keys"][0] == {
        "mode": "test",
        "source": "keyring",
        "masked": "EZTK…cdef",
        "problem": "",
    }
    assert ("packdesk-easypost", "default:test") not in memory_keyring.store


def test_cli_rates_and_address_against_the_sandbox(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--sandbox", "rates", "--to-zip", "90277", "--to-state", "CA", "--from-zip", "94104",
            "--weight-oz", "12", "--dims", "9x6x2", "--json"]  # fmt: skip
    assert main(args) == 0
    quote = json.loads(capsys.readouterr().out)
    assert quote["shipment_id"].startswith("shp_")
    assert "GroundAdvantage" in {rate["service"] for rate in quote["rates"]}
    assert main(["--sandbox", "rates", "--to-zip", "90277", "--weight-oz", "8"]) == 1
    assert "desk (from) address" in capsys.readouterr().err
    verify = ["--sandbox", "address", "verify", "--street1", "179 N Harbor Dr",
              "--city", "Redondo Beach", "--state", "CA", "--zip", "90277"]  # fmt: skip
    assert main(verify) == 0
    assert "corrected zip" in capsys.readouterr().out
    bad = ["--sandbox", "address", "verify", "--street1", "1 Nowhere", "--city", "X",
           "--state", "ZZ", "--zip", "00001", "--strict"]  # fmt: skip
    assert main(bad) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "hint: " in err
