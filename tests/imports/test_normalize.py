"""Cell normalisers: countries, states, postal codes, money, quantities, SKUs from names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.us_zip import states_for_zip
from app.imports.normalize import (
    country_code,
    normalize_postal_code,
    parse_money,
    parse_quantity,
    province_code,
    us_state_code,
)
from app.imports.sku import addon_name, sku_from_name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("US", "US"),
        ("usa", "US"),
        ("U.S.A.", "US"),
        ("United States", "US"),
        ("United States of America", "US"),
        ("UK", "GB"),
        ("United Kingdom", "GB"),
        ("England", "GB"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        (" japan ", "JP"),
        ("Sweden", "SE"),
        ("Czech Republic", "CZ"),
        ("South Korea", "KR"),
        ("Türkiye", "TR"),
        ("Turkey", "TR"),
        ("Russia", "RU"),
        ("México", "MX"),
        ("Österreich", "AT"),
        ("Côte d\u2019Ivoire", "CI"),
        ("Viet Nam", "VN"),
        ("Italia", "IT"),
    ],
)
def test_country_names_and_codes(text: str, code: str) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["EU", "Atlantis", "", "ZZ", "Narnia"])
def test_unknown_countries(text: str) -> None:
    assert country_code(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("MA", "MA"),
        ("ma", "MA"),
        ("Massachusetts", "MA"),
        ("new  york", "NY"),
        ("D.C.", "DC"),
        ("District of Columbia", "DC"),
        ("Puerto Rico", "PR"),
        ("AE", "AE"),
    ],
)
def test_us_states(text: str, code: str) -> None:
    assert us_state_code(text) == code


def test_unknown_us_state() -> None:
    assert us_state_code("Narnia") is None
    assert us_state_code("") is None


@pytest.mark.parametrize(
    ("raw", "country", "value", "noted"),
    [
        ("02108", "US", "02108", False),
        ("'84403", "US", "84403", False),
        ("2108", "US", "02108", True),
        ("501", "US", "00501", True),
        ("98144-2734", "US", "98144-2734", False),
        ("981442734", "US", "98144-2734", False),
        ("2108-1234", "US", "02108-1234", True),
        ("901", "PR", "00901", True),
        ("k2p2l8", "CA", "K2P 2L8", False),
        ("K2P 2L8", "CA", "K2P 2L8", False),
        ("sw1a 1aa", "GB", "SW1A 1AA", False),
        ("135 44", "SE", "135 44", False),
        ("-", "GB", "", False),
        # Excel's mangling: a ZIP+4 as a number, a ZIP as a float, a ZIP kept as a formula.
        ("21081234", "US", "02108-1234", True),
        ("2108.0", "US", "02108", True),
        ("84403.0", "US", "84403", True),
        ('="02108"', "US", "02108", True),
    ],
)
def test_postal_codes(raw: str, country: str, value: str, noted: bool) -> None:
    result = normalize_postal_code(raw, country)
    assert (result.value, bool(result.note), result.error) == (value, noted, "")


@pytest.mark.parametrize(
    ("raw", "country"),
    [
        ("ABCDE", "US"),
        ("12", "US"),
        ("12345", "CA"),
        ("2.11E+03", "US"),
        ("2108.5", "US"),
        ("1234567", "US"),
        ('="12"', "US"),
    ],
)
def test_bad_postal_codes(raw: str, country: str) -> None:
    assert normalize_postal_code(raw, country).error


def test_zip_prefix_states() -> None:
    assert states_for_zip("02108") == {"MA"}
    assert states_for_zip("10001") == {"NY"}
    assert states_for_zip("96813") >= {"HI"}
    assert states_for_zip("00901") == {"PR"}
    assert states_for_zip("A1") == frozenset()


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$1,500.00", "1500.00", "USD"),
        ("SEK 1,000.00", "1000.00", "SEK"),
        ("$4.00 USD", "4.00", "USD"),
        ("$17.17 AUD", "17.17", "AUD"),
        ("1635.55", "1635.55", ""),
        ("116,99 €", "116.99", "EUR"),
        ("1.234,56 EUR", "1234.56", "EUR"),
        ("£12", "12", "GBP"),
        ("CHF 1'250.50", "1250.50", "CHF"),
    ],
)
def test_money(text: str, amount: str, currency: str) -> None:
    assert parse_money(text) == (Decimal(amount), currency)


def test_money_without_a_number() -> None:
    assert parse_money("") is None
    assert parse_money("USD") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("", 0), ("3", 3), (" 2 ", 2), ("1.0", 1), ("0", 0), ("10000", 10_000), ("-0", 0)],
)
def test_quantities(text: str, value: int) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("-1", "negative"),
        ("1.5", "whole"),
        ("two", "not a number"),
        ("NaN", "whole"),
        ("1e3", "no 1e3"),  # issue 8: was silently read as 1000
        ("1e308", "no 1e3"),
        ("99999999999999999999999", "more than 10,000"),
        ("10001", "more than 10,000"),
        ("-0.5", "negative"),
    ],
)
def test_bad_quantities(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("name", "sku"),
    [
        ("Art Book (Hardcover)", "ART-BOOK-HARDCOVER"),
        ("T-Shirt – L", "T-SHIRT-L"),
        ("Sol: Last Days of a Star", "SOL-LAST-DAYS-OF-A-STAR"),
        ("Café  Crème mug", "CAFE-CREME-MUG"),
        ("  sticker sheet ", "STICKER-SHEET"),
    ],
)
def test_sku_from_name(name: str, sku: str) -> None:
    assert sku_from_name(name) == sku


def test_sku_for_names_without_latin_letters_and_long_names() -> None:
    cjk = sku_from_name("日本語セット")
    assert cjk.startswith("ITEM-") and len(cjk) == 13
    assert sku_from_name("日本語セット") == cjk  # deterministic
    long_a = sku_from_name("A very long limited edition collector's item name, version one")
    long_b = sku_from_name("A very long limited edition collector's item name, version two")
    assert long_a != long_b
    assert max(len(long_a), len(long_b)) <= 40


def test_addon_headers() -> None:
    assert addon_name("[Addon: 10750435] Flitt Locust Pendant") == "Flitt Locust Pendant"
    assert addon_name("[Add-on: 7]  Art   Book") == "Art Book"
    assert addon_name("Flitt Locust Pendant") is None
    assert sku_from_name(addon_name("[Addon: 1] Art Book") or "") == sku_from_name("Art Book")


@pytest.mark.parametrize(
    ("text", "country", "code"),
    [("Ontario", "CA", "ON"), ("Québec", "CA", "QC"), ("qc", "CA", "QC"),
     ("New South Wales", "AU", "NSW"), ("Stockholms Län", "SE", "Stockholms Län")],
)  # fmt: skip
def test_canadian_and_australian_regions_become_codes(text: str, country: str, code: str) -> None:
    assert province_code(text, country) == code
