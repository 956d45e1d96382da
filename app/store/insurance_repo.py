"""Package groups' insurance choices."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.store.models_insurance import GroupInsuranceRow

_table = cast(Table, GroupInsuranceRow.__table__)


class InsuranceRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def by_group(self) -> dict[str, str]:
        rows = self._session.execute(select(_table.c.group_id, _table.c.insurance))
        return {str(group_id): str(choice) for group_id, choice in rows}

    def set(self, group_id: str, choice: str, now: datetime) -> None:
        """Save a group's choice ("" forgets it)."""
        if not choice:
            self._session.execute(delete(_table).where(_table.c.group_id == group_id))
            return
        statement = sqlite_insert(_table).values(
            group_id=group_id, insurance=choice, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=[_table.c.group_id],
            set_={"insurance": statement.excluded.insurance, "updated_at": now},
        )
        self._session.execute(statement)
