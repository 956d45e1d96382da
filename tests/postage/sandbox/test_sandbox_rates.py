"""The sandbox's rate model and geography: plausible, deterministic, monotonic."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.postage.sandbox.geo import state_for_zip, usps_zone
from app.postage.sandbox.rates import ParcelSpec, rate_domestic, rate_international


def prices(result: object) -> dict[str, float]:
    return {q.service: float(q.rate) for q in result.quotes}  # type: ignore[attr-defined]


def test_zip_table_and_zones() -> None:
    assert state_for_zip("94104") == "CA" and state_for_zip("10001-1234") == "NY"
    assert state_for_zip("00001") is None and state_for_zip("abc") is None
    assert usps_zone("94104", "94107") == 1
    assert usps_zone("94104", "90277") == 4  # EasyPost's own example: usps_zone 4
    assert usps_zone("94104", "10001") == 8
    assert usps_zone("10001", "00901") == 9  # Puerto Rico


def test_dimensional_weight_above_one_cubic_foot() -> None:
    small = prices(rate_domestic(ParcelSpec(32, 12, 12, 12), "94104", "10001"))  # 1728 in3
    big = prices(rate_domestic(ParcelSpec(32, 12, 12, 13), "94104", "10001"))  # 1872 in3 -> 12 lb
    assert big["Priority"] > small["Priority"] * 2


def test_size_and_handling_surcharges() -> None:
    base = prices(rate_domestic(ParcelSpec(80, 20, 10, 6), "94104", "10001"))
    long = prices(rate_domestic(ParcelSpec(80, 25, 10, 6), "94104", "10001"))
    nonmachinable = prices(
        rate_domestic(ParcelSpec(80, 20, 10, 6), "94104", "10001", machinable=False)
    )
    assert long["GroundAdvantage"] > base["GroundAdvantage"]
    assert nonmachinable["GroundAdvantage"] > base["GroundAdvantage"]
    assert nonmachinable["Priority"] == base["Priority"]


def test_flat_rate_is_flat_and_international_limits() -> None:
    near = prices(
        rate_domestic(ParcelSpec(300, predefined_package="MediumFlatRateBox"), "94104", "94107")
    )
    far = prices(
        rate_domestic(ParcelSpec(300, predefined_package="MediumFlatRateBox"), "94104", "10001")
    )
    assert near == far
    light = prices(rate_international(ParcelSpec(60, 8, 6, 2), "DE"))
    heavy = prices(rate_international(ParcelSpec(80, 8, 6, 2), "DE"))
    assert "FirstClassPackageInternationalService" in light
    assert "FirstClassPackageInternationalService" not in heavy
    assert (
        prices(rate_international(ParcelSpec(60), "CA"))["PriorityMailInternational"]
        < light["PriorityMailInternational"]
    )


zips = st.sampled_from(["94104", "90277", "10001", "60601", "33101", "98101", "75201", "02108"])


@given(zips, zips, st.floats(0.1, 1100), st.floats(0.1, 1100))
def test_heavier_never_costs_less(origin: str, destination: str, a: float, b: float) -> None:
    light, heavy = sorted((a, b))
    cheap = prices(rate_domestic(ParcelSpec(light, 10, 8, 4), origin, destination))
    dear = prices(rate_domestic(ParcelSpec(heavy, 10, 8, 4), origin, destination))
    assert cheap.keys() == dear.keys() == {"GroundAdvantage", "Priority", "Express"}
    for service, price in cheap.items():
        assert 0 < price <= dear[service]
    assert rate_domestic(ParcelSpec(light, 10, 8, 4), origin, destination) == rate_domestic(
        ParcelSpec(light, 10, 8, 4), origin, destination
    )
