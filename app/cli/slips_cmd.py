"""`packdesk-cli slips --batch B | --group G... --pdf FILE`: packing slips, one page per order."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from app.bootstrap import AppContext

PAPERS = ("4x6", "a4", "letter")  # app.documents.slips_pdf.SLIP_SIZES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "slips",
        help="packing slips (PDF), one page per order, with the order barcode to scan",
        description=(
            "A batch's orders, or the orders of some package groups not yet shipped. The logo "
            "and note come from the profile's settings (documents.slip_logo, "
            "documents.slip_note) unless --logo/--note are given."
        ),
    )
    chosen = parser.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--batch", help="the orders of this batch (B-YYYYMMDD-NNN)")
    chosen.add_argument("--group", action="append", dest="groups", help="a package group (repeat)")
    parser.add_argument("--pdf", type=Path, required=True, help="write the PDF here")
    parser.add_argument("--paper", choices=PAPERS, default="letter")
    parser.add_argument("--logo", help="a PNG or JPEG logo for this run")
    parser.add_argument("--note", help="a note printed on every slip, for this run")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing file")
    parser.set_defaults(func=run_slips)


def run_slips(args: argparse.Namespace, ctx: AppContext) -> int:
    from app.services.slips import PackingSlipService, slip_decor

    decor = slip_decor(ctx.settings.other)
    if args.logo is not None:
        decor = dataclasses.replace(decor, logo_path=args.logo)
    if args.note is not None:
        decor = dataclasses.replace(decor, note=args.note)
    service = PackingSlipService(ctx.store, lambda: decor)
    pages = service.write(
        args.pdf,
        batch=args.batch,
        group_ids=args.groups,
        paper=args.paper,
        overwrite=args.overwrite,
    )
    print(f"wrote {args.pdf} ({pages} packing slips)")
    return 0
