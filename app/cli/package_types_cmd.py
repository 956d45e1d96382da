"""`packdesk-cli package-types list|add|remove`: boxes, mailers and USPS predefined packages."""

from __future__ import annotations

import argparse
from decimal import Decimal

from app.bootstrap import AppContext
from app.cli.args import decimal_arg, dimensions_arg, number
from app.cli.output import emit_json, emit_table
from app.domain.packages import PackageType


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("package-types", help="list, add and remove package types")
    actions = parser.add_subparsers(dest="package_types_action", metavar="ACTION", required=True)

    list_parser = actions.add_parser("list", help="list package types")
    list_parser.add_argument("--json", action="store_true", help="print a JSON list")
    list_parser.set_defaults(func=run_list)

    add = actions.add_parser("add", help="add a package type")
    add.add_argument("name")
    shape = add.add_mutually_exclusive_group(required=True)
    shape.add_argument("--predefined", metavar="PACKAGE", help="USPS package by EasyPost's name")
    shape.add_argument("--dimensions", type=dimensions_arg, metavar="LxWxH", help="inches")
    add.add_argument("--weight", type=decimal_arg, default=Decimal(0), metavar="OZ")
    machinable = add.add_mutually_exclusive_group()
    machinable.add_argument("--machinable", dest="machinable", action="store_true", default=True)
    machinable.add_argument("--not-machinable", dest="machinable", action="store_false")
    add.add_argument("--irregular", action="store_true", help="irregular parcel")
    add.add_argument("--json", action="store_true", help="print the package type as JSON")
    add.set_defaults(func=run_add)

    remove = actions.add_parser("remove", help="remove a package type")
    remove.add_argument("name")
    remove.set_defaults(func=run_remove)


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


def _shape(pt: PackageType) -> str:
    if pt.predefined:
        return pt.predefined
    return f"{pt.length_in}x{pt.width_in}x{pt.height_in} in"


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    types = ctx.catalog_service.list_package_types()
    if args.json:
        emit_json([package_type_json(pt) for pt in types])
        return 0
    emit_table(
        ("NAME", "PACKAGE", "EMPTY OZ", "MACHINABLE", "IRREGULAR"),
        [
            (
                pt.name,
                _shape(pt),
                pt.empty_weight_oz,
                "yes" if pt.machinable else "no",
                "yes" if pt.irregular else "",
            )
            for pt in types
        ],
    )
    return 0


def run_add(args: argparse.Namespace, ctx: AppContext) -> int:
    pt = ctx.catalog_service.add_package_type(
        args.name,
        predefined=args.predefined,
        dimensions=args.dimensions,
        empty_weight_oz=args.weight,
        machinable=args.machinable,
        irregular=args.irregular,
    )
    if args.json:
        emit_json(package_type_json(pt))
    else:
        print(f"added package type {pt.name!r}: {_shape(pt)}, {pt.empty_weight_oz} oz empty")
    return 0


def run_remove(args: argparse.Namespace, ctx: AppContext) -> int:
    ctx.catalog_service.remove_package_type(args.name)
    print(f"removed package type {args.name!r}")
    return 0
