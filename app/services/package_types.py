"""Package types: add, edit and remove them against USPS limits (the CLI and the GUI both)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.errors import AppError, ErrorKind
from app.domain.package_limits import (
    PREDEFINED_SIZES,
    PackageProblem,
    PredefinedSize,
    Severity,
    check_package_type,
    dimensions_of,
)
from app.domain.packages import PackageType
from app.domain.usps import PREDEFINED_PACKAGES, normalize_predefined_package
from app.store import Store, StoreTransaction


@dataclass(frozen=True, slots=True)
class PackageTypeDraft:
    """What the user typed for a package type: a predefined package or L x W x H inches."""

    name: str
    predefined: str | None = None
    dimensions: tuple[Decimal, Decimal, Decimal] | None = None
    empty_weight_oz: Decimal = Decimal(0)
    machinable: bool = True
    irregular: bool = False


@dataclass(frozen=True, slots=True)
class GroupUse:
    """A package group that uses a package type: its id and what is in it."""

    group_id: str
    description: str

    @property
    def text(self) -> str:
        return f"{self.group_id} ({self.description})"


@dataclass(frozen=True, slots=True)
class PackageTypeEntry:
    """A stored package type with its size, the groups using it and its USPS warnings."""

    package_type: PackageType
    size_text: str
    groups: tuple[GroupUse, ...] = ()
    problems: tuple[PackageProblem, ...] = ()

    @property
    def name(self) -> str:
        return self.package_type.name


def _invalid(message: str, hint: str, **details: object) -> AppError:
    return AppError(message, hint=hint, kind=ErrorKind.INVALID_INPUT, details=details)


def size_text(package_type: PackageType) -> str:
    """'MediumFlatRateBox, 11.25 x 8.75 x 6 in' or '12 x 9 x 1 in' for a custom box."""
    known = PREDEFINED_SIZES.get(package_type.predefined or "")
    if known is not None:
        return f"{known.code}, {known.size_text}"
    dims = dimensions_of(package_type)
    if dims is None:
        return ""
    return " x ".join(format(d.normalize(), "f") for d in dims) + " in"


def build_package_type(draft: PackageTypeDraft, *, type_id: int | None = None) -> PackageType:
    """The package type `draft` describes, with its shape and numbers checked (not USPS limits).

    Raises:
        AppError: INVALID_INPUT saying what is wrong and how to write it.
    """
    name = draft.name.strip()
    if not name:
        raise _invalid("A package type needs a name.", "E.g. 'Mailer 10x13'.", field="name")
    if (draft.predefined is None) == (draft.dimensions is None):
        raise _invalid(
            f"Package type {name!r} needs either a predefined package or dimensions.",
            "Use --predefined NAME or --dimensions LxWxH (inches).",
        )
    predefined = None
    if draft.predefined is not None:
        try:
            predefined = normalize_predefined_package(draft.predefined)
        except ValueError:
            raise _invalid(
                f"{draft.predefined!r} is not a USPS predefined package EasyPost knows.",
                f"Valid: {', '.join(PREDEFINED_PACKAGES)}.",
                field="predefined",
            ) from None
    length = width = height = None
    if draft.dimensions is not None:
        length, width, height = (_positive_dimension(d) for d in draft.dimensions)
    weight = draft.empty_weight_oz
    if not weight.is_finite() or weight < 0:
        raise _invalid(
            f"empty weight must be 0 or more ounces, not {weight}.", "", field="empty_weight_oz"
        )
    return PackageType(
        name=name,
        predefined=predefined,
        length_in=length,
        width_in=width,
        height_in=height,
        empty_weight_oz=weight,
        machinable=draft.machinable,
        irregular=draft.irregular,
        id=type_id,
    )


def _positive_dimension(value: Decimal) -> Decimal:
    if not value.is_finite() or value <= 0:
        raise _invalid(
            f"Dimensions must be positive inches, not {value}.",
            "Use --dimensions LxWxH, e.g. 10x8x4.",
            field="dimensions",
        )
    return value


def _refuse_errors(package_type: PackageType) -> tuple[PackageProblem, ...]:
    problems = tuple(check_package_type(package_type))
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors:
        raise AppError(
            " ".join(p.message for p in errors),
            hint=" ".join(dict.fromkeys(p.fix for p in errors if p.fix)),
            kind=ErrorKind.INVALID_INPUT,
            details={"name": package_type.name},
        )
    return problems


class PackageTypeService:
    """The package-type editor's use cases: list with usage, check, add, edit, remove."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @staticmethod
    def predefined_packages() -> list[PredefinedSize]:
        """Every USPS predefined package EasyPost knows, with its size."""
        return list(PREDEFINED_SIZES.values())

    @staticmethod
    def check(draft: PackageTypeDraft) -> list[PackageProblem]:
        """What USPS would refuse or charge extra for (no store access; safe anywhere).

        Raises:
            AppError: INVALID_INPUT when the draft is not a package type at all.
        """
        return check_package_type(build_package_type(draft))

    def list(self) -> list[PackageTypeEntry]:
        """Every package type by name, with the groups that use it and its warnings."""
        with self._store.transaction() as tx:
            types = tx.package_types.all()
            uses = self._uses(tx)
        return [
            PackageTypeEntry(
                pt,
                size_text(pt),
                uses.get(pt.id or -1, ()),
                tuple(check_package_type(pt)),
            )
            for pt in types
        ]

    def add(self, draft: PackageTypeDraft) -> PackageTypeEntry:
        """Store a new package type; refused (in plain words) when USPS would refuse it.

        Raises:
            AppError: INVALID_INPUT for a bad draft or a USPS limit, CONFLICT for a taken name.
        """
        package_type = build_package_type(draft)
        problems = _refuse_errors(package_type)
        with self._store.transaction(write=True) as tx:
            if tx.package_types.get(package_type.name) is not None:
                raise _name_taken(package_type.name)
            stored = tx.package_types.add(package_type)
        return PackageTypeEntry(stored, size_text(stored), (), problems)

    def update(self, name: str, draft: PackageTypeDraft) -> PackageTypeEntry:
        """Change the package type called `name` (it may be renamed); every group using it
        ships in the changed package from then on.

        Raises:
            AppError: NOT_FOUND, INVALID_INPUT (bad draft, USPS limit), CONFLICT (name taken).
        """
        with self._store.transaction(write=True) as tx:
            current = tx.package_types.get(name)
            if current is None:
                raise _not_found(name, [pt.name for pt in tx.package_types.all()])
            package_type = build_package_type(draft, type_id=current.id)
            problems = _refuse_errors(package_type)
            if package_type.name != name and tx.package_types.get(package_type.name) is not None:
                raise _name_taken(package_type.name)
            tx.package_types.update(package_type)
            groups = self._uses(tx).get(current.id or -1, ())
        return PackageTypeEntry(package_type, size_text(package_type), groups, problems)

    def remove(self, name: str) -> None:
        """Delete an unused package type.

        Raises:
            AppError: NOT_FOUND, or CONFLICT naming the package groups that still use it.
        """
        with self._store.transaction(write=True) as tx:
            current = tx.package_types.get(name)
            if current is None:
                raise _not_found(name, [pt.name for pt in tx.package_types.all()])
            groups = self._uses(tx).get(current.id or -1, ())
            if groups:
                shown = "; ".join(g.text for g in groups[:5])
                more = f" and {len(groups) - 5} more" if len(groups) > 5 else ""
                raise AppError(
                    f"Package type {name!r} is used by {len(groups)} package "
                    f"group{'s' if len(groups) != 1 else ''}: {shown}{more}.",
                    hint="Give those groups another package type first (Package groups), "
                    "then delete it.",
                    kind=ErrorKind.CONFLICT,
                    details={"name": name, "groups": [g.group_id for g in groups]},
                )
            tx.package_types.remove(name)

    @staticmethod
    def _uses(tx: StoreTransaction) -> dict[int, tuple[GroupUse, ...]]:
        using = tx.package_types.groups_using()
        samples = [sample for groups in using.values() for _group, sample in groups]
        lines = tx.groups.lines_of(samples)
        return {
            type_id: tuple(
                GroupUse(
                    group_id,
                    " + ".join(f"{qty} x {sku}" for sku, qty in lines.get(sample, []))
                    or "no items",
                )
                for group_id, sample in groups
            )
            for type_id, groups in using.items()
        }


def _name_taken(name: str) -> AppError:
    return AppError(
        f"A package type called {name!r} exists already.",
        hint="Choose another name, or edit that one.",
        kind=ErrorKind.CONFLICT,
        details={"name": name},
    )


def _not_found(name: str, known: list[str]) -> AppError:
    return AppError(
        f"No package type called {name!r}.",
        hint=f"Known: {', '.join(known)}." if known else "None are defined yet.",
        kind=ErrorKind.NOT_FOUND,
        details={"name": name},
    )
