"""One add-printer service for the CLI and the GUI: the same checks, the same refusals, the same
default after a removal (issue 9: the CLI checked URI and model and the GUI did not; only the GUI
refused duplicates; the default after a removal differed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.main import main
from app.domain.errors import AppError, ErrorKind
from app.infra.paths import profile_paths
from app.infra.settings import ConfiguredPrinter, PrinterSettings, SettingsStore
from app.services.print_queue import open_configured_printer
from app.services.printer_setup import PrinterSetupService, with_printer, without_printer
from printers.printer import Printer


def _cli(*args: str) -> int:
    return main(["printers", *args])


def _settings(home: Path) -> SettingsStore:
    return SettingsStore(profile_paths("default", home).settings)


def _service(home: Path) -> PrinterSetupService:
    return PrinterSetupService(_settings(home), open_configured_printer)


BAD = [
    ("desk", "not-a-uri", "", ErrorKind.PRINTER),  # no scheme
    ("desk", "usb://zz:1", "", ErrorKind.PRINTER),  # not hex ids
    ("desk", "virtual://ok", "no-such-model", ErrorKind.INVALID_INPUT),
    ("a://b", "virtual://ok", "", ErrorKind.INVALID_INPUT),  # a URI is not a name
    ("  ", "virtual://ok", "", ErrorKind.INVALID_INPUT),
]


@pytest.mark.parametrize(("name", "uri", "model", "kind"), BAD)
def test_cli_and_gui_refuse_the_same_printers(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str], name: str, uri: str, model: str,
    kind: ErrorKind,
) -> None:  # fmt: skip
    argv = ["add", name, uri, *(["--model", model] if model else [])]
    assert _cli(*argv) != 0
    cli_error = capsys.readouterr().err
    with pytest.raises(AppError) as gui:  # what the Setup panel (and the dialog) call
        with_printer(PrinterSettings(), ConfiguredPrinter(name, uri, model))
    assert gui.value.kind is kind and gui.value.message in cli_error
    assert _settings(_isolated_home).load().printers == PrinterSettings()


def test_duplicates_refused_by_both_by_name_and_by_uri(
    _isolated_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _cli("add", "desk", "virtual://desk") == 0
    assert _cli("add", "desk", "virtual://other") != 0  # same name
    assert _cli("add", "again", "VIRTUAL://desk") != 0  # same printer, other spelling
    assert capsys.readouterr().err.count("configured already") == 2
    service = _service(_isolated_home)
    for name, uri in (("desk", "virtual://other"), ("again", "virtual://desk")):
        with pytest.raises(AppError) as caught:
            service.add(name, uri)
        assert caught.value.kind is ErrorKind.CONFLICT
    assert [p.name for p in service.printers().configured] == ["desk"]


def test_default_after_removal_is_the_same_whoever_removes(_isolated_home: Path) -> None:
    settings = PrinterSettings()
    for name in ("a", "b", "c"):
        settings = with_printer(settings, ConfiguredPrinter(name, f"virtual://{name}"))
    settings = with_printer(settings, ConfiguredPrinter("d", "virtual://d"), make_default=True)
    assert settings.default == "d"
    gui = without_printer(settings, "d")  # what the panel does
    _settings(_isolated_home).update_printers(settings)
    assert _cli("remove", "d") == 0  # what the CLI does
    cli = _settings(_isolated_home).load().printers
    assert cli == gui and gui.default == "a"  # the first printer left, both ways
    # Removing a printer that is not the default keeps the default.
    assert without_printer(gui, "b").default == "a"
    assert without_printer(PrinterSettings((ConfiguredPrinter("x", "virtual://x"),), "x"), "x") == (
        PrinterSettings()
    )


def test_the_cli_stores_the_canonical_uri_like_the_panel(_isolated_home: Path) -> None:
    assert _cli("add", "zebra", "tcp://192.168.1.50") == 0
    (stored,) = _settings(_isolated_home).load().printers.configured
    service_side = with_printer(PrinterSettings(), ConfiguredPrinter("zebra", "tcp://192.168.1.50"))
    assert stored == service_side.configured[0]
    assert stored.uri == "tcp://192.168.1.50:9100"


def test_options_status_and_test_label_on_a_virtual_printer(_isolated_home: Path) -> None:
    service = _service(_isolated_home)
    service.add("desk", "virtual://setup-test")
    changed = service.set_options("desk", model="zd421-203", label_format="zpl", media="4x6 roll")
    (desk,) = changed.configured
    assert (desk.model, desk.label_format, desk.media) == ("zd421-203", "ZPL", "4x6 roll")
    check = service.status("desk")
    assert check.ok and check.model == "zd421-203"
    assert service.print_test_label() == "desk"
    with pytest.raises(AppError) as caught:
        service.set_options("nope", model="", label_format="", media="")
    assert caught.value.kind is ErrorKind.NOT_FOUND


def test_status_of_a_printer_a_running_queue_holds_comes_from_the_queue(
    _isolated_home: Path,
) -> None:
    from app.domain.printing import QueueState
    from app.services.print_queue import QueueStatus
    from printers.status import PrinterState, PrinterStatus

    class Queue:
        def status(self) -> QueueStatus:
            paper_out = PrinterStatus(PrinterState.PAPER_OUT, message="paper out")
            return QueueStatus("usb://0a5f:0185", "desk", "zd421-203", QueueState.PAUSED,
                               None, paper_out, 3, (), None, 0)  # fmt: skip

    def must_not_open(uri: str, model: str | None) -> Printer:
        raise AssertionError("a printer a queue holds is not opened a second time")

    service = PrinterSetupService(
        _settings(_isolated_home), must_not_open, running_queues=lambda: [Queue()]
    )
    service.add("desk", "USB://0A5F:0185")
    check = service.status("desk")
    assert (check.ok, check.state, check.message) == (False, "paper_out", "paper out")


def test_no_test_label_in_the_middle_of_a_queue_s_labels(_isolated_home: Path) -> None:
    from app.domain.printing import QueueState
    from app.services.print_queue import QueueStatus

    class Busy:
        def status(self) -> QueueStatus:
            return QueueStatus("virtual://busy", "busy", "zd421-203", QueueState.PRINTING,
                               None, None, 5, (), 12, 3)  # fmt: skip

    service = PrinterSetupService(
        _settings(_isolated_home), open_configured_printer, running_queues=lambda: [Busy()]
    )
    service.add("busy", "virtual://busy")
    with pytest.raises(AppError) as caught:
        service.print_test_label("busy")
    assert caught.value.kind is ErrorKind.CONFLICT and "idle" in caught.value.hint


def test_unknown_media_is_refused_in_plain_words() -> None:
    from app.services.printer_setup import MEDIA_CHOICES

    assert "4x6 continuous" in MEDIA_CHOICES
    printer = ConfiguredPrinter("desk", "virtual://desk", media="4x6 on 8.5x11 sheet")
    with pytest.raises(AppError, match="not label media") as caught:
        with_printer(PrinterSettings(), printer)
    assert caught.value.kind is ErrorKind.INVALID_INPUT and "4x6 roll" in (caught.value.hint or "")
