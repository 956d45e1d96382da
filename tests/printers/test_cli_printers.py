"""`python -m printers`: every subcommand against emulated printers and the virtual printer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from printers.__main__ import main
from printers.imaging import Bitmap, RasterLabel, load_label
from printers.models import get_model
from printers.pipeline import encode_label, page_bitmap
from tests.printers.corpus.make_corpus import CorpusLabel
from tests.printers.emulators.fixtures import (  # noqa: F401 (pytest fixtures)
    MakeBackend,
    default_emulated_usb_fixture,
    emulated_usb_fixture,
)

REPO = Path(__file__).resolve().parents[2]


def expected_page(path: Path, model_name: str) -> Bitmap:
    model = get_model(model_name)
    label = load_label(path.read_bytes(), model)
    assert isinstance(label, RasterLabel)
    return page_bitmap(label, model)


def test_models_lists_a_name_per_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models"]) == 0
    names = {line.split()[0] for line in capsys.readouterr().out.splitlines()}
    assert {"zpl-203", "zpl-300", "zd421-203", "zd421-300", "lp2844", "dymo-4xl"} <= names
    assert "dymo-5xl" in names


def test_models_sources_name_each_pid_source_and_the_open_values(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["models", "--sources"]) == 0
    out = capsys.readouterr().out
    assert "USB 0a5f:0027 from usb.ids 2025.07.26" in out  # LP2844-Z
    assert "USB 0922:002a from LabelWriter 550 Series Technical Reference Manual" in out
    assert "Not confirmed on real hardware" in out and "dymo-5xl.head_width_dots = 1248" in out


def test_decode_can_read_bang_as_zebrash_does(tmp_path: Path) -> None:
    job = tmp_path / "bang.zpl"
    job.write_bytes(b"^XA^PW8^LL1^FO0,0^GFA,1,1,1,0!^FS^XZ")
    pages = {}
    for reading in ("fill-ones", "hex-one"):
        png = tmp_path / f"{reading}.png"
        assert (
            main(["decode", "--model", "zpl-203", str(job), "-o", str(png), "--zpl-bang", reading])
            == 0
        )
        with Image.open(png) as image:
            pages[reading] = Bitmap.from_image(image).crop(0, 0, 8, 1)
    assert pages == {"fill-ones": Bitmap(8, 1, b"\x0f"), "hex-one": Bitmap(8, 1, b"\x01")}


@pytest.mark.parametrize("model", ["zd421-203", "zd421-300", "lp2844", "dymo-4xl", "dymo-5xl"])
def test_encode_writes_exactly_the_printer_bytes_and_decode_renders_them(
    model: str, label_corpus: dict[str, CorpusLabel], tmp_path: Path
) -> None:
    source = label_corpus["usps_300.png"].path
    out = tmp_path / "job.bin"
    assert main(["encode", "--model", model, str(source), "-o", str(out)]) == 0
    printer_model = get_model(model)
    expected = encode_label(load_label(source.read_bytes(), printer_model), printer_model)
    assert out.read_bytes() == expected
    png = tmp_path / "job.png"
    assert main(["decode", "--model", model, str(out), "-o", str(png)]) == 0
    with Image.open(png) as image:
        assert Bitmap.from_image(image) == expected_page(source, model)


def test_encode_unknown_model_lists_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["encode", "--model", "zq999", "x.png", "-o", str(tmp_path / "o")])
    assert code == 1
    err = capsys.readouterr().err
    assert "unknown printer model" in err and "zd421-203" in err


def test_list_shows_model_and_language(
    default_emulated_usb: MakeBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    default_emulated_usb("zd421-203,lp2844,dymo-5xl")
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "usb://0a5f:0185?serial=D4J210001" in out and "[zd421-203, zpl, 203 dpi]" in out
    assert "[lp2844, epl2, 203 dpi]" in out
    assert "[dymo-5xl, dymo_550, 300 dpi]" in out


def test_status_ready_and_paper_out(
    default_emulated_usb: MakeBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = default_emulated_usb("zd421-203")
    assert main(["status", "usb://0a5f:0185"]) == 0
    assert "ready" in capsys.readouterr().out
    backend.device("zd421-203").engine.set_faults(paper_out=True)
    assert main(["status", "usb://0a5f:0185"]) == 3
    assert "paper out" in capsys.readouterr().out


def test_print_with_copies_comes_out_twice(
    default_emulated_usb: MakeBackend,
    label_corpus: dict[str, CorpusLabel],
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = default_emulated_usb("dymo-4xl")
    source = label_corpus["usps_300.png"].path
    assert main(["print", "usb://0922:0025", str(source), "--copies", "2"]) == 0
    assert "2 copies" in capsys.readouterr().out
    engine = backend.device("dymo-4xl").engine
    assert engine.wait_printed(2, 10)
    assert [p.bitmap for p in engine.printed] == [expected_page(source, "dymo-4xl")] * 2


def test_print_refused_on_paper_out_with_a_hint(
    default_emulated_usb: MakeBackend,
    label_corpus: dict[str, CorpusLabel],
    capsys: pytest.CaptureFixture[str],
) -> None:
    backend = default_emulated_usb("dymo-5xl")
    engine = backend.device("dymo-5xl").engine
    engine.set_faults(paper_out=True)
    source = label_corpus["usps_300.png"].path
    assert main(["print", "usb://0922:002a", str(source)]) == 1
    err = capsys.readouterr().err
    assert "error: usb://0922:002a: media empty" in err
    assert "hint: load labels" in err
    assert engine.stats.jobs_received == 0


def test_print_to_a_missing_printer_lists_what_is_connected(
    default_emulated_usb: MakeBackend,
    label_corpus: dict[str, CorpusLabel],
    capsys: pytest.CaptureFixture[str],
) -> None:
    default_emulated_usb("zd421-203")
    assert main(["print", "usb://0a5f:0999", str(label_corpus["usps_203.png"].path)]) == 1
    err = capsys.readouterr().err
    assert "No printer at usb://0a5f:0999" in err
    assert "Connected: usb://0a5f:0185?serial=D4J210001" in err


def test_print_and_test_label_on_the_virtual_printer(
    label_corpus: dict[str, CorpusLabel],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PACKDESK_VIRTUAL_PRINTER_DIR", str(tmp_path))
    source = label_corpus["usps_4x6.pdf"].path
    assert main(["print", "virtual://desk1?model=zd421-203", str(source)]) == 0
    assert main(["test-label", "virtual://desk1?model=zd421-203"]) == 0
    out = capsys.readouterr().out
    previews = sorted((tmp_path / "desk1").glob("label-*.png"))
    assert [p.name for p in previews] == ["label-00001.png", "label-00002.png"]
    assert f"preview: {previews[0]}" in out
    with Image.open(previews[0]) as image:
        assert Bitmap.from_image(image) == expected_page(source, "zd421-203")
    with Image.open(previews[1]) as image:
        test_label = Bitmap.from_image(image)
    model = get_model("zd421-203")
    assert test_label.width == model.page_width_dots
    box = test_label.ink_box()
    assert box == (0, 0, model.printable_width_dots, model.printable_height_dots)


def test_env_var_makes_emulated_printers_reachable_from_a_real_process(
    label_corpus: dict[str, CorpusLabel], tmp_path: Path
) -> None:
    env = dict(
        os.environ,
        PACKDESK_EMULATED_USB="zd421-203,dymo-4xl",
        PACKDESK_EMULATED_PREVIEW_DIR=str(tmp_path),
    )
    run = [sys.executable, "-m", "printers"]
    listed = subprocess.run(
        [*run, "list"], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert "[zd421-203, zpl, 203 dpi]" in listed.stdout
    assert "[dymo-4xl, dymo_lw, 300 dpi]" in listed.stdout
    source = label_corpus["usps_300.png"].path
    printed = subprocess.run(
        [*run, "print", "usb://0922:0025", str(source)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert printed.returncode == 0, printed.stderr
    with Image.open(tmp_path / "dymo-4xl-0001.png") as image:
        assert Bitmap.from_image(image) == expected_page(source, "dymo-4xl")


def test_a_bad_emulated_usb_spec_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PACKDESK_EMULATED_USB", "zd421-203,zq999")
    assert main(["list"]) == 1
    err = capsys.readouterr().err
    assert "unknown emulated printer(s) zq999" in err and "dymo-5xl" in err


def test_emulated_speed_in_the_spec() -> None:
    from printers.emulators.usb_backend import backend_from_spec

    backend = backend_from_spec("zd421-203@2.5,dymo-4xl")
    try:
        speeds = [dev.engine.labels_per_second for dev in backend.devices]
    finally:
        backend.close()
    assert speeds == [2.5, None]
    with pytest.raises(ValueError, match="bad print speed"):
        backend_from_spec("zd421-203@fast")
