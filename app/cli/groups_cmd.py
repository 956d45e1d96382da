"""`packdesk-cli groups`: Package Group Counts, the Package Group report, assignments, customs."""

from __future__ import annotations

import argparse
import sys

from app.bootstrap import AppContext
from app.cli.args import number
from app.cli.output import emit_json, emit_table
from app.documents.csv_safe import FORMULA_SAFE_HELP, write_csv
from app.domain.customs import CustomsBlockedOrder
from app.domain.groups import PackageGroup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "groups",
        help="package groups of ready-to-ship orders (counts, orders, assignments)",
        description="Package groups: ready-to-ship orders without a label, grouped by their "
        "identical items. `groups assign GROUP ...` sets a group's package type, its service "
        "for domestic orders and its service for international orders.",
    )
    view = parser.add_mutually_exclusive_group()
    view.add_argument("--json", action="store_true", help="print a JSON list")
    view.add_argument(
        "--csv", action="store_true", help="print CSV (also with --orders). " + FORMULA_SAFE_HELP
    )
    parser.add_argument(
        "--orders", action="store_true", help="the Package Group report: each group's orders"
    )
    parser.add_argument(
        "--customs-check",
        action="store_true",
        help="list international orders blocked by missing customs data",
    )
    parser.set_defaults(func=run_groups)
    actions = parser.add_subparsers(dest="groups_action", metavar="ACTION")
    assign = actions.add_parser(
        "assign",
        help="set a group's package type and/or services",
        description="A group mixes domestic and international orders: --service is what its "
        "domestic orders ship with (e.g. GroundAdvantage, Priority), --intl-service what its "
        "international orders ship with (e.g. PriorityMailInternational, or "
        "FirstClassPackageInternationalService up to 4 lb). '' clears one, leaving it out "
        "keeps it.",
    )
    assign.add_argument("group", help="group id, e.g. G-1a2b3c4d5e6f")
    assign.add_argument("--package-type", metavar="NAME", help="a package type ('' clears)")
    assign.add_argument(
        "--service",
        metavar="SERVICE",
        help="USPS service for the group's domestic orders ('' clears)",
    )
    assign.add_argument(
        "--intl-service",
        metavar="SERVICE",
        dest="intl_service",
        help="USPS international service for the group's international orders ('' clears)",
    )
    assign.add_argument("--json", action="store_true", help="print the group as JSON")
    assign.set_defaults(func=run_assign)

    check = sub.add_parser(
        "customs-check", help="list international orders blocked by missing customs data"
    )
    check.add_argument("--json", action="store_true", help="print a JSON list")
    check.set_defaults(func=run_customs_check)


def group_json(group: PackageGroup) -> dict[str, object]:
    return {
        "group": group.group_id,
        "items": [{"sku": line.sku, "quantity": line.quantity} for line in group.items],
        "orders": group.orders,
        "domestic": group.domestic,
        "international": group.international,
        "estimated_weight_oz": number(group.estimated_weight_oz),
        "package_type": group.package_type,
        "service": group.service,
        "international_service": group.international_service,
        "skus_without_weight": list(group.skus_without_weight),
    }


def run_groups(args: argparse.Namespace, ctx: AppContext) -> int:
    if args.customs_check:
        return run_customs_check(args, ctx)
    if args.orders:
        return _run_group_orders(args, ctx)
    groups = ctx.grouping_service.groups()
    if args.json:
        emit_json([group_json(group) for group in groups])
    elif args.csv:
        write_csv(
            sys.stdout,
            [
                "group",
                "items",
                "orders",
                "domestic",
                "international",
                "weight_oz",
                "package_type",
                "service",
                "international_service",
            ],
            (
                [
                    g.group_id,
                    g.description,
                    g.orders,
                    g.domestic,
                    g.international,
                    g.estimated_weight_oz,
                    g.package_type or "",
                    g.service or "",
                    g.international_service or "",
                ]
                for g in groups
            ),
        )
    else:
        emit_table(
            ("GROUP", "ORDERS", "INTL", "OZ", "PACKAGE", "SERVICE", "INTL SERVICE", "ITEMS"),
            [
                (
                    g.group_id,
                    g.orders,
                    g.international,
                    g.estimated_weight_oz,
                    g.package_type,
                    g.service,
                    g.international_service,
                    g.description,
                )
                for g in groups
            ],
        )
        total = sum(g.orders for g in groups)
        print(f"{len(groups)} groups, {total} ready orders")
    return 0


def _run_group_orders(args: argparse.Namespace, ctx: AppContext) -> int:
    report = ctx.grouping_service.groups_with_orders()
    if args.json:
        emit_json(
            [
                {
                    **group_json(entry.group),
                    "order_ids": [o.id for o in entry.orders],
                    "order_list": [
                        {
                            "id": o.id,
                            "source": o.source.value,
                            "external_id": o.external_id,
                            "name": o.recipient.name,
                            "country": o.recipient.country,
                        }
                        for o in entry.orders
                    ],
                }
                for entry in report
            ]
        )
        return 0
    if args.csv:
        write_csv(
            sys.stdout,
            ["group", "items", "order_id", "source", "external_id", "name", "country"],
            (
                [
                    entry.group.group_id,
                    entry.group.description,
                    o.id,
                    o.source.value,
                    o.external_id,
                    o.recipient.name,
                    o.recipient.country,
                ]
                for entry in report
                for o in entry.orders
            ),
        )
        return 0
    for entry in report:
        g = entry.group
        print(f"{g.group_id}  {g.description}  ({g.orders} orders, {g.international} intl)")
        for o in entry.orders:
            print(f"    {o.id:>7}  {o.external_id:<12} {o.recipient.country}  {o.recipient.name}")
    return 0


def run_assign(args: argparse.Namespace, ctx: AppContext) -> int:
    group = ctx.grouping_service.assign(
        args.group,
        package_type=args.package_type,
        service=args.service,
        international_service=args.intl_service,
    )
    if args.json:
        emit_json(group_json(group) if group else {"group": args.group, "orders": 0})
    elif group is None:
        print(f"{args.group}: saved (no ready orders in it right now)")
    else:
        print(
            f"{group.group_id}: {group.package_type or '-'} / domestic "
            f"{group.service or '-'} / international {group.international_service or '-'}, "
            f"about {group.estimated_weight_oz} oz"
        )
    return 0


def blocked_json(order: CustomsBlockedOrder) -> dict[str, object]:
    return {
        "id": order.order_id,
        "source": order.source,
        "external_id": order.external_id,
        "country": order.country,
        "status": order.status,
        "group": order.group_id,
        "skus": [{"sku": gap.sku, "missing": list(gap.missing)} for gap in order.gaps],
    }


def run_customs_check(args: argparse.Namespace, ctx: AppContext) -> int:
    blocked = ctx.grouping_service.customs_blocked()
    if args.json:
        emit_json([blocked_json(order) for order in blocked])
        return 0
    if not blocked:
        print("customs check: every international order has complete customs data")
        return 0
    emit_table(
        ("ID", "EXTERNAL", "COUNTRY", "STATUS", "SKU", "MISSING"),
        [
            (o.order_id, o.external_id, o.country, o.status, gap.sku, ", ".join(gap.missing))
            for o in blocked
            for gap in o.gaps
        ],
    )
    skus = sorted({gap.sku for o in blocked for gap in o.gaps})
    print(f"{len(blocked)} international orders blocked; fix SKUs: {', '.join(skus)}")
    print("hint: packdesk-cli skus set SKU --hts CODE --description TEXT --origin CC")
    return 0
