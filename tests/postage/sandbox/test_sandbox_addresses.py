"""Addresses, parcels and customs through the official client, checked against EasyPost's shapes."""

from __future__ import annotations

import re

import easypost
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sandbox_shapes import assert_shape
from sandbox_support import CUSTOMS, PARCEL, TO_ADDRESS

from app.postage.sandbox.verification import verify


def test_create_without_verify_echoes_the_address(client: easypost.EasyPostClient) -> None:
    address = client.address.create(**TO_ADDRESS)
    assert re.fullmatch(r"adr_[0-9a-f]{32}", address.id)
    assert address.street1 == "179 N Harbor Dr"
    assert address.to_dict()["verifications"] == {}
    assert address.created_at.endswith("+00:00")
    assert_shape(address.to_dict(), "addresses_addresses-create")
    assert client.address.retrieve(address.id).id == address.id


def test_verify_corrects_and_adds_zip4(client: easypost.EasyPostClient) -> None:
    address = client.address.create(verify=True, **TO_ADDRESS)
    assert address.verifications.delivery.success is True
    assert address.street1 == "179 N HARBOR DR" and address.city == "REDONDO BEACH"
    assert re.fullmatch(r"90277-\d{4}", address.zip)
    assert_shape({"address": address.to_dict()}, "addresses_addresses-verify")


def test_verify_soft_failure_is_still_created(client: easypost.EasyPostClient) -> None:
    address = client.address.create(
        verify=True, street1="000 unknown street", city="Not A City", state="ZZ", zip="00001"
    )
    delivery = address.verifications.delivery
    assert delivery.success is False
    assert delivery.errors[0].code == "E.ADDRESS.NOT_FOUND"
    assert_shape(address.to_dict(), "addresses_addresses-verify-param")


def test_verify_strict_rejects_with_easyposts_error(client: easypost.EasyPostClient) -> None:
    with pytest.raises(easypost.errors.InvalidRequestError) as caught:
        client.address.create(verify_strict=True, **{**TO_ADDRESS, "zip": "10001"})
    error = caught.value
    assert error.http_status == 422 and error.code == "ADDRESS.VERIFY.FAILURE"
    assert error.errors[0]["code"] == "E.ADDRESS.NOT_FOUND"
    assert {"code": "E.ZIP.INVALID", "field": "zip"}.items() <= error.errors[1].items()
    assert_shape(error.json_body, "addresses_addresses-verify-strict-param")


def test_create_and_verify_and_verify_endpoint(client: easypost.EasyPostClient) -> None:
    assert client.address.create_and_verify(**TO_ADDRESS).verifications.zip4.success
    bad = client.address.create(street1="invalid")
    with pytest.raises(easypost.errors.InvalidRequestError) as caught:
        client.address.verify(bad.id)
    codes = [e["code"] for e in caught.value.errors]
    assert codes[0] == "E.ADDRESS.NOT_FOUND" and "E.HOUSE_NUMBER.MISSING" in codes
    good = client.address.create(**TO_ADDRESS)
    assert client.address.verify(good.id).zip.startswith("90277-")


def test_address_list(client: easypost.EasyPostClient) -> None:
    made = [client.address.create(**TO_ADDRESS) for _ in range(3)]
    listed = client.address.all(page_size=2)
    assert [a.id for a in listed.addresses] == [made[2].id, made[1].id]
    assert listed.has_more is True


def test_parcel_and_customs(client: easypost.EasyPostClient) -> None:
    parcel = client.parcel.create(**{**PARCEL, "weight": "65.9"})  # numbers may come as strings
    assert parcel.weight == 65.9 and re.fullmatch(r"prcl_[0-9a-f]{32}", parcel.id)
    assert_shape(parcel.to_dict(), "parcels_parcels-create")
    flat = client.parcel.create(predefined_package="FlatRateEnvelope", weight=10)
    assert flat.predefined_package == "FlatRateEnvelope" and flat.length is None
    assert client.parcel.retrieve(parcel.id).id == parcel.id
    with pytest.raises(easypost.errors.InvalidRequestError):
        client.parcel.create(length=1, width=1, height=1)

    item = client.customs_item.create(**CUSTOMS["customs_items"][0])
    assert item.value == "40.0" and re.fullmatch(r"cstitem_[0-9a-f]{32}", item.id)
    assert_shape(item.to_dict(), "customs-items_customs-items-create")
    info = client.customs_info.create(**{**CUSTOMS, "customs_items": [item]})
    assert info.customs_items[0].id == item.id
    assert_shape(info.to_dict(), "customs-infos_customs-infos-create")
    assert client.customs_info.retrieve(info.id).customs_signer == "Steve Brule"


@given(
    st.dictionaries(
        st.sampled_from(["street1", "city", "state", "zip", "country", "name", "company"]),
        st.one_of(st.none(), st.text(max_size=30), st.integers()),
    )
)
def test_verify_never_crashes(fields: dict[str, object]) -> None:
    result = verify(fields)
    assert result.success or result.errors
