"""A package group's insurance setting: "auto" (the items' value) or an amount, per parcel."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.errors import AppError, ErrorKind
from app.domain.insurance import parse_choice
from app.services.clock import Clock, utc_now
from app.store import Store


class GroupInsuranceService:
    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    def settings(self) -> dict[str, str]:
        """Each group's choice (groups without one are not insured unless a buy asks)."""
        with self._store.transaction() as tx:
            return tx.insurance.by_group()

    def set(self, group_ids: Sequence[str], choice: str) -> str:
        """Save `choice` ("auto", an amount, or "none" to clear) for the groups.

        Raises:
            AppError: INVALID_INPUT for a bad choice; NOT_FOUND for an unknown group.
        """
        try:
            spelled = parse_choice(choice)
        except ValueError as error:
            raise AppError(str(error), hint="Say auto, none or an amount such as 50.") from None
        with self._store.transaction(write=True) as tx:
            unknown = [g for g in group_ids if not tx.groups.exists(g)]
            if unknown:
                raise AppError(
                    f"No order belongs to package group {', '.join(unknown)}.",
                    hint="See `packdesk-cli groups` for the current groups.",
                    kind=ErrorKind.NOT_FOUND,
                    details={"groups": unknown},
                )
            for group_id in group_ids:
                tx.insurance.set(group_id, spelled, self._clock())
        return spelled
