"""The rejected rows of an import as a CSV a packer can fix and re-import."""

from __future__ import annotations

from pathlib import Path

from app.documents.csv_safe import write_csv
from app.imports.model import ParsedOrders


def write_error_csv(parsed: ParsedOrders, path: Path, *, overwrite: bool = False) -> None:
    """Write one line per problem: `row`, `column`, `message`, then the row's original cells.

    The original cells sit under the file's own header, so the rejected rows can be corrected
    in place. Written through `app.documents.csv_safe`: UTF-8 with a BOM (Excel opens accented
    names correctly), formula-safe cells, never through a symlink, and an existing file is
    replaced only with `overwrite`.

    Raises:
        AppError: the file exists (without `overwrite`), is a symlink, or cannot be written.
    """
    header = ["row", "column", "message", *parsed.header]
    rows = (
        [error.row, error.column, error.message, *parsed.rejected_rows.get(error.row, ())]
        for error in sorted(parsed.errors, key=lambda e: e.row)
    )
    write_csv(path, header, rows, overwrite=overwrite)
