"""Tracking numbers: check digits, IMpb element strings, and what handheld scanners send."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.tracking import (
    GS,
    ScanKind,
    group_tracking_for_print,
    impb_barcode_data,
    is_valid_s10,
    is_valid_usps_tracking,
    make_s10_tracking_number,
    make_usps_tracking_number,
    order_barcode_data,
    parse_scan,
    s10_check_digit,
    tracking_lookup_keys,
    usps_mod10_check_digit,
)

# Real strings from order-formats.md §4 and shipping-anchors.md §5.1: (scan, tracking, zip).
REAL_IMPB_SCANS = [
    ("420631182628\x1d9205590109769900012613", "9205590109769900012613", "631182628"),
    ("420631182628\x1d9205590106145700000679", "9205590106145700000679", "631182628"),
    ("420631182628\x1d9261290109769900895969", "9261290109769900895969", "631182628"),
    ("42063118\x1d9202290109769900000018", "9202290109769900000018", "63118"),
    ("4206311826289205590109769900012613", "9205590109769900012613", "631182628"),
    ("420631189202290109769900000018", "9202290109769900000018", "63118"),
    ("4203009292612903103110541475000068", "92612903103110541475000068", "30092"),
    ("4201002334249200190132607600833457", "9200190132607600833457", "100233424"),
    ("4201028200009261290113185417468510", "9261290113185417468510", "102820000"),
    ("4201028212169270490119521303389129", "9270490119521303389129", "102821216"),
    ("420 22153 9101026837331000039521", "9101026837331000039521", "22153"),
    ("420890749400109205328000041772", "9400109205328000041772", "89074"),
    ("420453429205590242327008598961", "9205590242327008598961", "45342"),
    ("420787459400111206206406260787", "9400111206206406260787", "78745"),
    ("42078745\x1d9400111206206406260787", "9400111206206406260787", "78745"),
    ("]C1420787459400111206206406260787", "9400111206206406260787", "78745"),
    (
        " 4 2 0 1 0 2 8 2 0 0 0 0 9 2 6 1 2 9 0 1 1 3 1 8 5 4 1 7 4 6 8 5 1 0 ",
        "9261290113185417468510",
        "102820000",
    ),
]

# Bare tracking numbers: EasyPost/Stamps.com test numbers and jkeen's valid samples.
REAL_BARE_TRACKING = [
    "9400100105442285876350",
    "9101010521290895036903",
    "9400100208303109505657",
    "9405500208303109884137",
    "9434600208303109842228",
    "0307 1790 0005 2348 3741",
    " 0 3 0 7   1 7 9 0   0 0 0 5   2 3 4 8   3 7 4 1 ",
    "7112 3456 7891 2345 6787",
    "7196 9010 7560 0307 7385",
    "9505 5110 6960 5048 6006 24",
    "9101 1234 5678 9000 0000 13",
    "92748931507708513018050063",
    "9400 1112 0108 0805 4830 16",
    "9361 2898 7870 0317 6337 95",
    "9405803699300124287899",
]

# jkeen's invalid samples plus the synthetic karrio number and UPS's ZIP-only postal barcodes.
REAL_INVALID = [
    "0307 1790 0005 2348 3742",
    "61299998820821171811",
    "9200000000000000000000",
    "420000000000000000000000000000",
    "420000009200000000000000000000",
    "4201028200009261290113185417468511",
    "420902109411202901089817001111",  # karrio eVS test: fails mod-10
    "42010017",  # UPS postal barcode: 420 + ZIP only
    "420300929998",
]


@pytest.mark.parametrize(("scan", "tracking", "zip_code"), REAL_IMPB_SCANS)
def test_real_impb_scans_split_into_zip_and_tracking(
    scan: str, tracking: str, zip_code: str
) -> None:
    result = parse_scan(scan)
    assert result.kind is ScanKind.TRACKING, result.reason
    assert (result.tracking_code, result.zip) == (tracking, zip_code)


@pytest.mark.parametrize("scan", REAL_BARE_TRACKING)
def test_real_bare_tracking_numbers_are_accepted(scan: str) -> None:
    result = parse_scan(scan)
    assert result.kind is ScanKind.TRACKING, result.reason
    assert result.tracking_code == "".join(scan.split())
    assert result.zip == ""


@pytest.mark.parametrize("scan", REAL_INVALID)
def test_real_invalid_samples_are_refused_with_a_reason(scan: str) -> None:
    result = parse_scan(scan)
    assert result.kind is ScanKind.INVALID
    assert result.reason
    assert not result.ok


def test_ups_zip_barcode_is_not_taken_for_tracking() -> None:
    assert "ZIP routing barcode" in parse_scan("42010017").reason


def test_bad_check_digit_says_so() -> None:
    reason = parse_scan("9400100105442285876351").reason
    assert "check digit is 1 but should be 0" in reason


def test_wrong_length_says_so() -> None:
    assert "21 digits" in parse_scan("940010010544228587635").reason


@pytest.mark.parametrize("scan", ["", "   ", "\r\n", "\t", "]C1", "\x1d"])
def test_empty_scans_are_invalid(scan: str) -> None:
    result = parse_scan(scan)
    assert result.kind is ScanKind.INVALID
    assert "empty" in result.reason


@pytest.mark.parametrize("gs", ["\x1d", "^]", "\u2194", "<GS>", "[GS]", "{GS}", ""], ids=repr)
@pytest.mark.parametrize("prefix", ["", "]C1", "]d2", "]Q3", "\x1d"])
@pytest.mark.parametrize("suffix", ["", "\r", "\n", "\r\n", "\t", "  "], ids=repr)
def test_scanner_renderings_of_one_label(gs: str, prefix: str, suffix: str) -> None:
    raw = f"{prefix}42063118{gs}9202290109769900000018{suffix}"
    result = parse_scan(raw)
    assert (result.kind, result.tracking_code, result.zip) == (
        ScanKind.TRACKING,
        "9202290109769900000018",
        "63118",
    )


# Scanner framing: STX/ETX around the data, a stray NUL, EOT/ESC/DEL from a misconfigured
# wedge, CR/LF terminators; none of it is barcode data, but GS (0x1D) is and must survive.
FRAMINGS = [
    ("\x02", "\x03"),
    ("\x02", "\r\n\x03"),
    ("\x02]C1", "\x03\r\n"),
    ("\x00", ""),
    ("\x00\x00", "\x04"),
    ("\x1b", "\x7f"),
    ("", "\x00\r"),
    ("\x16\x02", "\x17\x03\n"),
]


@pytest.mark.parametrize(("before", "after"), FRAMINGS, ids=repr)
def test_scanner_framing_control_characters_are_ignored(before: str, after: str) -> None:
    result = parse_scan(f"{before}42063118\x1d9202290109769900000018{after}")
    assert (result.kind, result.tracking_code, result.zip) == (
        ScanKind.TRACKING,
        "9202290109769900000018",
        "63118",
    ), result.reason


def test_framing_around_s10_order_and_bare_tracking() -> None:
    assert parse_scan("\x02LZ000000425US\x03").tracking_code == "LZ000000425US"
    assert parse_scan("\x02PD-ORDER:abc-1\x03\r\n").order_ref == "abc-1"
    assert parse_scan("\x009202290109769900000018\x7f").tracking_code == "9202290109769900000018"


@pytest.mark.parametrize("scan", ["\x02\x03", "\x00", "\x02\r\n\x03", "\x7f"], ids=repr)
def test_framing_alone_is_an_empty_scan(scan: str) -> None:
    result = parse_scan(scan)
    assert result.kind is ScanKind.INVALID
    assert "empty" in result.reason


def test_gs_split_reports_bad_tracking_after_zip() -> None:
    result = parse_scan("42063118\x1d9202290109769900000019")
    assert result.kind is ScanKind.INVALID
    assert "after ZIP 63118" in result.reason


def test_ups_1z_is_refused() -> None:
    assert "UPS" in parse_scan("1Z999AA10123456784").reason


@pytest.mark.parametrize(
    ("scan", "expected"),
    [
        ("EC123456785US", "EC123456785US"),
        ("RR123456785GB", "RR123456785GB"),
        ("lz 000 000 425 us", "LZ000000425US"),
        ("]C0LZ000000425US\r\n", "LZ000000425US"),
    ],
)
def test_s10_numbers(scan: str, expected: str) -> None:
    result = parse_scan(scan)
    assert (result.kind, result.tracking_code) == (ScanKind.S10, expected)


def test_s10_bad_check_digit_is_invalid() -> None:
    result = parse_scan("LZ123456789US")
    assert result.kind is ScanKind.INVALID
    assert "should have 5" in result.reason


@pytest.mark.parametrize(
    ("serial", "check"),
    [("12345678", 5), ("47312482", 9), ("00000000", 5), ("00000001", 4)],
)
def test_s10_check_digit_rules(serial: str, check: int) -> None:
    # 12345678 -> sum 8+12+12+8+15+30+63+56 = 204, 204 % 11 = 6, 11 - 6 = 5.
    # 47312482 -> 200 % 11 = 2 -> 9.  00000000 -> 11 - 0 = 11 -> 5.  00000001 -> 11 - 7 = 4.
    assert s10_check_digit(serial) == check


def test_s10_check_digit_ten_becomes_zero() -> None:
    serials = (f"{n:08d}" for n in range(1000))
    ten = next(
        s
        for s in serials
        if 11 - sum(int(d) * w for d, w in zip(s, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11 == 10
    )
    assert s10_check_digit(ten) == 0


@pytest.mark.parametrize(
    ("scan", "ref", "external"),
    [
        ("PD-ORDER:42", "42", False),
        ("pd-order:A-17/b", "A-17/b", False),
        ("]C0PD-ORDER:9001\r\n", "9001", False),
        ("#1005", "#1005", True),
        (" #EU-1005 ", "#EU-1005", True),
    ],
)
def test_packing_slip_order_barcodes(scan: str, ref: str, external: bool) -> None:
    result = parse_scan(scan)
    assert (result.kind, result.order_ref, result.order_ref_external) == (
        ScanKind.ORDER,
        ref,
        external,
    )


@pytest.mark.parametrize("scan", ["PD-ORDER:", "PD-ORDER:a b", "#", "#x;y"])
def test_broken_order_barcodes_are_invalid(scan: str) -> None:
    assert parse_scan(scan).kind is ScanKind.INVALID


def test_order_barcode_data_round_trips() -> None:
    assert parse_scan(order_barcode_data("ord-77")).order_ref == "ord-77"
    with pytest.raises(ValueError, match="cannot go in a barcode"):
        order_barcode_data("has space")


def test_mod10_known_values() -> None:
    assert usps_mod10_check_digit("940010010544228587635") == 0
    assert usps_mod10_check_digit("920559010976990001261") == 3
    with pytest.raises(ValueError, match="digits"):
        usps_mod10_check_digit("12a")


def test_made_numbers_are_valid_unique_22_digit_pc_postage() -> None:
    made = {make_usps_tracking_number(n) for n in range(2000)}
    assert len(made) == 2000
    for code in made:
        assert len(code) == 22
        assert code.startswith("94001")
        assert is_valid_usps_tracking(code)
    priority = make_usps_tracking_number(5, service_type_code="055")
    assert priority.startswith("94055") and is_valid_usps_tracking(priority)


@pytest.mark.parametrize("bad", [-1, 10**13])
def test_made_number_sequence_range(bad: int) -> None:
    with pytest.raises(ValueError, match="out of range"):
        make_usps_tracking_number(bad)


def test_made_s10_numbers_are_valid() -> None:
    assert make_s10_tracking_number(42) == "LZ000000425US"
    assert all(is_valid_s10(make_s10_tracking_number(n, service="CJ")) for n in range(500))


def test_impb_barcode_data() -> None:
    tracking = "9205590109769900012613"
    assert impb_barcode_data("63118-2628", tracking) == f"42063118262{8}{GS}{tracking}"
    assert impb_barcode_data("63118", tracking) == f"42063118{GS}{tracking}"
    with pytest.raises(ValueError, match="ZIP"):
        impb_barcode_data("6311", tracking)
    with pytest.raises(ValueError, match="tracking"):
        impb_barcode_data("63118", "9205590109769900012614")


def test_group_tracking_for_print() -> None:
    assert group_tracking_for_print("9205590109769900012613") == "9205 5901 0976 9900 0126 13"


# --- property tests ---------------------------------------------------------------------------


@st.composite
def valid_trackings(draw: st.DrawFn) -> str:
    length = draw(st.sampled_from([22, 26, 30, 34]))
    channel = draw(st.sampled_from(["92", "93", "94", "95"]))
    body = channel + draw(st.text("0123456789", min_size=length - 3, max_size=length - 3))
    return body + str(usps_mod10_check_digit(body))


zips = st.one_of(
    st.text("0123456789", min_size=5, max_size=5),
    st.text("0123456789", min_size=9, max_size=9),
)


FRAMING_CONTROLS = [chr(c) for c in [*range(0x00, 0x20), 0x7F] if c != 0x1D]


@given(
    tracking=valid_trackings(),
    zip_code=zips,
    gs=st.sampled_from(["\x1d", "^]", "", "\u2194"]),
    aim=st.sampled_from(["", "]C1"]),
    before=st.sampled_from(["", " ", "\t", "\r\n"]),
    after=st.sampled_from(["", "\r", "\n", "\r\n", "\t", " "]),
    # Framing a scanner may add: STX/ETX, NUL, SYN/ETB, EOT, DEL and friends (never GS).
    open_frame=st.text(st.sampled_from(FRAMING_CONTROLS), max_size=3),
    close_frame=st.text(st.sampled_from(FRAMING_CONTROLS), max_size=3),
)
def test_every_scanner_rendering_parses_back(
    tracking: str,
    zip_code: str,
    gs: str,
    aim: str,
    before: str,
    after: str,
    open_frame: str,
    close_frame: str,
) -> None:
    raw = f"{open_frame}{before}{aim}420{zip_code}{gs}{tracking}{after}{close_frame}"
    result = parse_scan(raw)
    assert result.kind is ScanKind.TRACKING, (raw, result.reason)
    if gs:
        assert (result.tracking_code, result.zip) == (tracking, zip_code)
    else:
        # Without a separator a different split is valid only by coincidence (another valid
        # tracking number); whatever comes back must be a valid split of the same digits.
        assert f"420{result.zip}{result.tracking_code}" == f"420{zip_code}{tracking}"
        assert is_valid_usps_tracking(result.tracking_code)


@given(tracking=valid_trackings())
def test_bare_and_printed_tracking_parse_back(tracking: str) -> None:
    assert parse_scan(tracking).tracking_code == tracking
    assert parse_scan(group_tracking_for_print(tracking)).tracking_code == tracking


@given(tracking=valid_trackings(), position=st.integers(min_value=0, max_value=33))
def test_any_single_digit_error_is_caught(tracking: str, position: int) -> None:
    position %= len(tracking)
    wrong = str((int(tracking[position]) + 1) % 10)
    mangled = tracking[:position] + wrong + tracking[position + 1 :]
    assert not is_valid_usps_tracking(mangled)


@given(st.text(max_size=60))
def test_garbage_never_crashes(raw: str) -> None:
    result = parse_scan(raw)
    assert result.kind is ScanKind.INVALID or result.ok
    if result.kind is ScanKind.INVALID:
        assert result.reason


@given(st.text("0123456789 \x1d]C^", max_size=45))
def test_digit_soup_never_crashes_and_valid_results_are_valid(raw: str) -> None:
    result = parse_scan(raw)
    if result.kind is ScanKind.TRACKING:
        assert is_valid_usps_tracking(result.tracking_code)


def test_tracking_lookup_keys() -> None:
    assert tracking_lookup_keys("9400100105442285876350") == ("9400100105442285876350",)
    long = "92612903103110541475000068"
    assert tracking_lookup_keys(long) == (long, long[-22:])
    assert tracking_lookup_keys("71969010756003077385")[1] == "9171969010756003077385"
    assert tracking_lookup_keys("LZ000000425US") == ("LZ000000425US",)


@given(st.integers(min_value=0, max_value=10**8 - 1), st.sampled_from(["LZ", "CJ", "EC", "RR"]))
def test_made_s10_numbers_scan_back(sequence: int, service: str) -> None:
    code = make_s10_tracking_number(sequence, service=service)
    spaced = f" {code[:2]} {code[2:5]} {code[5:8]} {code[8:11]} {code[11:]}\r\n"
    for raw in (code, code.lower(), spaced, "]C0" + code):
        result = parse_scan(raw)
        assert (result.kind, result.tracking_code) == (ScanKind.S10, code)


@given(st.from_regex(r"[A-Za-z0-9._/\-]{1,64}", fullmatch=True))
def test_order_barcodes_round_trip(order_id: str) -> None:
    result = parse_scan(order_barcode_data(order_id) + "\r\n")
    assert (result.kind, result.order_ref, result.order_ref_external) == (
        ScanKind.ORDER,
        order_id,
        False,
    )


def test_2d_impb_with_extra_gs1_fields_gives_the_tracking_number() -> None:
    raw = "]d242063118\x1d9202290109769900000018\x1d8008261125\x1d21ABC12"
    result = parse_scan(raw)
    assert (result.kind, result.tracking_code, result.zip) == (
        ScanKind.TRACKING,
        "9202290109769900000018",
        "63118",
    )


def test_gs_after_something_that_is_not_a_zip_is_invalid() -> None:
    assert parse_scan("4206311\x1d9202290109769900000018").kind is ScanKind.INVALID
    assert parse_scan("1\x1d2\x1d3").kind is ScanKind.INVALID
