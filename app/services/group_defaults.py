"""Desk defaults for new package groups: a group with no saved choice gets Setup's defaults."""

from __future__ import annotations

from typing import Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.orders import DOMESTIC_COUNTRIES, OrderStatus
from app.domain.usps_services import canonical_service
from app.infra.settings import Settings
from app.services.clock import Clock, utc_now
from app.store import Store
from app.store.groups_repo import GroupSetting

#: Orders whose group is still to be packed: imported, ready or on hold (no label yet).
_UNLABELLED = (OrderStatus.IMPORTED, OrderStatus.READY_TO_SHIP, OrderStatus.ON_HOLD)


class _Settings(Protocol):
    def load(self) -> Settings: ...


class GroupDefaultsService:
    """Gives every group that has no package type or services yet the desk's defaults."""

    def __init__(self, store: Store, settings: _Settings, clock: Clock = utc_now) -> None:
        self._store = store
        self._settings = settings
        self._clock = clock

    def apply_to_new_groups(self) -> int:
        """Save the defaults for each ready group with no saved setting; how many got them.

        A group someone already chose for (even partly) is left as it is.
        """
        return self._apply((OrderStatus.READY_TO_SHIP,))

    def apply_after_import(self) -> int:
        """After each import (CLI and GUI alike): every group of orders not labelled yet that
        has no saved choice gets the defaults. Nothing is saved while Setup has no defaults, so
        a default chosen later still reaches those groups."""
        desk = self._settings.load().desk
        if not (desk.package_type or desk.domestic_service or desk.international_service):
            return 0
        return self._apply(_UNLABELLED)

    def _apply(self, statuses: tuple[OrderStatus, ...]) -> int:
        desk = self._settings.load().desk
        domestic = _service(desk.domestic_service, international=False)
        abroad = _service(desk.international_service, international=True)
        with self._store.transaction(write=True) as tx:
            package_type_id = None
            if desk.package_type:
                found = tx.package_types.get(desk.package_type)
                if found is None:
                    raise AppError(
                        f"The default package type {desk.package_type!r} no longer exists.",
                        hint="Choose another under Setup > Defaults.",
                        kind=ErrorKind.NOT_FOUND,
                        details={"package_type": desk.package_type},
                    )
                package_type_id = found.id
            saved = tx.groups.settings()
            now = self._clock()
            new = sorted(
                {
                    count.group_id
                    for status in statuses
                    for count in tx.groups.counts(status, DOMESTIC_COUNTRIES)
                    if count.group_id not in saved
                }
            )
            for group_id in new:
                tx.groups.save_setting(
                    GroupSetting(group_id, package_type_id, domestic, abroad), now
                )
        return len(new)


def _service(code: str, *, international: bool) -> str | None:
    if not code:
        return None
    service = canonical_service(code)  # AppError RATE for an unknown or retired one
    if service.international is not international:
        kind = "international" if international else "domestic"
        raise AppError(
            f"{service.title} is not a {kind} service.",
            hint="Choose the defaults again under Setup > Defaults.",
            kind=ErrorKind.INVALID_INPUT,
        )
    return service.code
