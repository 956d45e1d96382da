"""Every CSV Packdesk writes goes through here: formula-safe cells and files never clobbered.

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (CSV injection: `=HYPERLINK(...)`, `+cmd|' /C calc'!A0`). Such a text cell is written
with a leading apostrophe, which Excel, LibreOffice and Google Sheets show as plain text. Numbers
(real numbers, or text that is exactly a plain decimal number such as "-3.20") stay numbers.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from app.documents import new_file

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)

#: Said in the help of every command that writes a CSV.
FORMULA_SAFE_HELP = (
    "Cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a "
    "carriage return) are written with a leading apostrophe."
)


def safe_cell(value: object) -> str:
    """One cell as text a spreadsheet shows and never evaluates."""
    # Text first, checked by its first character: this runs for every cell of a 100,000-row
    # export, where the isinstance chain and str.startswith(tuple) were half the export's time.
    if value.__class__ is str:
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool | int | float | Decimal):
        return str(value)
    else:
        text = str(value)
    if text and text[0] in _TRIGGER_CHARS and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(cells: Iterable[object]) -> list[str]:
    """A row of formula-safe cells."""
    return list(map(safe_cell, cells))


def open_new_file(path: Path, *, overwrite: bool = False) -> TextIO:
    """Open `path` for a new CSV (UTF-8 with a BOM, 0600): never through a symlink.

    Without `overwrite`, an existing file is refused; with it, the file is replaced, but a
    symlink still is not followed (it could point anywhere, such as another user's file).

    Raises:
        AppError: the file exists, is a symlink, or cannot be created.
    """
    descriptor = new_file.create_descriptor(path, overwrite=overwrite)
    return os.fdopen(descriptor, "w", encoding="utf-8-sig", newline="")


def write_csv(
    target: Path | TextIO,
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    overwrite: bool = False,
) -> int:
    """Write `header` and `rows`, every cell formula-safe; return the number of data rows.

    `target` is a path (created as `open_new_file` does) or an open text stream such as
    stdout. Raises AppError when the file cannot be written.
    """
    if not isinstance(target, Path):
        return _write(target, header, rows)
    handle = open_new_file(target, overwrite=overwrite)
    try:
        with handle:
            return _write(handle, header, rows)
    except OSError as exc:
        raise new_file.write_failed(target, exc) from exc


def _write(handle: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    lineterminator = "\n" if handle is sys.stdout else "\r\n"
    writer = csv.writer(handle, lineterminator=lineterminator)
    writer.writerow(safe_row(header))
    count = 0
    for row in rows:
        writer.writerow(safe_row(row))
        count += 1
    return count
