"""Setup's defaults for new groups: only groups with no saved choice get them."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain.errors import AppError
from app.domain.groups import group_id_for
from app.domain.order_flow import StatusAction
from app.infra.settings import SettingsStore
from app.services.group_defaults import GroupDefaultsService
from app.services.grouping import GroupingService
from app.services.importing import ImportService
from app.services.orders import OrderSelection, OrderService
from app.store import Store
from tests.services.factories import order, parsed

TEE_STICKER = group_id_for((("STICKER", 1), ("TEE-M", 1)))
TWO_TEES = group_id_for((("TEE-M", 2),))


@pytest.fixture
def grouping(store: Store) -> GroupingService:
    ImportService(store, lambda path, **_: parsed([])).apply(
        parsed(
            [
                order("1", [("TEE-M", 1), ("STICKER", 1)]),
                order("2", [("TEE-M", 2)], country="CA"),
            ]
        )
    )
    OrderService(store).change_status(StatusAction.READY, OrderSelection(refs=("1", "2")))
    return GroupingService(store)


def test_only_groups_without_a_choice_get_the_defaults(
    grouping: GroupingService, store: Store, tmp_path: Path
) -> None:
    settings = SettingsStore(tmp_path / "settings.json")
    settings.update_desk(domestic_service="Priority", international_service="")
    grouping.assign(TEE_STICKER, package_type=None, service="GroundAdvantage")
    assert GroupDefaultsService(store, settings).apply_to_new_groups() == 1
    groups = {g.group_id: g for g in grouping.groups()}
    assert groups[TEE_STICKER].service == "GroundAdvantage"  # chosen before: kept
    assert (groups[TWO_TEES].service, groups[TWO_TEES].international_service) == (
        "Priority",
        None,
    )
    assert GroupDefaultsService(store, settings).apply_to_new_groups() == 0


def test_a_default_package_type_that_is_gone_is_named(
    grouping: GroupingService, store: Store, tmp_path: Path
) -> None:
    settings = SettingsStore(tmp_path / "settings.json")
    settings.update_desk(package_type="Box 99")
    with pytest.raises(AppError, match="Box 99"):
        GroupDefaultsService(store, settings).apply_to_new_groups()
