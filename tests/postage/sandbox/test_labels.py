"""Sandbox labels in every format: the barcode scans back to the IMpb, and the content is there."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from app.domain.tracking import (
    GS,
    group_tracking_for_print,
    make_s10_tracking_number,
    make_usps_tracking_number,
    parse_scan,
    usps_mod10_check_digit,
)
from app.postage.sandbox.label_data import LabelAddress, LabelCustomsItem, LabelData, LabelFormat
from app.postage.sandbox.labels import render_customs_form, render_label
from app.postage.sandbox.render_code128 import QUIET_ZONE_MODULES, code128_width_modules
from app.postage.sandbox.render_layout import (
    HEIGHT,
    MODULE_300,
    MODULES_300,
    SANDBOX_MARK,
    WIDTH,
    Barcode,
    Text,
    customs_layout,
    font,
    label_layout,
    place_barcode,
)

FROM = LabelAddress("Packdesk Fulfilment", "388 Townsend St", "San Francisco", "CA", "94107", "US")
TO_ZIP9 = LabelAddress(
    "Dr. Steve Brule", "179 N Harbor Dr", "Redondo Beach", "CA", "90277-2506", "US"
)
TO_ZIP5 = LabelAddress("Ada Lovelace", "1 Main St", "Saint Louis", "MO", "63118", "US")
TO_CA = LabelAddress(
    "Karine Ruby",
    "151 O'Connor St",
    "Ottawa",
    "ON",
    "K2P 2L8",
    "CA",
    company="Receiving Department",
)
ITEMS = (
    LabelCustomsItem("T-shirt, cotton", 2, Decimal("40.00"), Decimal("12.0"), "6109.10.0012", "US"),
    LabelCustomsItem("Board game", 1, Decimal("59.99"), Decimal("48"), "9504.90.6000", "CN"),
)


def domestic(to: LabelAddress = TO_ZIP9, sequence: int = 7) -> LabelData:
    return LabelData(
        FROM,
        to,
        "GroundAdvantage",
        Decimal("21.5"),
        make_usps_tracking_number(sequence),
        date(2026, 11, 25),
        reference="ORDER #1005",
        shipment_id="shp_0123456789abcdef",
    )


def international(tracking: str | None = None) -> LabelData:
    return LabelData(
        FROM,
        TO_CA,
        "PriorityMailInternational",
        Decimal("60"),
        tracking or make_s10_tracking_number(7),
        date(2026, 11, 25),
        reference="ORDER #1006",
        shipment_id="shp_intl",
        customs_items=ITEMS,
        customs_signer="Jane Packer",
    )


def expected_element(data: LabelData) -> str:
    zip_digits = data.to_address.zip.replace("-", "")
    return f"420{zip_digits}{GS}{data.tracking_code}"


def decode(image: Image.Image) -> list[tuple[str, str]]:
    return [
        (r.bytes.decode("ascii"), r.symbology_identifier) for r in zxingcpp.read_barcodes(image)
    ]


def pdf_pages(pdf: bytes) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=300 / 72).to_pil() for page in doc]
    finally:
        doc.close()


# --- PNG ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("to", [TO_ZIP9, TO_ZIP5], ids=["zip9", "zip5"])
def test_png_is_4x6_at_300_dpi_and_scans_as_impb(to: LabelAddress) -> None:
    data = domestic(to)
    image = Image.open(io.BytesIO(render_label(data, "PNG")))
    assert (image.size, image.mode) == ((1200, 1800), "1")
    assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert decode(image) == [(expected_element(data), "]C1")]


def test_png_scan_goes_through_the_scanner_parser() -> None:
    data = domestic(TO_ZIP9)
    ((scanned, symbology),) = decode(Image.open(io.BytesIO(render_label(data, "PNG"))))
    result = parse_scan(symbology + scanned + "\r\n")
    assert (result.tracking_code, result.zip) == (data.tracking_code, "902772506")


def test_png_bars_are_whole_modules() -> None:
    data = domestic(TO_ZIP9)
    layout = label_layout(data)
    code = next(i for i in layout.items if isinstance(i, Barcode))
    image = Image.open(io.BytesIO(render_label(data, "PNG")))
    row = [image.getpixel((x, code.y + code.h // 2)) for x in range(WIDTH)]
    modules = code128_width_modules(code.data, gs1=True)
    first_bar, module = place_barcode(code, code.center_x, WIDTH, MODULES_300)
    assert module == MODULE_300 == 4  # 13.3 mil for the usual 22-digit number
    # The quiet zones are white and every run of bars and spaces is a whole number of modules.
    assert all(row[x] for x in range(first_bar - QUIET_ZONE_MODULES * MODULE_300, first_bar))
    end = first_bar + modules * MODULE_300
    assert all(row[x] for x in range(end, end + QUIET_ZONE_MODULES * MODULE_300))
    runs = [
        len(m.group())
        for m in re.finditer(r"0+|1+", "".join("1" if p else "0" for p in row[first_bar:end]))
    ]
    assert sum(runs) == modules * MODULE_300
    assert all(run % MODULE_300 == 0 for run in runs)
    assert row[first_bar] == 0  # starts with a bar


def test_international_png_scans_as_s10_and_impb() -> None:
    s10 = international()
    image = Image.open(io.BytesIO(render_label(s10, "PNG")))
    assert decode(image) == [(s10.tracking_code, "]C0")]
    impb = international(make_usps_tracking_number(9))
    image = Image.open(io.BytesIO(render_label(impb, "PNG")))
    assert decode(image) == [(impb.tracking_code, "]C1")]


# --- PDF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [domestic(TO_ZIP9), domestic(TO_ZIP5)], ids=["zip9", "zip5"])
def test_pdf_is_one_4x6_page_that_scans_at_300_dpi(data: LabelData) -> None:
    pdf = render_label(data, "PDF")
    assert pdf.startswith(b"%PDF-")
    doc = pdfium.PdfDocument(pdf)
    try:
        assert len(doc) == 1
        assert doc[0].get_size() == pytest.approx((288, 432))
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    assert SANDBOX_MARK in text
    assert group_tracking_for_print(data.tracking_code) in text
    assert "USPS GROUND ADVANTAGE" in text
    (page,) = pdf_pages(pdf)
    assert decode(page) == [(expected_element(data), "]C1")]


def test_pdf_customs_form_scans() -> None:
    data = international()
    (page,) = pdf_pages(render_customs_form(data, "PDF"))
    assert decode(page) == [(data.tracking_code, "]C0")]


# --- ZPL ---------------------------------------------------------------------------------------


def zpl_fields(zpl: str) -> list[str]:
    """Every ^FD...^FS field's data (checks that each ^FD is closed by ^FS)."""
    fields = []
    for chunk in zpl.split("^FD")[1:]:
        assert "^FS" in chunk, f"^FD not closed by ^FS: {chunk[:40]!r}"
        fields.append(chunk.split("^FS", 1)[0])
    return fields


def unhex(field: str) -> str:
    return re.sub(r"_([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), field)


@pytest.mark.parametrize("to", [TO_ZIP9, TO_ZIP5], ids=["zip9", "zip5"])
def test_zpl_is_native_203_dpi_with_gs1_barcode(to: LabelAddress) -> None:
    data = domestic(to)
    zpl = render_label(data, "ZPL").decode("utf-8")
    assert zpl.startswith("^XA") and zpl.rstrip().endswith("^XZ")
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert "^PW812" in zpl and "^LL1218" in zpl
    assert "^GF" not in zpl  # native commands, not a bitmap
    barcodes = re.findall(r"\^BY(\d+)\^BCN,(\d+),N,N,N,N\^FD([^\^]*)\^FS", zpl)
    assert len(barcodes) == 1
    module, height, field = barcodes[0]
    assert module == "3" and int(height) >= 150
    assert field.startswith(">;>8")
    assert field[4:].replace(">8", GS) == expected_element(data)
    texts = [unhex(f) for f in zpl_fields(zpl)]
    for wanted in (
        SANDBOX_MARK,
        group_tracking_for_print(data.tracking_code),
        "USPS GROUND ADVANTAGE",
        to.name.upper(),
        "SHP_0123456789ABCDEF".lower(),
        "REF: ORDER #1005",
        "WEIGHT 1 LB 5.5 OZ",
    ):
        assert wanted in texts, wanted
    # Every field origin lies on the 4x6 label at 203 dpi.
    for x, y in re.findall(r"\^FO(\d+),(\d+)", zpl):
        assert 0 <= int(x) < 812 and 0 <= int(y) < 1218


def test_zpl_escapes_caret_and_tilde_in_text() -> None:
    data = replace(domestic(), reference="A^B~C_D")
    zpl = render_label(data, "ZPL").decode("utf-8")
    assert "REF: A_5EB_7EC_5FD" in zpl
    assert "REF: A^B" not in zpl


def test_zpl_international_and_customs() -> None:
    data = international()
    zpl = render_label(data, "ZPL").decode("utf-8")
    assert "^BCN,169,N,N,N,A^FDLZ000000076US^FS" in zpl
    form = render_customs_form(data, "ZPL").decode("utf-8")
    fields = [unhex(f) for f in zpl_fields(form)]
    assert "CUSTOMS DECLARATION" in fields and "6109.10.0012 US" in fields


# --- EPL2 --------------------------------------------------------------------------------------


def epl_lines(data: LabelData, fmt: LabelFormat = "EPL2") -> list[str]:
    return render_label(data, fmt).decode("cp1252").split("\n")


def test_epl2_is_native_203_dpi_with_ucc_ean_128() -> None:
    data = domestic(TO_ZIP9)
    lines = [line for line in epl_lines(data) if line]
    assert lines[:4] == ["N", "I8,A,001", "q812", "Q1218,24"]
    assert lines[-1] == "P1"
    barcodes = [line for line in lines if line.startswith("B")]
    assert len(barcodes) == 1
    params, quoted = barcodes[0].split(',"', 1)
    assert params.split(",")[3:6] == ["1E", "3", "3"]
    assert quoted[:-1] == expected_element(data).replace(GS, "\x06")
    texts = [line.split(',"', 1)[1][:-1] for line in lines if line.startswith("A")]
    # The white-on-black sandbox bands: black text first, then an XOR box (LE) over it.
    assert sum(line.startswith("LE") for line in lines) == 2
    for wanted in (SANDBOX_MARK, group_tracking_for_print(data.tracking_code), "DR. STEVE BRULE"):
        assert wanted in texts
    for line in lines:
        if line[0] in "ABLX":
            x, y = (int(v) for v in line[1:].lstrip("OE").split(",")[:2])
            assert 0 <= x < 812 and 0 <= y < 1218, line


def test_epl2_quotes_and_backslashes_are_escaped() -> None:
    data = replace(domestic(), reference='12" \\ box')
    assert 'A20,1076,0,2,1,1,N,"REF: 12\\" \\\\ BOX"' in [line.upper() for line in epl_lines(data)]


# --- layout: fits, no overlaps, long addresses -------------------------------------------------


def text_boxes(data_layout: object) -> list[tuple[Text, tuple[float, float, float, float]]]:
    boxes = []
    for item in data_layout.items:  # type: ignore[attr-defined]
        if isinstance(item, Text):
            left, top, right, bottom = font(item.size, item.bold).getbbox(
                item.text, anchor={"left": "la", "center": "ma", "right": "ra"}[item.anchor]
            )
            boxes.append((item, (item.x + left, item.y + top, item.x + right, item.y + bottom)))
    return boxes


LONG34 = "9" + "2" * 32
LONG34 += str(usps_mod10_check_digit(LONG34))

LONG = LabelAddress(
    "Maximilian Alexander Wolfeschlegelsteinhausen-Bergerdorff",
    "12345 North Very Long Boulevard Name Extension Road Apartment 1234",
    "Rancho Santa Margarita",
    "CA",
    "92688-1234",
    "US",
    company="International Widgets And Gadgets Incorporated Ltd",
    street2="Building 7, Floor 3, Suite 300, Loading Dock B",
)


@pytest.mark.parametrize(
    "data",
    [domestic(TO_ZIP9), domestic(LONG), international(), replace(domestic(), tracking_code=LONG34)],
    ids=["domestic", "long-address", "international", "34-digit"],
)
def test_text_stays_on_the_label_and_off_the_barcode(data: LabelData) -> None:
    layout = label_layout(data)
    code = next(i for i in layout.items if isinstance(i, Barcode))
    first_bar, module = place_barcode(code, code.center_x, WIDTH, MODULES_300)
    quiet = QUIET_ZONE_MODULES * module
    end = first_bar + code128_width_modules(code.data, gs1=code.gs1) * module
    bar_box = (first_bar - quiet, code.y, end + quiet, code.y + code.h)
    assert bar_box[0] >= 0 and bar_box[2] <= WIDTH
    for item, (x0, y0, x1, y1) in text_boxes(layout):
        assert x0 >= 0 and x1 <= WIDTH and y0 >= 0 and y1 <= HEIGHT, item.text
        overlaps = x0 < bar_box[2] and bar_box[0] < x1 and y0 < bar_box[3] and bar_box[1] < y1
        assert not overlaps, f"{item.text!r} overlaps the barcode"
    ship_to = [i for i, _ in text_boxes(layout) if i.bold and i.x == 160]  # MARGIN + 130
    assert ship_to
    assert all(len(i.text) <= 40 for i in ship_to)


def test_long_address_is_wrapped_not_lost() -> None:
    layout = label_layout(domestic(LONG))
    printed = " ".join(i.text for i in layout.items if isinstance(i, Text))
    for word in ("WOLFESCHLEGELSTEINHAUSEN-BERGERDORFF", "EXTENSION", "DOCK", "92688-1234"):
        assert word in printed
    image = Image.open(io.BytesIO(render_label(domestic(LONG), "PNG")))
    assert decode(image) == [(expected_element(domestic(LONG)), "]C1")]


def test_customs_form_lists_items_and_fits() -> None:
    data = international()
    layout = customs_layout(data)
    printed = [i.text for i in layout.items if isinstance(i, Text)]
    for wanted in ("CN 22", "T-shirt, cotton", "6109.10.0012 US", "99.99", "Signed: Jane Packer"):
        assert wanted in printed
    for item, (x0, y0, x1, y1) in text_boxes(layout):
        assert x0 >= 0 and x1 <= WIDTH and y0 >= 0 and y1 <= HEIGHT, item.text
    image = Image.open(io.BytesIO(render_customs_form(data, "PNG")))
    assert decode(image) == [(data.tracking_code, "]C0")]


def test_customs_form_refuses_domestic() -> None:
    with pytest.raises(ValueError, match="international"):
        render_customs_form(domestic(), "PNG")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown label format"):
        render_label(domestic(), "GIF")  # type: ignore[arg-type]


# --- awkward data ------------------------------------------------------------------------------


def test_accents_survive_and_other_scripts_degrade_visibly() -> None:
    to = replace(TO_ZIP5, name="José Müller", street2="Москва 北京")
    data = domestic(to)
    printed = [i.text for i in label_layout(data).items if isinstance(i, Text)]
    assert "JOSÉ MÜLLER" in printed
    assert "?????? ??" in printed
    assert "JOSÉ MÜLLER" in render_label(data, "ZPL").decode("utf-8")
    assert b'"JOS\xc9 M\xdcLLER"' in render_label(data, "EPL2")  # Windows-1252 bytes
    (page,) = pdf_pages(render_label(data, "PDF"))
    assert decode(page) == [(expected_element(data), "]C1")]


def test_domestic_without_a_usable_zip_still_gets_a_scannable_tracking_barcode() -> None:
    data = domestic(replace(TO_ZIP5, zip="6311"))
    image = Image.open(io.BytesIO(render_label(data, "PNG")))
    assert decode(image) == [(data.tracking_code, "]C1")]


def test_label_without_tracking_code_is_refused() -> None:
    with pytest.raises(ValueError, match="tracking code"):
        render_label(replace(domestic(), tracking_code=""), "PNG")


@pytest.mark.parametrize("fmt", ["PNG", "PDF"])
def test_34_digit_tracking_steps_down_to_fit_and_still_scans(fmt: LabelFormat) -> None:
    data = replace(domestic(TO_ZIP9), tracking_code=LONG34)
    rendered = render_label(data, fmt)
    image = Image.open(io.BytesIO(rendered)) if fmt == "PNG" else pdf_pages(rendered)[0]
    assert decode(image) == [(expected_element(data), "]C1")]


def test_34_digit_tracking_fits_203_dpi() -> None:
    data = replace(domestic(TO_ZIP9), tracking_code=LONG34)
    zpl = render_label(data, "ZPL").decode()
    assert "^BY2^BCN" in zpl
    epl = render_label(data, "EPL2").decode("cp1252")
    assert ",0,1E,2,2," in epl


@pytest.mark.parametrize("fmt", ["PNG", "PDF", "ZPL"])
def test_concurrent_rendering_gives_the_same_bytes(fmt: LabelFormat) -> None:
    # The sandbox serves label files from several threads at once; shared font caches and
    # reportlab's font registry must not mix labels up.
    from concurrent.futures import ThreadPoolExecutor

    datas = [domestic(TO_ZIP9 if n % 2 else LONG, sequence=n) for n in range(12)]
    expected = [render_label(d, fmt) for d in datas]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda d: render_label(d, fmt), datas))
    assert got == expected
