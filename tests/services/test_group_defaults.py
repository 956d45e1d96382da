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


# -- after each import (the one import use case of the CLI and the GUI) ----------------------


def _importer(store: Store, settings: SettingsStore) -> ImportService:
    defaults = GroupDefaultsService(store, settings)
    return ImportService(
        store, lambda path, **_: parsed([]), group_defaults=defaults.apply_after_import
    )


def test_an_import_gives_new_groups_the_defaults_and_keeps_chosen_ones(
    store: Store, tmp_path: Path
) -> None:
    settings = SettingsStore(tmp_path / "settings.json")
    settings.update_desk(domestic_service="", international_service="")  # no defaults
    importer = _importer(store, settings)
    first = importer.apply(parsed([order("1", [("TEE-M", 1), ("STICKER", 1)])]))
    assert first.groups_defaulted == 0  # no defaults in Setup: nothing saved for the group
    grouping = GroupingService(store)
    grouping.assign(TEE_STICKER, package_type=None, service="GroundAdvantage")  # the user's
    settings.update_desk(
        domestic_service="Priority", international_service="PriorityMailInternational"
    )
    second = importer.apply(
        parsed([order("2", [("TEE-M", 2)], country="CA"), order("3", [("TEE-M", 1)])])
    )
    assert second.groups_defaulted == 2 and not second.defaults_problem
    with store.transaction() as tx:
        saved = tx.groups.settings()
    assert saved[TEE_STICKER].service == "GroundAdvantage"  # chosen by the user: kept
    assert saved[TEE_STICKER].international_service is None
    for group in (TWO_TEES, group_id_for((("TEE-M", 1),))):
        assert (saved[group].service, saved[group].international_service) == (
            "Priority",
            "PriorityMailInternational",
        )
    # A re-import of the same orders writes nothing, so nothing is applied again.
    again = importer.apply(parsed([order("3", [("TEE-M", 1)])]))
    assert (again.wrote_anything, again.groups_defaulted) == (False, 0)


def test_a_default_type_that_is_gone_leaves_the_import_saved_and_says_why(
    store: Store, tmp_path: Path
) -> None:
    settings = SettingsStore(tmp_path / "settings.json")
    settings.update_desk(package_type="Box 99")
    report = _importer(store, settings).apply(parsed([order("1", [("TEE-M", 2)])]))
    assert report.orders_created == 1 and report.groups_defaulted == 0
    assert "Box 99" in report.defaults_problem and "Setup > Defaults" in report.defaults_problem
    with store.transaction() as tx:
        assert tx.groups.settings() == {}


def test_the_cli_import_applies_the_setup_defaults(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli.main import main
    from app.infra.paths import profile_paths

    home = tmp_path / "home"
    SettingsStore(profile_paths(base=home).settings).update_desk(domestic_service="Priority")
    orders = tmp_path / "k.csv"
    orders.write_text(
        "Backer Number,Backer Name,Pledged Status,T-Shirt (L),Shipping Name,Shipping Address 1,"
        "Shipping City,Shipping State,Shipping Postal Code,Shipping Country Code\n"
        "1,B 1,collected,1,B 1,1 Main St,Princeton,NJ,08540,US\n",
        encoding="utf-8",
    )
    assert (
        main(["--home", str(home), "--db", str(tmp_path / "d.sqlite3"), "import", str(orders)]) == 0
    )
    assert "1 new package group(s) got the Setup defaults" in capsys.readouterr().out
