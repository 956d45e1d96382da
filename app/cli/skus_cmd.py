"""`packdesk-cli skus list|set|apply-hts`: item weights, values and customs data."""

from __future__ import annotations

import argparse

from app.bootstrap import AppContext
from app.cli.args import decimal_arg, number
from app.cli.output import emit_json, emit_table
from app.domain.hts import hts_problem
from app.domain.items import Item
from app.services.catalog import ItemChanges


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("skus", help="list and edit SKUs (weights, values, customs data)")
    actions = parser.add_subparsers(dest="skus_action", metavar="ACTION", required=True)

    list_parser = actions.add_parser("list", help="list every SKU")
    list_parser.add_argument("--json", action="store_true", help="print a JSON list")
    list_parser.set_defaults(func=run_list)

    set_parser = actions.add_parser("set", help="change one SKU")
    set_parser.add_argument("sku")
    set_parser.add_argument("--name", help="display name")
    set_parser.add_argument("--weight", type=decimal_arg, metavar="OZ", help="unit weight (oz)")
    set_parser.add_argument("--value", type=decimal_arg, metavar="USD", help="unit value (USD)")
    set_parser.add_argument("--hts", metavar="CODE", help="HTS code, 6-10 digits ('' clears)")
    set_parser.add_argument("--description", metavar="TEXT", help="customs description")
    set_parser.add_argument("--origin", metavar="CC", help="country of origin (ISO code)")
    media = set_parser.add_mutually_exclusive_group()
    media.add_argument("--media-mail", dest="media_mail", action="store_true", default=None)
    media.add_argument("--no-media-mail", dest="media_mail", action="store_false")
    set_parser.add_argument(
        "--mfr-id", dest="mfr_id", metavar="ID", help="manufacturer product id (EU customs)"
    )
    set_parser.add_argument("--barcode", metavar="GTIN", help="EAN/UPC number (EU customs)")
    set_parser.add_argument("--create", action="store_true", help="add the SKU if it is new")
    set_parser.add_argument("--json", action="store_true", help="print the SKU as JSON")
    set_parser.set_defaults(func=run_set)

    hts_parser = actions.add_parser(
        "apply-hts", help="set HTS code and description on every SKU matching a pattern"
    )
    hts_parser.add_argument("pattern", help="shell glob, e.g. 'TSHIRT-*' (case-sensitive)")
    hts_parser.add_argument("--hts", required=True, metavar="CODE")
    hts_parser.add_argument("--description", required=True, metavar="TEXT")
    hts_parser.add_argument("--json", action="store_true", help="print the changed SKUs")
    hts_parser.set_defaults(func=run_apply_hts)


def item_json(item: Item) -> dict[str, object]:
    return {
        "sku": item.sku,
        "name": item.name,
        "weight_oz": number(item.weight_oz),
        "value": number(item.value_usd),
        "hts_code": item.hts_code,
        "description": item.customs_description,
        "origin": item.origin_country,
        "media_mail": item.media_mail_eligible,
        "customs_complete": item.customs_complete,
        "manufacturer_product_id": item.manufacturer_product_id,
        "barcode": item.barcode,
        "hts_problem": hts_problem(item.hts_code) if item.hts_code else None,
    }


def _print_items(items: list[Item]) -> None:
    emit_table(
        ("SKU", "NAME", "OZ", "USD", "HTS", "ORIGIN", "MEDIA", "DESCRIPTION", "CHECK"),
        [
            (
                i.sku,
                i.name,
                i.weight_oz,
                i.value_usd,
                i.hts_code,
                i.origin_country,
                "yes" if i.media_mail_eligible else "",
                i.customs_description,
                "HTS looks wrong" if i.hts_code and hts_problem(i.hts_code) else "",
            )
            for i in items
        ],
    )


def run_list(args: argparse.Namespace, ctx: AppContext) -> int:
    items = ctx.catalog_service.list_items()
    if args.json:
        emit_json([item_json(item) for item in items])
    else:
        _print_items(items)
    return 0


def run_set(args: argparse.Namespace, ctx: AppContext) -> int:
    changes = ItemChanges(
        name=args.name,
        weight_oz=args.weight,
        value_usd=args.value,
        hts_code=args.hts,
        customs_description=args.description,
        origin_country=args.origin,
        media_mail_eligible=args.media_mail,
        manufacturer_product_id=args.mfr_id,
        barcode=args.barcode,
    )
    item = ctx.catalog_service.update_item(args.sku, changes, create=args.create)
    if args.json:
        emit_json(item_json(item))
    else:
        _print_items([item])
    return 0


def run_apply_hts(args: argparse.Namespace, ctx: AppContext) -> int:
    items = ctx.catalog_service.apply_hts(args.pattern, args.hts, args.description)
    if args.json:
        emit_json([item_json(item) for item in items])
    else:
        print(f"HTS {items[0].hts_code} set on {len(items)} SKU(s):")
        for item in items:
            print(f"  {item.sku}")
    return 0
