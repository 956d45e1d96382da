"""The capability table: names, geometry, USB ids and device-id matching."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import (
    DYMO_VID,
    LW550_TRM,
    MODELS,
    OPEN_VALUES,
    USB_IDS,
    ZEBRA_VID,
    Protocol,
    get_model,
    models_for,
    open_value,
)


def test_cli_names_cover_every_family_and_resolution() -> None:
    for name in (
        "zd421-203",
        "zd421-300",
        "zpl-203",
        "zpl-300",
        "lp2844",
        "lp2844-z",
        "gk420d",
        "gx420d",
        "dymo-4xl",
        "dymo-5xl",
        "dymo-450",
        "dymo-550",
    ):
        assert get_model(name).name == name
    assert {m.family for m in MODELS.values()} == set(Protocol)


def test_get_model_is_case_insensitive() -> None:
    assert get_model(" ZD421-203 ") is MODELS["zd421-203"]


def test_unknown_model_lists_the_known_names() -> None:
    with pytest.raises(PrinterError) as info:
        get_model("zd999")
    assert info.value.kind is PrinterErrorKind.UNSUPPORTED
    assert "zd421-203" in info.value.hint and "dymo-5xl" in info.value.hint


@pytest.mark.parametrize("model", list(MODELS.values()), ids=lambda m: m.name)
def test_geometry_is_consistent(model) -> None:  # type: ignore[no-untyped-def]
    assert model.printable_x + model.printable_width_dots <= model.page_width_dots
    assert model.printable_y + model.printable_height_dots <= model.page_height_dots
    assert model.page_width_dots <= model.head_width_dots
    assert model.dpi in (203, 300)
    if model.family in (Protocol.DYMO_LW, Protocol.DYMO_550):
        assert model.page_width_dots % 8 == 0  # DYMO lines are whole bytes
        assert model.usb_vendor_id == DYMO_VID
    else:
        assert model.usb_vendor_id == ZEBRA_VID


def test_4x6_areas_match_the_reference_geometry() -> None:
    zebra203, zebra300 = get_model("zd421-203"), get_model("zd421-300")
    assert (zebra203.printable_width_dots, zebra203.printable_height_dots) == (812, 1218)
    assert (zebra300.printable_width_dots, zebra300.printable_height_dots) == (1219, 1829)
    four_xl = get_model("dymo-4xl")
    assert (four_xl.head_width_dots, four_xl.page_height_dots) == (1248, 1883)
    assert (four_xl.printable_width_dots, four_xl.printable_height_dots) == (1200, 1800)
    assert get_model("dymo-5xl").usb_product_ids == (0x002A,)
    assert not get_model("zd410-203").fits_4x6 and get_model("gk420d").fits_4x6


def test_device_id_model_strings_pick_the_right_model() -> None:
    matches = [m.name for m in MODELS.values() if m.matches_device_id("ZTC ZD621-203dpi ZPL")]
    assert "zd621-203" in matches and "zd621-300" not in matches
    assert get_model("dymo-4xl").matches_device_id("LabelWriter 4XL")
    assert not get_model("dymo-450").matches_device_id("LabelWriter 450 Turbo")
    assert get_model("lp2844").matches_device_id("LP2844")
    assert not get_model("lp2844").matches_device_id("LP2844-Z")
    assert get_model("lp2844-z").matches_device_id("LP2844-Z")


def test_models_for_family() -> None:
    assert {m.name for m in models_for(Protocol.DYMO_550)} == {
        "dymo-550",
        "dymo-550-turbo",
        "dymo-5xl",
    }


def test_zpl_image_encoding_per_model() -> None:
    from printers.models import ZplGraphicEncoding

    assert get_model("lp2844-z").zpl_graphic_encoding is ZplGraphicEncoding.DOWNLOAD_ACS
    assert get_model("zpl-203").zpl_graphic_encoding is ZplGraphicEncoding.ACS
    assert get_model("zd421-203").zpl_graphic_encoding is ZplGraphicEncoding.Z64


USB_IDS_EXTRACT = Path(__file__).parent / "corpus" / "usb_ids_zebra_dymo.txt"
SYSTEM_USB_IDS = Path("/usr/share/misc/usb.ids")


def _usb_ids(text: str) -> dict[int, dict[int, str]]:
    """vendor -> product -> name from usb.ids text."""
    vendors: dict[int, dict[int, str]] = {}
    current: dict[int, str] | None = None
    for line in text.splitlines():
        if re.match(r"^[0-9a-f]{4}  ", line):
            current = vendors.setdefault(int(line[:4], 16), {})
        elif current is not None and re.match(r"^\t[0-9a-f]{4}  ", line):
            current[int(line[1:5], 16)] = line[7:]
        elif line and not line.startswith("#"):
            current = None
    return vendors


def test_every_pid_names_its_source_and_usb_ids_pids_are_in_usb_ids() -> None:
    known = _usb_ids(USB_IDS_EXTRACT.read_text(encoding="latin-1"))
    for model in MODELS.values():
        if not model.usb_product_ids:
            continue
        assert model.usb_id_source, model.name
        if model.usb_id_source == USB_IDS:
            assert model.usb_vendor_id is not None
            for pid in model.usb_product_ids:
                assert pid in known[model.usb_vendor_id], (model.name, hex(pid))


def test_the_extract_matches_the_system_usb_ids_when_installed() -> None:
    if not SYSTEM_USB_IDS.exists():
        pytest.skip("usb.ids is not installed (apt-get install usb.ids)")
    system = _usb_ids(SYSTEM_USB_IDS.read_text(encoding="latin-1"))
    extract = _usb_ids(USB_IDS_EXTRACT.read_text(encoding="latin-1"))
    for vid in (ZEBRA_VID, DYMO_VID):
        assert {p: n for p, n in system[vid].items() if p in extract[vid]} == extract[vid]


def test_models_without_a_sourced_pid_have_none() -> None:
    # usb.ids 2025.07.26 has no ZD420, ZD421 or ZD621: the device id identifies them.
    for name in ("zd420-203", "zd420-300", "zd421-203", "zd421-300", "zd621-203", "zd621-300"):
        assert get_model(name).usb_product_ids == ()
    assert get_model("lp2844-z").usb_product_ids == (0x0027,)  # "ZTC LP2844-Z-200dpi"
    assert get_model("dymo-550").usb_id_source == LW550_TRM


def test_open_values_say_where_they_come_from_and_are_used() -> None:
    for key, value in OPEN_VALUES.items():
        assert value.source and value.status, key
    assert get_model("dymo-4xl").usb_product_ids == (open_value("dymo-4xl.usb_pid"),)
    assert get_model("dymo-5xl").head_width_dots == open_value("dymo-5xl.head_width_dots")
    four_xl = get_model("dymo-4xl")
    assert (four_xl.printable_x, four_xl.printable_y) == (
        open_value("dymo-4xl.printable_x"),
        open_value("dymo-4xl.printable_y"),
    )
