"""USPS tracking numbers and barcodes: check digits, IMpb element strings, scanner input parsing.

Formats (see docs in order-formats.md §4 and shipping-anchors.md §5.1):

* USPS IMpb tracking number: 20, 22, 26, 30 or 34 digits, last digit a mod-10 check digit with
  weights 3, 1, 3, ... from the rightmost body digit. 22-digit numbers start with a channel AI:
  ``92``/``93`` (commercial + MID), ``94`` (USPS.com, PC postage), ``95`` (retail), ``91`` (legacy).
* The IMpb barcode (GS1-128) carries ``420`` + destination ZIP (5 or 9 digits) + FNC1 + tracking.
  The printed human-readable line shows only the tracking part.
* UPU S10 international numbers: ``LZ123456789US`` (2 letters, 8 digits, check digit, ISO country).
* Packing-slip order barcodes (our own format, Code 128): ``PD-ORDER:<order id>`` for Packdesk's
  own order id, or ``#<external order name>`` (e.g. Shopify's ``#1005``). The id may use letters,
  digits and ``. _ / -``; at most 64 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from app.domain.limits import MAX_RECORD_ID

GS = "\x1d"  # ASCII group separator: what a scanner sends for a non-leading FNC1

USPS_TRACKING_LENGTHS = frozenset({20, 22, 26, 30, 34})
USPS_CHANNEL_PREFIXES = ("91", "92", "93", "94", "95")

# Service Type Codes as seen in EasyPost's test tracking numbers (9400 1..., 9405 5..., 9434 6...).
# The sandbox uses them so sandbox numbers look like the service bought; nothing depends on them.
USPS_SERVICE_TYPE_CODES: dict[str, str] = {
    "GroundAdvantage": "001",
    "Priority": "055",
    "Express": "346",
    "MediaMail": "071",
    "LibraryMail": "073",
    "First": "001",
    "FirstClassPackageInternationalService": "001",
    "PriorityMailInternational": "055",
    "ExpressMailInternational": "346",
}

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_SANDBOX_SOURCE_ID = (
    "99"  # a source id no real PC-postage vendor of ours uses: marks sandbox labels
)
_SEQUENCE_DIGITS = 13
ORDER_BARCODE_PREFIX = "PD-ORDER:"
_ORDER_ID_RE = re.compile(r"[A-Za-z0-9._/\-]{1,64}")
_S10_RE = re.compile(r"([A-Z]{2})(\d{8})(\d)([A-Z]{2})")
# AIM symbology identifiers a scanner may prepend: ]C1 (GS1-128), ]C0 (Code 128), ]d2 (GS1
# DataMatrix), ]Q3 (GS1 QR), ]e0 (GS1 DataBar) and friends.
_AIM_PREFIX_RE = re.compile(r"^\][A-Za-z][0-9A-Za-z]")
# What a keyboard-wedge scanner types for GS when it cannot send Ctrl+]: the caret notation, the
# CP437 glyph Alt+029 produces on Windows, or a spelled-out placeholder some scanners configure.
_GS_STANDINS = ("^]", "\u2194", "<GS>", "[GS]", "{GS}", "<gs>", "[gs]", "{gs}")
# Not \s: Python counts GS (0x1D) as whitespace, and GS carries meaning here.
_BLANKS = " \t\r\n\f\v\u00a0"
_SPACES_RE = re.compile(f"[{_BLANKS}]+")
# Framing a scanner or its interface adds around the data (STX/ETX, a leading NUL, SYN/ETB,
# EOT, ESC, DEL): C0 controls and DEL are never part of a label barcode we read, so they go.
# GS stays (it ends the ZIP), and tab/CR/LF/VT/FF stay blanks (they separate, as spaces do).
_FRAMING_RE = re.compile(r"[\x00-\x08\x0e-\x1c\x1e\x1f\x7f]")


# --- check digits -----------------------------------------------------------------------------


def usps_mod10_check_digit(body: str) -> int:
    """The USPS mod-10 check digit of `body` (digits only): weights 3, 1, 3, ... from the right."""
    if not body.isdigit() or not body.isascii():
        raise ValueError(f"tracking body must be digits, got {body!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def _mod10_ok(digits: str) -> bool:
    return int(digits[-1]) == usps_mod10_check_digit(digits[:-1])


def is_valid_usps_tracking(code: str) -> bool:
    """True for a bare USPS tracking number (digits only) of a known length with a valid check.

    20-digit numbers come in two kinds: the "USPS 20" form checked as-is, and legacy IMpb
    numbers printed without their ``91`` channel prefix, checked with it put back.
    """
    if not code.isascii() or not code.isdigit() or len(code) not in USPS_TRACKING_LENGTHS:
        return False
    if _mod10_ok(code):
        return True
    return len(code) == 20 and _mod10_ok("91" + code)


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial: weights 8,6,4,2,3,5,9,7; 11 - sum mod 11."""
    if len(serial) != 8 or not serial.isascii() or not serial.isdigit():
        raise ValueError(f"S10 serial must be 8 digits, got {serial!r}")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def is_valid_s10(code: str) -> bool:
    """True for a well-formed UPU S10 number like ``LZ123456789US`` (upper case, no spaces)."""
    match = _S10_RE.fullmatch(code)
    return match is not None and s10_check_digit(match.group(2)) == int(match.group(3))


# --- making numbers and barcode data --------------------------------------------------------


def make_usps_tracking_number(sequence: int, *, service_type_code: str = "001") -> str:
    """A unique, valid 22-digit IMpb tracking number for the sandbox's `sequence`-th label.

    Layout: ``94`` (PC postage channel) + 3-digit service type code + ``1`` + source id ``99`` +
    13-digit sequence + mod-10 check digit.
    """
    if not 0 <= sequence < 10**_SEQUENCE_DIGITS:
        raise ValueError(f"sequence {sequence} out of range 0..{10**_SEQUENCE_DIGITS - 1}")
    if len(service_type_code) != 3 or not service_type_code.isdigit():
        raise ValueError(f"service type code must be 3 digits, got {service_type_code!r}")
    body = f"94{service_type_code}1{_SANDBOX_SOURCE_ID}{sequence:0{_SEQUENCE_DIGITS}d}"
    return body + str(usps_mod10_check_digit(body))


def make_s10_tracking_number(sequence: int, *, service: str = "LZ", country: str = "US") -> str:
    """A valid S10 number (``LZ000000425US``) for the sandbox's international label `sequence`."""
    if not 0 <= sequence < 10**8:
        raise ValueError(f"sequence {sequence} out of range 0..99999999")
    if not re.fullmatch(r"[A-Z]{2}", service) or not re.fullmatch(r"[A-Z]{2}", country):
        raise ValueError(f"service and country must be 2 capital letters: {service!r} {country!r}")
    serial = f"{sequence:08d}"
    return f"{service}{serial}{s10_check_digit(serial)}{country}"


def normalize_zip(zip_code: str) -> str:
    """Digits of a US ZIP or ZIP+4 (``"94107-1234"`` -> ``"941071234"``); raise if neither."""
    digits = re.sub(r"[\s\-]", "", zip_code)
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (5, 9):
        raise ValueError(f"not a 5- or 9-digit US ZIP code: {zip_code!r}")
    return digits


def impb_barcode_data(destination_zip: str, tracking: str) -> str:
    """The GS1 element string of a domestic IMpb: ``420`` + ZIP5/ZIP9 + GS + tracking.

    GS (0x1D) stands for the FNC1 that ends the variable-length AI 420; a barcode encoder turns
    it into an FNC1 codeword, and a scanner sends it back as GS. The leading FNC1 that makes the
    symbol GS1-128 is not part of this string.
    """
    if not is_valid_usps_tracking(tracking):
        raise ValueError(f"not a valid USPS tracking number: {tracking!r}")
    return f"420{normalize_zip(destination_zip)}{GS}{tracking}"


def group_tracking_for_print(tracking: str) -> str:
    """The human-readable line under the barcode: groups of four (``9400 1000 ... 16``)."""
    return " ".join(tracking[i : i + 4] for i in range(0, len(tracking), 4))


def tracking_lookup_keys(tracking_code: str) -> tuple[str, ...]:
    """The stored tracking codes a scanned one may match, best first.

    The code itself; for numbers longer than 22 digits also their last 22 (some APIs store or
    show only those); for a 20-digit legacy number also its ``91`` form.
    """
    keys = [tracking_code]
    if tracking_code.isdigit() and len(tracking_code) > 22:
        keys.append(tracking_code[-22:])
    if tracking_code.isdigit() and len(tracking_code) == 20:
        keys.append("91" + tracking_code)
    return tuple(keys)


def order_barcode_data(order_id: str) -> str:
    """What a packing slip's Code 128 barcode encodes for Packdesk order `order_id`."""
    if not _ORDER_ID_RE.fullmatch(order_id):
        raise ValueError(f"order id {order_id!r} cannot go in a barcode (letters, digits, ._/-)")
    return ORDER_BARCODE_PREFIX + order_id


# --- scanning ---------------------------------------------------------------------------------


class ScanKind(StrEnum):
    """What a scanned code turned out to be."""

    TRACKING = "tracking"  # a USPS IMpb tracking number (maybe with 420 + ZIP)
    S10 = "s10"  # an international UPU S10 number
    ORDER = "order"  # a packing-slip order barcode
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class ScanResult:
    """A parsed scan. `reason` says, for INVALID, why in words a packer understands."""

    kind: ScanKind
    tracking_code: str = ""
    zip: str = ""  # destination ZIP from the IMpb's 420 part, when scanned
    order_ref: str = ""
    order_ref_external: bool = False  # True for ``#<external name>``, False for ``PD-ORDER:<id>``
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.kind is not ScanKind.INVALID


def _invalid(reason: str) -> ScanResult:
    return ScanResult(ScanKind.INVALID, reason=reason)


def _strip_scanner_noise(raw: str) -> str:
    text = _FRAMING_RE.sub("", raw).strip(_BLANKS)
    text = _AIM_PREFIX_RE.sub("", text, count=1).strip(_BLANKS)
    for standin in _GS_STANDINS:
        text = text.replace(standin, GS)
    return text.strip(GS + _BLANKS)


def _parse_order(text: str) -> ScanResult | None:
    upper = text.upper()
    if upper.startswith(ORDER_BARCODE_PREFIX):
        ref, external = text[len(ORDER_BARCODE_PREFIX) :].strip(_BLANKS), False
    elif text.startswith("#") and len(text) > 1:
        ref, external = text, True
    else:
        return None
    if not _ORDER_ID_RE.fullmatch(ref.lstrip("#")) or (
        not external and ref.isdigit() and int(ref) > MAX_RECORD_ID
    ):
        return _invalid(f"order barcode {text[:40]!r} has an unusable order reference")
    return ScanResult(ScanKind.ORDER, order_ref=ref, order_ref_external=external)


def _parse_s10(compact: str) -> ScanResult | None:
    upper = compact.upper()  # Caps Lock on a keyboard-wedge scanner inverts letter case
    if not re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", upper):
        return None
    if not is_valid_s10(upper):
        expected = s10_check_digit(upper[2:10])
        return _invalid(
            f"{upper} has check digit {upper[10]} but should have {expected}: "
            "misread or mistyped international tracking number"
        )
    return ScanResult(ScanKind.S10, tracking_code=upper)


def _bad_tracking_reason(digits: str) -> str:
    if len(digits) not in USPS_TRACKING_LENGTHS:
        return (
            f"{len(digits)} digits: USPS tracking numbers have 20, 22, 26, 30 or 34 digits "
            "(or 420 + ZIP + tracking number from the label barcode)"
        )
    expected = usps_mod10_check_digit(digits[:-1])
    return (
        f"check digit is {digits[-1]} but should be {expected}: "
        "a misread or mistyped tracking number; scan again"
    )


def _split_420(digits: str) -> ScanResult | None:
    """Split ``420`` + ZIP5/ZIP9 + tracking when the remainder is a valid IMpb tracking number."""
    candidates = []
    for zip_len in (5, 9):
        rest = digits[3 + zip_len :]
        if rest.startswith(USPS_CHANNEL_PREFIXES) and is_valid_usps_tracking(rest):
            candidates.append(ScanResult(ScanKind.TRACKING, rest, digits[3 : 3 + zip_len]))
    if not candidates:
        return None
    # Both splits valid is possible only by chance; 22-digit tracking numbers are by far the
    # most common, so prefer the split that yields one.
    candidates.sort(key=lambda r: len(r.tracking_code) != 22)
    return candidates[0]


def _parse_digits(text: str) -> ScanResult:
    parts = [p for p in text.split(GS) if p]
    if len(parts) > 2:
        return _invalid("more than one group separator: not a USPS label barcode")
    digits = "".join(parts)
    if digits.startswith("420") and len(digits) in (8, 12):
        return _invalid(
            f"420{digits[3:]} is only a ZIP routing barcode ({digits[3:]}), not a tracking "
            "number: scan the barcode above the tracking number"
        )
    if digits.startswith("420") and len(digits) > 12:
        split = _split_420(digits)
        if split is not None:
            return split
    if is_valid_usps_tracking(digits):
        return ScanResult(ScanKind.TRACKING, digits)
    if digits.startswith("420") and len(digits) > 12:
        return _invalid(
            "starts with 420 + ZIP but no 5- or 9-digit ZIP leaves a tracking number with a "
            "valid check digit: misread or not a USPS label"
        )
    return _invalid(_bad_tracking_reason(digits))


def parse_scan(raw: str) -> ScanResult:
    """Parse what a handheld scanner (or a person) typed into a tracking, S10 or order reference.

    Accepts ``420`` + ZIP5/ZIP9 + tracking with or without GS (or ``^]``, ``↔``, ``<GS>``), an AIM
    prefix like ``]C1``/``]d2``, surrounding whitespace, scanner framing (STX/ETX, NUL, any C0
    control but GS, DEL), spaces as printed, bare
    20/22/26/30/34-digit tracking numbers, S10 numbers in either letter case, and packing-slip
    order barcodes.
    Never raises: anything unusable comes back INVALID with the reason.
    """
    text = _strip_scanner_noise(raw)
    if not text:
        return _invalid("empty scan: nothing was read")
    order = _parse_order(text)
    if order is not None:
        return order
    compact = _SPACES_RE.sub("", text)
    s10 = _parse_s10(compact.replace(GS, ""))
    if s10 is not None:
        return s10
    parts = [p for p in compact.split(GS) if p]
    if len(parts) >= 2 and re.fullmatch(r"420(\d{5}|\d{9})", parts[0]):
        # The GS says where the ZIP ends. A 2D IMpb (]d2) carries further GS1 fields after
        # the tracking number; they are not needed to find the order.
        zip_code, tracking = parts[0][3:], parts[1]
        if is_valid_usps_tracking(tracking):
            return ScanResult(ScanKind.TRACKING, tracking, zip_code)
        return _invalid(f"tracking number after ZIP {zip_code}: {_bad_tracking_reason(tracking)}")
    if compact.upper().startswith("1Z"):
        return _invalid(f"{compact} is a UPS tracking number, not a USPS one")
    if not compact.replace(GS, "").isascii() or not compact.replace(GS, "").isdigit():
        shown = compact.replace(GS, "<GS>")[:40]
        return _invalid(
            f"{shown!r} is not a USPS tracking number, an international (S10) number or a "
            "packing-slip order barcode"
        )
    return _parse_digits(compact)
