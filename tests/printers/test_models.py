"""The capability table: names, geometry, USB ids and device-id matching."""

from __future__ import annotations

import pytest

from printers.errors import PrinterError, PrinterErrorKind
from printers.models import DYMO_VID, MODELS, ZEBRA_VID, Protocol, get_model, models_for


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
