"""ShipFromService: the first sender is the default; one default at a time; clear refusals."""

from __future__ import annotations

import pytest

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import Address
from app.services.ship_from import ShipFromService
from app.store import Store

WAREHOUSE = Address("Packdesk Fulfilment", "100 Dock Rd", "Reno", "89501", "US", state="NV")
STUDIO = Address("Studio", "5 Art Ave", "Portland", "97201", "US", state="OR")


def test_first_address_is_default_and_default_moves(store: Store) -> None:
    service = ShipFromService(store)
    assert service.default() is None
    first = service.add("Warehouse", WAREHOUSE)
    assert first.is_default and first.address == WAREHOUSE
    assert not service.add("Studio", STUDIO).is_default
    service.set_default("Studio")
    assert [(e.label, e.is_default) for e in service.list_addresses()] == [
        ("Studio", True),
        ("Warehouse", False),
    ]
    default = service.default()
    assert default is not None and default.address == STUDIO
    third = service.add("Backup", WAREHOUSE, make_default=True)
    assert third.is_default
    assert [e.label for e in service.list_addresses() if e.is_default] == ["Backup"]


def test_refusals(store: Store) -> None:
    service = ShipFromService(store)
    with pytest.raises(AppError, match="needs street1, city"):
        service.add("Empty", Address("Name", "", "", "89501", "US"))
    with pytest.raises(AppError, match="'USA' is not a two-letter"):
        service.add("Bad", Address("Name", "1 St", "Reno", "89501", "USA"))
    service.add("Warehouse", WAREHOUSE)
    with pytest.raises(AppError, match="exists already") as caught:
        service.add("Warehouse", STUDIO)
    assert caught.value.kind is ErrorKind.CONFLICT
    with pytest.raises(AppError, match="No ship-from address called 'Moon'") as caught:
        service.set_default("Moon")
    assert caught.value.kind is ErrorKind.NOT_FOUND
