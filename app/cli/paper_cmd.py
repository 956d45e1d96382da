"""`packdesk-cli print --batch B --paper letter|a4 [--per-sheet 1|2] --pdf FILE`: labels on
plain paper (the `print` command's options for desks without a label printer)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.bootstrap import AppContext
from app.cli.output import emit_json
from app.domain.errors import AppError, ErrorKind

PAPERS = ("a4", "letter")  # app.documents.pdf.PAGE_SIZES (not imported: it loads reportlab)


def add_paper_arguments(parser: argparse.ArgumentParser) -> None:
    """The paper options of `print`."""
    paper = parser.add_argument_group("labels on plain paper (no label printer)")
    paper.add_argument("--paper", choices=PAPERS, help="write the labels on sheets of this paper")
    paper.add_argument("--per-sheet", type=int, choices=(1, 2), default=1)
    paper.add_argument("--pdf", type=Path, help="the PDF to write (with --paper)")
    paper.add_argument(
        "--no-scan-form", action="store_true", help="leave the batch's SCAN forms out"
    )
    paper.add_argument("--overwrite", action="store_true", help="replace an existing PDF")


def run_paper(args: argparse.Namespace, ctx: AppContext) -> int:
    """Write the batch's labels (customs forms after international ones, then its SCAN forms)."""
    if not args.batch or not args.pdf:
        raise AppError(
            "Labels on paper need a batch and a file: --batch B --paper letter --pdf FILE.",
            kind=ErrorKind.INVALID_INPUT,
        )
    from app.services.paper_labels import PaperLabelService

    service = PaperLabelService(ctx.store, lambda: ctx.gateway)
    run = service.write(
        args.pdf,
        args.batch,
        paper=args.paper,
        per_sheet=args.per_sheet,
        scan_forms=not args.no_scan_form,
        overwrite=args.overwrite,
    )
    if args.json:
        emit_json(run.to_json())
    else:
        print(
            f"wrote {run.path}: {run.labels} labels, {run.customs_forms} customs forms, "
            f"{run.scan_form_pages} SCAN form pages"
        )
    return 0
