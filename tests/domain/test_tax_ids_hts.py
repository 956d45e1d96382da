"""Tax identifiers (which a parcel carries, formats) and HTS code checks: pure rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.hts import hts_problem
from app.domain.tax_ids import SenderTaxIds, TaxIdType, identifiers_for, normalize_tax_id

IDS = SenderTaxIds(
    ioss="IM2760000742",
    eu_vat="DE123456789",
    uk_vat="GB123456789",
    eori="GB123456789000",
    kickstarter_ioss="IM5280000001",
)


def _carried(country: str, value: str, *, kickstarter: bool = False, ids: SenderTaxIds = IDS):
    decision = identifiers_for(country, Decimal(value), from_kickstarter=kickstarter, ids=ids)
    return [(t.tax_id_type, t.tax_id, t.issuing_country) for t in decision.identifiers], list(
        decision.missing
    )


def test_eu_low_value_carries_ioss_vat_and_eori() -> None:
    carried, missing = _carried("DE", "60")
    assert carried == [
        (TaxIdType.IOSS, "IM2760000742", "DE"),  # 276 = Germany
        (TaxIdType.VAT, "DE123456789", "DE"),
        (TaxIdType.EORI, "GB123456789000", "GB"),
    ]
    assert missing == []


def test_a_kickstarter_order_takes_the_campaign_ioss() -> None:
    carried, _ = _carried("FR", "60", kickstarter=True)
    assert carried[0] == (TaxIdType.IOSS, "IM5280000001", "NL")


def test_above_eur_150_no_ioss() -> None:
    carried, missing = _carried("IT", "200")  # 200 USD = 172 EUR
    assert TaxIdType.IOSS not in [c[0] for c in carried] and missing == []


def test_missing_identifiers_name_the_fix() -> None:
    _, eu = _carried("ES", "30", ids=SenderTaxIds())
    assert eu and "tax-ids set --ioss" in eu[0]
    _, ks = _carried("ES", "30", kickstarter=True, ids=SenderTaxIds())
    assert "--kickstarter-ioss" in ks[0]
    _, uk = _carried("GB", "30", ids=SenderTaxIds(ioss="IM2760000742"))
    assert uk and "--uk-vat" in uk[0]


def test_uk_carries_uk_vat_and_canada_australia_carry_none() -> None:
    carried, _ = _carried("GB", "50")
    assert carried == [
        (TaxIdType.VAT, "GB123456789", "GB"),
        (TaxIdType.EORI, "GB123456789000", "GB"),
    ]
    assert _carried("CA", "50") == ([], [])
    assert _carried("AU", "50") == ([], [])


def test_formats_are_checked_and_normalised() -> None:
    assert normalize_tax_id("ioss", "im 276 000 0742") == "IM2760000742"
    assert normalize_tax_id("uk_vat", "GB 123 4567 89") == "GB123456789"
    assert normalize_tax_id("eori", "") == ""
    for field, bad in (("ioss", "IM12"), ("uk_vat", "DE123456789"), ("eu_vat", "US12345")):
        with pytest.raises(ValueError, match=r"expected e\.g\."):
            normalize_tax_id(field, bad)


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("610910", True),
        ("6109.10.0012", True),
        ("9504.90.6000", True),
        ("0101210000", True),
        ("12345", False),  # too short
        ("12345678901", False),  # too long
        ("770000", False),  # chapter 77 is reserved
        ("980000", False),  # US-only chapter
        ("000000", False),
        ("61O910", False),  # a letter O
    ],
)
def test_hts_codes(code: str, ok: bool) -> None:
    assert (hts_problem(code) is None) is ok
