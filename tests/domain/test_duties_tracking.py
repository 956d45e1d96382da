"""The EU EUR 3 line duty, IOSS and VAT, DDP where USPS has it, and tracked services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.duties import ddp_available, estimate_duties
from app.domain.intl_tracking import is_tracked

AUGUST = date(2026, 8, 3)
JUNE = date(2026, 6, 1)


def test_eu_with_ioss_pays_only_the_line_duty_from_july_2026() -> None:
    with_ioss = estimate_duties("FR", Decimal(60), 2, has_ioss=True, has_uk_vat=False, on=AUGUST)
    assert with_ioss.ioss_covers_vat and with_ioss.vat_usd == 0
    assert with_ioss.duty_usd == Decimal("6.98")  # 2 lines x EUR 3 at 0.86 EUR per USD
    assert any("IOSS does not cover" in note for note in with_ioss.notes)
    before = estimate_duties("FR", Decimal(60), 2, has_ioss=True, has_uk_vat=False, on=JUNE)
    assert before.backer_pays_usd == 0


def test_eu_without_ioss_pays_vat_and_duty() -> None:
    est = estimate_duties("DE", Decimal(100), 1, has_ioss=False, has_uk_vat=False, on=AUGUST)
    assert est.vat_usd == Decimal("19.00") and est.duty_usd == Decimal("3.49")
    assert est.backer_pays_usd == Decimal("22.49")
    assert est.ddp_available and est.ddp_cost_usd == Decimal("22.49")  # USPS fee is $0


def test_uk_canada_australia() -> None:
    uk = estimate_duties("GB", Decimal(50), 1, has_ioss=False, has_uk_vat=True, on=AUGUST)
    assert uk.backer_pays_usd == 0 and uk.ddp_available
    uk_no_vat = estimate_duties("GB", Decimal(50), 1, has_ioss=False, has_uk_vat=False, on=AUGUST)
    assert uk_no_vat.vat_usd == Decimal("10.00")
    small_ca = estimate_duties("CA", Decimal(25), 1, has_ioss=False, has_uk_vat=False, on=AUGUST)
    assert small_ca.backer_pays_usd == 0  # under CAD 40
    big_ca = estimate_duties("CA", Decimal(80), 1, has_ioss=False, has_uk_vat=False, on=AUGUST)
    assert big_ca.vat_usd == Decimal("4.00")
    au = estimate_duties("AU", Decimal(80), 1, has_ioss=False, has_uk_vat=False, on=AUGUST)
    assert au.backer_pays_usd == 0 and not au.ddp_available and au.ddp_cost_usd is None


def test_ddp_only_where_and_when_usps_has_it() -> None:
    assert ddp_available("DE", "PriorityMailInternational", AUGUST)
    assert not ddp_available("FR", "PriorityMailInternational", AUGUST)
    assert not ddp_available("CA", "FirstClassMailInternational", AUGUST)
    assert not ddp_available("GB", None, date(2026, 1, 29))


def test_tracking_per_service_and_destination() -> None:
    assert is_tracked("ExpressMailInternational", "KP")
    assert is_tracked("PriorityMailInternational", "BR") and not is_tracked(
        "PriorityMailInternational", "KP"
    )
    assert is_tracked("FirstClassPackageInternationalService", "DE")
    assert not is_tracked("FirstClassPackageInternationalService", "TH")
    assert not is_tracked("FirstClassMailInternational", "GB")
