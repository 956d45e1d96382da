"""virtual://NAME: decodes like a real printer and keeps one PNG preview per label."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from printers.errors import PrinterError, PrinterErrorKind
from printers.imaging import Bitmap
from printers.models import get_model
from printers.printer import open_printer
from printers.transports.virtual import VirtualTransport, virtual_printer_dir


def png(dpi: int) -> bytes:
    image = Image.new("L", (4 * dpi, 6 * dpi), 255)
    ImageDraw.Draw(image).rectangle((50, 50, 250, 150), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


@pytest.mark.parametrize("model", ["zd421-203", "lp2844", "dymo-4xl", "dymo-5xl"])
def test_each_label_becomes_a_preview_and_numbering_continues(model: str, tmp_path: Path) -> None:
    dpi = get_model(model).dpi
    with open_printer(f"virtual://desk?model={model}", virtual_dir=tmp_path) as printer:
        result = printer.print_label(png(dpi), copies=2)
        assert result.status_before.ok and result.status_after.ok
    with open_printer(f"virtual://desk?model={model}", virtual_dir=tmp_path) as printer:
        printer.print_label(png(dpi))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["label-00001.png", "label-00002.png", "label-00003.png"]
    with Image.open(tmp_path / "label-00003.png") as image:
        page = Bitmap.from_image(image)
    assert page.black_dots() == 201 * 101


def test_a_job_that_does_not_decode_is_a_bad_label(tmp_path: Path) -> None:
    transport = VirtualTransport("v", get_model("dymo-5xl"), folder=tmp_path)
    transport.write(b"\x1bs\x01\x00\x00\x00\x1bD\x01\x02\x00\x00\x00\x00\x00\x00\x00\x00\x1bQ")
    transport.write(b"\x1bZ\x1bQ")
    with pytest.raises(PrinterError) as info:
        transport.flush()
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    transport.close()


def test_an_unfinished_job_is_a_bad_label(tmp_path: Path) -> None:
    transport = VirtualTransport("v", get_model("zd421-203"), folder=tmp_path)
    transport.write(b"^XA^FO10,10^GB100,100,100^FS")
    with pytest.raises(PrinterError) as info:
        transport.close()
    assert info.value.kind is PrinterErrorKind.BAD_LABEL
    assert "never ended" in info.value.message


def test_default_folder_follows_packdesk_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PACKDESK_VIRTUAL_PRINTER_DIR", raising=False)
    monkeypatch.setenv("PACKDESK_HOME", str(tmp_path))
    assert virtual_printer_dir("desk1") == tmp_path / "virtual-printers" / "desk1"
