"""Package types: list, add, update, remove, and the package groups that use each one."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.domain.packages import PackageType
from app.store.models import GroupSettingRow, OrderRow, PackageTypeRow


def _to_package_type(row: PackageTypeRow) -> PackageType:
    return PackageType(
        name=row.name,
        predefined=row.predefined,
        length_in=row.length_in,
        width_in=row.width_in,
        height_in=row.height_in,
        empty_weight_oz=row.empty_weight_oz,
        machinable=row.machinable,
        irregular=row.irregular,
        id=row.id,
    )


class PackageTypeRepository:
    """Package types inside one transaction."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self) -> list[PackageType]:
        rows = self._session.scalars(select(PackageTypeRow).order_by(PackageTypeRow.name))
        return [_to_package_type(row) for row in rows]

    def by_id(self) -> dict[int, PackageType]:
        return {pt.id: pt for pt in self.all() if pt.id is not None}

    def get(self, name: str) -> PackageType | None:
        row = self._session.scalar(select(PackageTypeRow).where(PackageTypeRow.name == name))
        return None if row is None else _to_package_type(row)

    def add(self, package_type: PackageType) -> PackageType:
        """Store a new package type and return it with its id."""
        row = PackageTypeRow(
            name=package_type.name,
            predefined=package_type.predefined,
            length_in=package_type.length_in,
            width_in=package_type.width_in,
            height_in=package_type.height_in,
            empty_weight_oz=package_type.empty_weight_oz,
            machinable=package_type.machinable,
            irregular=package_type.irregular,
        )
        self._session.add(row)
        self._session.flush()
        return _to_package_type(row)

    def update(self, package_type: PackageType) -> PackageType:
        """Overwrite the stored type with `package_type.id` (groups keep pointing at it)."""
        if package_type.id is None:
            raise ValueError("update needs a stored package type (with its id)")
        self._session.execute(
            update(PackageTypeRow)
            .where(PackageTypeRow.id == package_type.id)
            .values(
                name=package_type.name,
                predefined=package_type.predefined,
                length_in=package_type.length_in,
                width_in=package_type.width_in,
                height_in=package_type.height_in,
                empty_weight_oz=package_type.empty_weight_oz,
                machinable=package_type.machinable,
                irregular=package_type.irregular,
            )
        )
        return package_type

    def groups_using(self) -> dict[int, list[tuple[str, int]]]:
        """Per package type id: (group id, one of its order ids) of each group that has orders
        and uses the type, in group id order."""
        rows = self._session.execute(
            select(GroupSettingRow.package_type_id, GroupSettingRow.group_id, func.min(OrderRow.id))
            .join(OrderRow, OrderRow.group_id == GroupSettingRow.group_id)
            .where(GroupSettingRow.package_type_id.is_not(None))
            .group_by(GroupSettingRow.package_type_id, GroupSettingRow.group_id)
            .order_by(GroupSettingRow.group_id)
        )
        found: dict[int, list[tuple[str, int]]] = {}
        for type_id, group_id, sample in rows:
            if type_id is not None:  # excluded by the query; narrows the type
                found.setdefault(type_id, []).append((group_id, sample))
        return found

    def remove(self, name: str) -> bool:
        """Delete the package type called `name`; False when there is none."""
        result = self._session.execute(delete(PackageTypeRow).where(PackageTypeRow.name == name))
        return bool(getattr(result, "rowcount", 0))
