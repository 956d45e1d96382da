"""`packdesk --self-test`: the report, its exit code, and each desk check on its own."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
import threading
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from app.cli import self_test_cmd
from app.domain.errors import AppError, ErrorKind
from app.services import self_test_checks, self_test_devices, self_test_labels
from app.services.self_test import (
    Check,
    Outcome,
    SelfTestWarning,
    format_result,
    run_check,
    run_self_test,
)


def _ticks(step: float = 0.5) -> object:
    """A fake clock: each reading is `step` seconds after the one before."""
    counter = itertools.count()
    return lambda: next(counter) * step


def _fails_with_app_error() -> str:
    raise AppError(
        "The database is locked.", hint="Close the other Packdesk.", kind=ErrorKind.DATABASE
    )


def _warns() -> str:
    raise SelfTestWarning("no keyring backend", "set EASYPOST_API_KEY")


def _has_a_bug() -> str:
    raise ValueError("unexpected None")


def test_report_of_passing_checks_exits_0_and_times_each() -> None:
    checks = [Check("imports", lambda: "176 modules"), Check("keyring", _warns)]
    report = run_self_test(checks, "Packdesk self-test", clock=_ticks())  # type: ignore[arg-type]

    assert report.exit_code == 0
    assert [r.outcome for r in report.results] == [Outcome.OK, Outcome.WARN]
    assert [r.seconds for r in report.results] == [0.5, 0.5]
    text = report.text()
    assert text.splitlines()[0] == "Packdesk self-test"
    assert "  ok    imports     0.50 s  176 modules" in text
    assert "  warn  keyring     0.50 s  no keyring backend" in text
    assert "fix: set EASYPOST_API_KEY" in text
    assert text.endswith("self-test PASSED in 2.5 s (target 15 s): 1 ok, 1 warning, 0 failed")


def test_a_failing_check_exits_1_with_its_reason_and_fix() -> None:
    checks = [Check("imports", lambda: "fine"), Check("migration", _fails_with_app_error)]
    report = run_self_test(checks, "header")

    assert report.exit_code == 1
    failed = report.results[1]
    assert failed.outcome is Outcome.FAIL
    assert failed.detail == "The database is locked."
    assert failed.fix == "Close the other Packdesk."
    lines = format_result(failed).splitlines()
    assert lines[0].startswith("  FAIL  migration ")
    assert lines[0].endswith("The database is locked.")
    assert lines[1].strip() == "fix: Close the other Packdesk."
    assert "FAILED" in report.summary()
    assert "1 failed" in report.summary()


def test_an_unexpected_exception_is_a_failure_that_names_it_not_a_traceback() -> None:
    result = run_check(Check("pdf", _has_a_bug))

    assert result.outcome is Outcome.FAIL
    assert result.detail == "ValueError: unexpected None"
    assert "report" in result.fix
    assert "Traceback" not in format_result(result)


def test_later_checks_still_run_after_a_failure() -> None:
    ran: list[str] = []

    def later() -> str:
        ran.append("later")
        return "ok"

    report = run_self_test([Check("a", _has_a_bug), Check("b", later)], "header")

    assert ran == ["later"]
    assert [r.outcome for r in report.results] == [Outcome.FAIL, Outcome.OK]


def test_command_prints_each_line_and_returns_the_exit_code() -> None:
    out = io.StringIO()

    code = self_test_cmd.run([Check("usb", lambda: "no printer"), Check("pdf", _has_a_bug)], out)

    assert code == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Packdesk ") and "self-test (source " in lines[0]
    assert lines[1].startswith("  ok    usb ")
    assert lines[2].startswith("  FAIL  pdf ")
    assert lines[-1].startswith("self-test FAILED in ")


# --- the desk checks themselves ----------------------------------------------------------------


def test_import_check_imports_every_module() -> None:
    assert "modules of app and printers" in self_test_checks.import_check()


def test_import_check_names_a_module_that_will_not_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(self_test_checks, "LAZY_MODULES", ("packdesk_no_such_module",))
    with pytest.raises(AppError, match="Cannot import packdesk_no_such_module") as info:
        self_test_checks.import_check()
    assert "Reinstall" in info.value.hint


def test_migration_check_creates_a_database_and_upgrades_another(tmp_path: Path) -> None:
    from app.store import head_revision

    finding = self_test_checks.migration_check(tmp_path)

    assert f"migrations up to schema {head_revision()}" in finding
    assert finding.endswith("upgraded, backup packdesk.sqlite3.bak-0001 kept")
    assert (tmp_path / "profiles" / "self-test" / "packdesk.sqlite3").is_file()
    upgraded = tmp_path / "profiles" / "self-test-upgrade"
    assert (upgraded / "packdesk.sqlite3.bak-0001").is_file()


def test_keyring_check_without_a_backend_warns_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        with pytest.raises(SelfTestWarning) as info:
            self_test_checks.keyring_check()
    finally:
        keyring.set_keyring(previous)
    assert "no keyring backend" in info.value.detail
    assert "EASYPOST_API_KEY" in info.value.fix


def test_usb_check_without_libusb_fails_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    import libusb_package

    monkeypatch.setattr(libusb_package, "get_libusb1_backend", lambda: None)
    with pytest.raises(AppError, match=r"libusb-1\.0 could not be loaded") as info:
        self_test_devices.usb_check()
    assert "Reinstall Packdesk" in info.value.hint


def test_usb_check_lists_the_printers_on_the_bus(monkeypatch: pytest.MonkeyPatch) -> None:
    import libusb_package

    from printers.emulators.usb_backend import backend_from_spec

    backend = backend_from_spec("zd421-203")
    monkeypatch.setattr(libusb_package, "get_libusb1_backend", lambda: backend)
    try:
        finding = self_test_devices.usb_check()
    finally:
        backend.close()
    assert "usb://0a5f:" in finding
    assert "ZD421" in finding


def test_qt_check_reports_the_childs_finding() -> None:
    command = [sys.executable, "-c", "print('qt: platform plugin xcb')"]
    assert self_test_devices.qt_check(command) == "platform plugin xcb"


def test_qt_check_failure_names_qts_reason_and_the_libraries_to_install() -> None:
    script = (
        "import sys; sys.stderr.write('qt.qpa.plugin: Could not load the Qt platform plugin "
        '"xcb" in "" even though it was found.\\nThis application failed to start\\n\'); '
        "sys.exit(134)"
    )
    with pytest.raises(AppError) as info:
        self_test_devices.qt_check([sys.executable, "-c", script])
    assert "exit 134" in info.value.message
    assert 'Could not load the Qt platform plugin "xcb"' in info.value.message
    if sys.platform.startswith("linux"):
        assert "libxcb-cursor0" in info.value.hint


def test_sandbox_round_trip_then_print_scan_the_label(tmp_path: Path) -> None:
    sandbox, print_virtual = self_test_labels.sandbox_and_print_checks(tmp_path)

    bought = run_check(sandbox)
    printed = run_check(print_virtual)

    assert bought.outcome is Outcome.OK, bought
    assert "scans as 94" in bought.detail
    assert "own Code 128 reader" in bought.detail
    assert printed.outcome is Outcome.OK, printed
    assert printed.detail.endswith("the printed barcodes scan")
    assert "zd421-203 (zpl" in printed.detail and "dymo-5xl (" in printed.detail
    for model in self_test_labels.VIRTUAL_MODELS:
        assert list((tmp_path / "virtual-printers" / model).rglob("label-*.png"))


def test_print_check_without_a_bought_label_says_why(tmp_path: Path) -> None:
    _sandbox, print_virtual = self_test_labels.sandbox_and_print_checks(tmp_path)

    result = run_check(print_virtual)

    assert result.outcome is Outcome.FAIL
    assert "sandbox check bought no label" in result.detail


def test_pdf_check_renders_and_reads_back(tmp_path: Path) -> None:
    finding = self_test_labels.pdf_check(tmp_path)

    assert finding.startswith("1 page")
    assert (tmp_path / "self-test.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_whole_self_test_passes_here_within_its_budget() -> None:
    out = io.StringIO()

    code = self_test_cmd.run(out=out)

    text = out.getvalue()
    assert code == 0, text
    for name in ("imports", "migration", "keyring", "usb", "qt", "sandbox", "print", "pdf"):
        assert f"  {name} " in text
    assert "self-test PASSED" in text


def test_keyring_check_without_a_backend_passes_when_the_env_key_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EASYPOST_API_KEY", "EZTK" + "x" * 28)
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        finding = self_test_checks.keyring_check()
    finally:
        keyring.set_keyring(previous)
    assert finding.endswith("EASYPOST_API_KEY is set")
    assert "EZTK" not in finding  # the key itself is never shown


def test_a_check_that_hangs_fails_after_its_timeout_and_the_rest_still_run() -> None:
    release = threading.Event()

    def hangs() -> str:
        release.wait(30)
        return "too late"

    try:
        report = run_self_test(
            [Check("keyring", hangs, timeout_s=0.2, stuck_fix="log in again"), Check("b", str)],
            "header",
        )
    finally:
        release.set()
    stuck = report.results[0]
    assert stuck.outcome is Outcome.FAIL
    assert stuck.detail == "did not finish within 0.2 s"
    assert stuck.fix == "log in again"
    assert report.results[1].outcome is Outcome.OK
    assert report.exit_code == 1


def test_qt_check_reads_the_finding_from_its_file_when_the_child_has_no_stdout() -> None:
    # A windowed Windows build may have no stdout: the child writes the file it was given.
    script = (
        "import os, pathlib, sys; sys.stdout.close(); "
        "pathlib.Path(os.environ['PACKDESK_SELF_TEST_QT_REPORT']).write_text('qt: windows')"
    )
    assert self_test_devices.qt_check([sys.executable, "-c", script]) == "windows"


def test_the_qt_child_and_the_parent_agree_on_the_report_variable() -> None:
    from app.ui.self_test_qt import REPORT_ENV

    assert REPORT_ENV == self_test_devices.QT_REPORT_ENV


def test_a_module_that_fails_on_import_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> object:
        raise OSError("resources/fonts/DejaVuSans.ttf: no such file")

    monkeypatch.setattr(self_test_checks.importlib, "import_module", broken)
    monkeypatch.setattr(self_test_checks, "LAZY_MODULES", ("app.documents.fonts",))
    with pytest.raises(AppError, match=r"Importing app\.documents\.fonts failed: OSError"):
        self_test_checks._import("app.documents.fonts")


def test_a_slow_run_says_so_without_failing() -> None:
    report = run_self_test([Check("a", lambda: "ok")], "header", clock=_ticks(20.0))  # type: ignore[arg-type]

    assert report.exit_code == 0
    assert report.summary().endswith("slower than it should be: is the PC busy?")


def test_spooler_queues_come_from_lpstat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(self_test_devices.shutil, "which", lambda name: f"/usr/bin/{name}")
    calls: list[list[str]] = []

    def lpstat(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(command)
        return subprocess.CompletedProcess(command, 0, "Zebra_ZD421\nDYMO_5XL\n", "")

    assert self_test_devices.spooler_queues(lpstat) == ["DYMO_5XL", "Zebra_ZD421"]
    assert calls == [["/usr/bin/lpstat", "-e"]]


def test_no_spooler_means_no_queues(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(self_test_devices.shutil, "which", lambda _name: None)
    assert self_test_devices.spooler_queues() == []


def test_a_broken_sandbox_is_reported_with_its_own_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.postage.sandbox import labels

    def lost_font(_layout: object) -> bytes:  # as if the bundle lost reportlab's fonts
        raise OSError("cannot open resource")

    monkeypatch.setattr(labels, "render_png", lost_font)
    sandbox, _print = self_test_labels.sandbox_and_print_checks(tmp_path)

    result = run_check(sandbox)

    assert result.outcome is Outcome.FAIL
    assert result.detail == "The offline sandbox failed: OSError: cannot open resource"
    assert "Reinstall Packdesk" in result.fix  # not "EasyPost may be having trouble"
    assert result.seconds < 5  # fast retries against the local server


def test_qt_child_finding_of_its_own_is_a_build_problem() -> None:
    script = (
        'import sys; sys.stderr.write("error: Packdesk\'s icon packdesk.svg did not draw\\n"); '
        "sys.exit(1)"
    )
    with pytest.raises(AppError) as info:
        self_test_devices.qt_check([sys.executable, "-c", script])
    assert info.value.message == "Qt started, but Packdesk's icon packdesk.svg did not draw"
    assert "Reinstall Packdesk" in info.value.hint
