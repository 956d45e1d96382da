"""`packdesk-cli package-types list|predefined|add|edit|remove`: boxes, mailers, USPS packages."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal

from app.bootstrap import AppContext
from app.cli.args import decimal_arg, dimensions_arg, number
from app.cli.output import emit_json, emit_table
from app.domain.package_limits import PackageProblem, Severity
from app.domain.packages import PackageType
from app.services.package_types import PackageTypeDraft, PackageTypeEntry, PackageTypeService


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("package-types", help="list, add, edit and remove package types")
    actions = parser.add_subparsers(dest="package_types_action", metavar="ACTION", required=True)

    list_parser = actions.add_parser("list", help="list package types")
    list_parser.add_argument("--json", action="store_true", help="print a JSON list")
    list_parser.set_defaults(func=run_list)

    predefined = actions.add_parser("predefined", help="USPS predefined packages and sizes")
    predefined.set_defaults(func=run_predefined)

    add = actions.add_parser("add", help="add a package type")
    add.add_argument("name")
    _shape_arguments(add, required=True)
    add.set_defaults(func=run_add)

    edit = actions.add_parser("edit", help="change a package type (and every group using it)")
    edit.add_argument("name")
    edit.add_argument("--name", dest="new_name", metavar="NEW", help="rename it")
    _shape_arguments(edit, required=False)
    edit.set_defaults(func=run_edit)

    remove = actions.add_parser("remove", help="remove a package type no group uses")
    remove.add_argument("name")
    remove.set_defaults(func=run_remove)


def _shape_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    shape = parser.add_mutually_exclusive_group(required=required)
    shape.add_argument("--predefined", metavar="PACKAGE", help="USPS package by EasyPost's name")
    shape.add_argument("--dimensions", type=dimensions_arg, metavar="LxWxH", help="inches")
    parser.add_argument(
        "--weight",
        type=decimal_arg,
        default=Decimal(0) if required else None,
        metavar="OZ",
        help="empty (tare) weight in ounces",
    )
    machinable = parser.add_mutually_exclusive_group()
    machinable.add_argument(
        "--machinable", dest="machinable", action="store_true", default=True if required else None
    )
    machinable.add_argument("--not-machinable", dest="machinable", action="store_false")
    irregular = parser.add_mutually_exclusive_group()
    irregular.add_argument(
        "--irregular",
        dest="irregular",
        action="store_true",
        default=False if required else None,
        help="irregular parcel (tube, roll, odd shape)",
    )
    irregular.add_argument("--regular", dest="irregular", action="store_false")
    parser.add_argument("--json", action="store_true", help="print the package type as JSON")


def package_type_json(pt: PackageType) -> dict[str, object]:
    return {
        "id": pt.id,
        "name": pt.name,
        "predefined": pt.predefined,
        "length_in": number(pt.length_in),
        "width_in": number(pt.width_in),
        "height_in": number(pt.height_in),
        "weight_oz": number(pt.empty_weight_oz),
        "machinable": pt.machinable,
        "irregular": pt.irregular,
    }


def _entry_json(entry: PackageTypeEntry) -> dict[str, object]:
    return {
        **package_type_json(entry.package_type),
        "size": entry.size_text,
        "groups": [g.group_id for g in entry.groups],
        "warnings": [p.message for p in entry.problems if p.severity is Severity.WARNING],
    }


def _service(ctx: AppContext) -> PackageTypeService:
    return ctx.package_type_service


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    entries = _service(ctx).list()
    if args.json:
        emit_json([_entry_json(e) for e in entries])
        return 0
    emit_table(
        ("NAME", "PACKAGE", "EMPTY OZ", "MACHINABLE", "IRREGULAR", "GROUPS"),
        [
            (
                e.name,
                e.size_text,
                e.package_type.empty_weight_oz,
                "yes" if e.package_type.machinable else "no",
                "yes" if e.package_type.irregular else "",
                len(e.groups) or "",
            )
            for e in entries
        ],
    )
    return 0


def run_predefined(args: argparse.Namespace, ctx: AppContext) -> int:
    emit_table(
        ("PACKAGE", "SIZE", "WHAT IT IS"),
        [(p.code, p.size_text, p.description) for p in PackageTypeService.predefined_packages()],
    )
    return 0


def _warn(problems: tuple[PackageProblem, ...]) -> None:
    for problem in problems:
        if problem.severity is Severity.WARNING:
            print(f"warning: {problem.message}", file=sys.stderr)


def _report(entry: PackageTypeEntry, verb: str, as_json: bool) -> None:
    _warn(entry.problems)
    if as_json:
        emit_json(_entry_json(entry))
        return
    pt = entry.package_type
    used = f"; used by {len(entry.groups)} group(s)" if entry.groups else ""
    weight = pt.empty_weight_oz
    print(f"{verb} package type {pt.name!r}: {entry.size_text}, {weight} oz empty{used}")


def run_add(args: argparse.Namespace, ctx: AppContext) -> int:
    entry = _service(ctx).add(
        PackageTypeDraft(
            args.name,
            predefined=args.predefined,
            dimensions=args.dimensions,
            empty_weight_oz=args.weight,
            machinable=args.machinable,
            irregular=args.irregular,
        )
    )
    _report(entry, "added", args.json)
    return 0


def run_edit(args: argparse.Namespace, ctx: AppContext) -> int:
    service = _service(ctx)
    current = next((e.package_type for e in service.list() if e.name == args.name), None)
    if current is None:
        service.update(args.name, PackageTypeDraft(args.name))  # raises NOT_FOUND, naming all
        return 1
    length, width, height = current.length_in, current.width_in, current.height_in
    dimensions: tuple[Decimal, Decimal, Decimal] | None = None
    if length is not None and width is not None and height is not None:
        dimensions = (length, width, height)
    predefined = current.predefined
    if args.predefined is not None:
        predefined, dimensions = args.predefined, None
    elif args.dimensions is not None:
        predefined, dimensions = None, args.dimensions
    entry = service.update(
        args.name,
        PackageTypeDraft(
            args.new_name or current.name,
            predefined=predefined,
            dimensions=dimensions,
            empty_weight_oz=current.empty_weight_oz if args.weight is None else args.weight,
            machinable=current.machinable if args.machinable is None else args.machinable,
            irregular=current.irregular if args.irregular is None else args.irregular,
        ),
    )
    _report(entry, "changed", args.json)
    return 0


def run_remove(args: argparse.Namespace, ctx: AppContext) -> int:
    _service(ctx).remove(args.name)
    print(f"removed package type {args.name!r}")
    return 0
