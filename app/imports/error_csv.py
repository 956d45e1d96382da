"""The rejected rows of an import as a CSV a packer can fix and re-import."""

from __future__ import annotations

import csv
from pathlib import Path

from app.domain.errors import AppError, ErrorKind
from app.imports.model import ParsedOrders


def write_error_csv(parsed: ParsedOrders, path: Path) -> None:
    """Write one line per problem: `row`, `column`, `message`, then the row's original cells.

    The original cells sit under the file's own header, so the rejected rows can be corrected
    in place. Written as UTF-8 with a BOM, so Excel opens accented names correctly.

    Raises:
        AppError: the file cannot be written.
    """
    header = ["row", "column", "message", *parsed.header]
    try:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for error in sorted(parsed.errors, key=lambda e: e.row):
                original = parsed.rejected_rows.get(error.row, ())
                writer.writerow([error.row, error.column, error.message, *original])
    except OSError as exc:
        raise AppError(
            f"cannot write the error file {path}: {exc.strerror or exc}",
            hint="Choose a folder you can write to.",
            kind=ErrorKind.INVALID_INPUT,
            details={"file": str(path)},
        ) from exc
