"""One ZIP-prefix table and one list of domestic countries, for the importer and the sandbox."""

from __future__ import annotations

from app.domain.orders import DOMESTIC_COUNTRIES
from app.domain.us_zip import primary_state_for_zip, states_for_zip
from app.imports.normalize import normalize_postal_code
from app.postage.sandbox import geo
from app.postage.sandbox.verification import verify


def test_099_is_no_military_prefix_anywhere() -> None:
    # Issue 8: the importer said (90, 98, "AE"), the sandbox (90, 99, "AE").
    assert states_for_zip("09012") == {"AE"} and states_for_zip("09901") == frozenset()
    assert geo.state_for_zip("09901") is None and geo.state_for_zip("09012") == "AE"
    assert primary_state_for_zip("96950") == "GU" and "MP" in states_for_zip("96950")


def test_the_sandbox_treats_the_same_countries_as_domestic() -> None:
    assert geo.DOMESTIC_COUNTRIES == DOMESTIC_COUNTRIES >= {"FM", "MH", "PW", "UM"}


def test_the_sandbox_accepts_every_state_a_shared_prefix_serves() -> None:
    saipan = {"street1": "1 Beach Rd", "city": "Saipan", "state": "MP", "zip": "96950"}
    assert normalize_postal_code("96950", "US").error == ""
    assert verify({**saipan, "country": "US"}).success  # MP is served by the 969 prefix
    assert not verify({**saipan, "state": "CA", "country": "US"}).success
