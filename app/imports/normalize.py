"""Messy cell values -> clean ones: countries, US states, postal codes, money and quantities.

Every lookup here is cached per distinct input text: an order file repeats the same few hundred
country, state and ZIP spellings across 100,000 rows.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import pycountry

from app.domain.limits import MAX_QUANTITY
from app.domain.orders import DOMESTIC_COUNTRIES

# Spellings pycountry does not know, seen in backer surveys and shop exports (keys casefolded,
# dots removed). "UK" is the classic: it is not an ISO code, but everyone means GB.
_COUNTRY_ALIASES: dict[str, str] = {
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "usa": "US",
    "us": "US",
    "u s": "US",
    "us of a": "US",
    "america": "US",
    "united states": "US",
    "united states of america": "US",
    "the united states": "US",
    "russia": "RU",
    "turkey": "TR",
    "holland": "NL",
    "the netherlands": "NL",
    "deutschland": "DE",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "macedonia": "MK",
    "ivory coast": "CI",
    "cote d'ivoire": "CI",
    "burma": "MM",
    "swaziland": "SZ",
    "cape verde": "CV",
    "vatican": "VA",
    "vatican city": "VA",
    "the bahamas": "BS",
    "hong kong sar": "HK",
    "macau": "MO",
    "czechia": "CZ",
    "brasil": "BR",
    "españa": "ES",
    "espana": "ES",
    "schweiz": "CH",
    "suisse": "CH",
    "österreich": "AT",
    "nippon": "JP",
    "uae": "AE",
    "italia": "IT",
    "nederland": "NL",
    "sverige": "SE",
    "norge": "NO",
    "danmark": "DK",
    "suomi": "FI",
    "polska": "PL",
    "belgique": "BE",
    "belgië": "BE",
    "magyarország": "HU",
    "česko": "CZ",
    "türkiye": "TR",
    "méxico": "MX",
    "new zealand / aotearoa": "NZ",
    "aotearoa": "NZ",
}

# USPS codes pycountry has no subdivision for: the military "states".
_MILITARY_STATES = {
    "AA": "Armed Forces Americas",
    "AE": "Armed Forces Europe",
    "AP": "Armed Forces Pacific",
}

#: Countries whose addresses have no postal code, so a missing one is no error.
_NO_POSTAL = (
    "AE AG AO AW BF BI BJ BO BS BW BZ CD CF CG CI CK CM DJ DM ER FJ GA GD GH GM GQ GY HK IE"
)
NO_POSTAL_CODE_COUNTRIES = frozenset(
    f"{_NO_POSTAL} JM KI KM KN KP LC ML MO MR MW NA NR NU QA RW SB SC SL SR ST SY TD TF TG TK TL TO"
    " TT TV UG VU YE ZW".split()
)

_US_ZIP = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")
_US_SHORT_ZIP = re.compile(r"^(\d{3,4})(?:-(\d{4}))?$")
_EXCEL_ZIP = re.compile(r'^(?:="(\d{3,9})"|(\d{3,9})\.0+)$')
_CA_POSTAL = re.compile(r"^([A-Z]\d[A-Z])\s*(\d[A-Z]\d)$")
_CURRENCY_CODE = re.compile(r"\b([A-Z]{3})\b")
_NUMBER = re.compile(r"-?\d[\d.,'\u00a0\u202f ]*")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3}){2,}$")
_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR"}


def squash(text: str) -> str:
    """Trim and collapse whitespace (including newlines inside a quoted cell) to single spaces."""
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def country_code(value: str) -> str | None:
    """ISO-3166 alpha-2 for a country code (alpha-2/alpha-3), name or common alias; else None.

    Matching ignores case, dots ("U.S.A.") and accents ("México", "Österreich").
    """
    text = squash(value).replace("\u2019", "'").strip("'\"")
    if not text:
        return None
    for candidate in (text, text.replace(".", "").strip()):
        folded = _fold(candidate)
        alias = _FOLDED_ALIASES.get(folded) or _folded_country_names().get(folded)
        if alias:
            return alias
        try:
            return str(pycountry.countries.lookup(candidate).alpha_2)
        except LookupError:
            continue
    return None


@lru_cache(maxsize=1)
def _folded_country_names() -> dict[str, str]:
    """Every pycountry name, official and common name, folded -> alpha-2."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if name:
                names.setdefault(_fold(str(name)), str(country.alpha_2))
    return names


def _subdivisions(country: str) -> list[Any]:
    # pycountry's subdivision database is untyped; this is the one place that touches it.
    found: Any = pycountry.subdivisions.get(country_code=country)  # type: ignore[no-untyped-call]
    return list(found or ())


@lru_cache(maxsize=1)
def _us_states() -> dict[str, str]:
    names: dict[str, str] = {}
    for sub in _subdivisions("US"):
        code = str(sub.code).split("-", 1)[1]
        names[code.casefold()] = code
        names[str(sub.name).casefold()] = code
    for code, name in _MILITARY_STATES.items():
        names[code.casefold()] = code
        names[name.casefold()] = code
    names["washington dc"] = names["washington d c"] = names["d c"] = "DC"
    names["virgin islands"] = names["us virgin islands"] = "VI"
    return names


@lru_cache(maxsize=1024)
def us_state_code(value: str) -> str | None:
    """USPS state code for a state, district, territory or military code or name; else None."""
    key = squash(value.replace(".", " ")).casefold()
    return _us_states().get(key) if key else None


@lru_cache(maxsize=8)
def _subdivision_codes(country: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for sub in _subdivisions(country):
        code = str(sub.code).split("-", 1)[1]
        names[code.casefold()] = code
        names[_fold(str(sub.name))] = code
    return names


def _fold(text: str) -> str:
    """Casefolded and without accents ("Québec" -> "quebec"), for matching typed names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=1024)
def province_code(value: str, country: str) -> str:
    """A CA/AU province or state name as its postal abbreviation; other text is kept as is."""
    text = squash(value)
    if country in ("CA", "AU"):
        return _subdivision_codes(country).get(_fold(text), text)
    return text


class PostalResult:
    """A normalised postal code, or why it is wrong, plus a note when it was repaired."""

    __slots__ = ("error", "note", "value")

    def __init__(self, value: str, note: str = "", error: str = "") -> None:
        self.value = value
        self.note = note
        self.error = error


@lru_cache(maxsize=65536)
def normalize_postal_code(raw: str, country: str) -> PostalResult:
    """Clean a postal code for `country` (ISO alpha-2).

    Strips a spreadsheet's leading apostrophe, formats US ZIP/ZIP+4 and Canadian codes, and puts
    back the leading zeros a spreadsheet dropped from 3-4 digit US ZIPs (with a note).
    """
    text = squash(raw).lstrip("'").strip()
    if not text or text == "-":
        return PostalResult("")
    if country in DOMESTIC_COUNTRIES:
        return _us_zip(text)
    upper = text.upper()
    if country == "CA":
        match = _CA_POSTAL.match(upper)
        if not match:
            return PostalResult(upper, error=f"{text!r} is not a Canadian postal code (A1A 1A1)")
        return PostalResult(f"{match.group(1)} {match.group(2)}")
    return PostalResult(upper)


def _us_zip(text: str) -> PostalResult:
    match = _US_ZIP.match(text)
    if match:
        five, plus4 = match.groups()
        return PostalResult(f"{five}-{plus4}" if plus4 else five)
    excel = _EXCEL_ZIP.match(text)
    if excel:
        # Excel's ways of keeping a ZIP: ="02110" (a text formula) and 2110.0 (a number cell).
        repaired = _us_zip(excel.group(1) or excel.group(2))
        if repaired.error:
            return PostalResult(text, error=f"{text!r} is not a US ZIP code (12345 or 12345-6789)")
        note = f"ZIP {text!r} was changed by a spreadsheet; read as {repaired.value}"
        return PostalResult(repaired.value, note=note)
    compact = text.replace(" ", "")
    if compact.isdigit() and len(compact) == 9:
        return PostalResult(f"{compact[:5]}-{compact[5:]}")
    if compact.isdigit() and len(compact) == 8:
        # A ZIP+4 stored as a number loses its leading zero (02110-1234 -> 21101234).
        fixed = f"0{compact[:4]}-{compact[4:]}"
        return PostalResult(fixed, note=f"ZIP {text!r} lost its leading zero; read as {fixed}")
    short = _US_SHORT_ZIP.match(compact)
    if short:
        digits, plus4 = short.groups()
        five = digits.zfill(5)
        fixed = f"{five}-{plus4}" if plus4 else five
        return PostalResult(fixed, note=f"ZIP {text!r} lost its leading zeros; read as {fixed}")
    return PostalResult(text, error=f"{text!r} is not a US ZIP code (12345 or 12345-6789)")


def parse_quantity(raw: str) -> int:
    """A quantity cell as a whole number from 0 to MAX_QUANTITY; empty means 0.

    Only plain digits are read (`2`, and `2.0` as a spreadsheet writes a whole number): `1e3`
    is refused rather than silently read as 1000.

    Raises:
        ValueError: with a message for the packer when it is negative, not a plain whole
            number, or beyond MAX_QUANTITY.
    """
    if len(raw) <= 4 and raw.isdigit() and raw.isascii():
        return int(raw)  # the common case: at most 9,999, within MAX_QUANTITY
    text = raw.strip()
    if not text:
        return 0
    shown = text if len(text) <= 30 else text[:27] + "..."
    if text.isdigit() and text.isascii():
        number = int(text) if len(text) <= 12 else MAX_QUANTITY + 1
    elif not _PLAIN_QUANTITY.fullmatch(text):
        raise ValueError(
            f"quantity {shown!r} is not a number: write a whole number in digits (no 1e3)"
        )
    elif text.startswith("-") and text.strip("-0.") != "":
        raise ValueError(f"quantity {shown!r} is negative")
    elif text.partition(".")[2].strip("0"):
        raise ValueError(f"quantity {shown!r} is not a whole number")
    else:
        digits = text.lstrip("+-").partition(".")[0] or "0"
        number = int(digits) if len(digits) <= 12 else MAX_QUANTITY + 1
    if number > MAX_QUANTITY:
        raise ValueError(f"quantity {shown!r} is more than {MAX_QUANTITY:,} (a typo?)")
    return number


#: A quantity as a spreadsheet may write it: digits, optionally a sign and decimal zeros.
_PLAIN_QUANTITY = re.compile(r"[+-]?\d+(\.\d*)?")


@lru_cache(maxsize=4096)
def parse_money(raw: str) -> tuple[Decimal, str] | None:
    """Money as (amount, ISO currency) from `$1,500.00`, `SEK 1,000.00`, `$4.00 USD`, `12,50 €`.

    The currency is the ISO code when one is written, else the symbol's ($ -> USD), else "".
    Returns None for an empty cell or text without a number.
    """
    text = raw.strip()
    if not text:
        return None
    code_match = _CURRENCY_CODE.search(text.upper())
    currency = code_match.group(1) if code_match else ""
    if not currency:
        currency = next((iso for sym, iso in _CURRENCY_SYMBOLS.items() if sym in text), "")
    number_match = _NUMBER.search(text)
    if not number_match:
        return None
    number = _decimal_text(number_match.group(0).strip())
    try:
        return Decimal(number), currency
    except InvalidOperation:
        return None


def _decimal_text(number: str) -> str:
    """Resolve thousands and decimal separators: the last of ',' or '.' is the decimal one."""
    number = number.replace("'", "").replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if "," in number and "." in number:
        if number.rfind(",") > number.rfind("."):
            return number.replace(".", "").replace(",", ".")
        return number.replace(",", "")
    if "," in number:
        return (
            number.replace(",", "") if _THOUSANDS_COMMA.match(number) else number.replace(",", ".")
        )
    if _THOUSANDS_DOT.match(number):
        return number.replace(".", "")
    return number


_FOLDED_ALIASES = {_fold(key): code for key, code in _COUNTRY_ALIASES.items()}
