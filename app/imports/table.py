"""Any order file (CSV in UTF-8/UTF-16/cp1252, or XLSX) -> a header and numbered rows of text."""

from __future__ import annotations

import bisect
import codecs
import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from app.domain.errors import AppError, ErrorKind
from app.domain.limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
)
from app.imports.model import RowError

_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_ZIP_MAGIC = b"PK\x03\x04"
# csv's default limit (128 KiB per field) is far above any real cell; a bigger "cell" means a
# quote was never closed and the rest of the file ran into it, which is reported per row.
_FIELD_LIMIT = 1 << 20
#: A physical line longer than this is no order row (1,000 columns of 1,000 characters); it is
#: refused before the csv module turns it into millions of cells.
MAX_LINE_CHARS = 1 << 20
#: Up to this many characters a CSV is read through io.StringIO (a copy of at most 32 MB).
_SMALL_TEXT = 1 << 23
#: After this many empty worksheet rows in a row, the rest is formatting, not orders: stop.
BLANK_ROWS_TO_END = 10_000
#: Excel's own row limit: a worksheet with more rows was not saved by a spreadsheet.
XLSX_MAX_SHEET_ROWS = 1_048_576
#: Uncompressed bytes a workbook may unpack to (a 430 KB file can claim gigabytes).
MAX_XLSX_UNPACKED = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header and its non-blank data rows, each with its 1-based spreadsheet row.

    A CSV record is numbered as a spreadsheet shows it (the header is row 1, a blank line is an
    empty row), whatever line breaks its quoted cells hold; `lines` gives the text line.

    `header` has whitespace trimmed and runs of spaces collapsed; `keys` is the same, casefolded,
    for lookups. Cells are raw text (never stripped here: the presets decide).
    """

    path: Path
    header: tuple[str, ...]
    keys: tuple[str, ...]
    rows: list[tuple[int, list[str]]]
    warnings: tuple[RowError, ...] = ()
    header_row: int = 1
    #: Spreadsheet row -> the text line it starts on, where the two differ (a quoted cell
    #: holding line breaks pushes every later record's line down; a spreadsheet's rows not).
    lines: dict[int, int] = field(default_factory=dict)

    def index(self) -> dict[str, int]:
        """Casefolded header name -> first column index."""
        found: dict[str, int] = {}
        for position, key in enumerate(self.keys):
            found.setdefault(key, position)
        return found


def clean_header(name: str) -> str:
    """Trim a header cell, drop a stray BOM and collapse inner whitespace ("Shipping  City ")."""
    return " ".join(name.replace("\ufeff", "").split())


def read_table(path: Path, *, delimiter: str | None = None) -> Table:
    """Read a CSV or XLSX file into a Table.

    Raises:
        AppError: the file is missing, empty, binary, not text in a known encoding, or not a
            readable workbook. Nothing partial is ever returned.
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fatal(
                path,
                f"{path.name} is {size / 2**20:,.0f} MB; an order file may be at most "
                f"{MAX_FILE_BYTES // 2**20} MB",
                hint="Split the file (for example by reward or by date) and import each part.",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise _fatal(path, f"cannot open {path.name}: {exc.strerror or exc}") from exc
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(path)
    if path.suffix.lower() in _XLSX_SUFFIXES:
        raise _fatal(path, f"{path.name} is not a valid XLSX workbook (not a zip archive)")
    text, warnings = _decode(path, data)
    del data  # the file's bytes are not needed once decoded; a large file holds them twice
    return _read_csv(path, text, warnings, delimiter)


def _fatal(path: Path, message: str, hint: str = "") -> AppError:
    return AppError(
        message,
        hint=hint or "Export the orders again as CSV (UTF-8) or XLSX and re-import.",
        kind=ErrorKind.INVALID_INPUT,
        details={"file": str(path)},
    )


def _decode(path: Path, data: bytes) -> tuple[str, tuple[RowError, ...]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ()
        except UnicodeDecodeError as exc:
            raise _fatal(path, f"{path.name} claims UTF-16 but is not: {exc.reason}") from exc
    if b"\x00" in data:
        raise _fatal(path, f"{path.name} is a binary file, not a CSV or XLSX order file")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError:
        pass
    # A BOM in front of text that is not UTF-8 after all (a bad re-save): drop it too.
    lines = data.removeprefix(codecs.BOM_UTF8).splitlines(keepends=True)
    decoded: list[str] = []
    fallback_lines: list[int] = []
    utf8_lines = 0  # lines with non-ASCII text that is valid UTF-8
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        try:
            decoded.append(line.decode("utf-8"))
            utf8_lines += 1
        except UnicodeDecodeError:
            try:
                decoded.append(line.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise _fatal(
                    path,
                    f"{path.name} is neither UTF-8 nor Windows-1252 text "
                    f"(line {number}, byte {exc.start} of it is invalid)",
                ) from exc
            fallback_lines.append(number)
    text = "".join(decoded)
    if not utf8_lines:
        # The whole file is Windows-1252 (Excel's "CSV" save): one warning for the file.
        warning = RowError(
            0, "", "the file is not UTF-8; it was read as Windows-1252 (Excel's default encoding)"
        )
        return text, (warning,)
    # Mostly UTF-8 with a few lines that are not (rows pasted in from another file): keep the
    # UTF-8 lines as they are (decoding the whole file as Windows-1252 would turn every "ü" into
    # "Ã¼") and read only the others as Windows-1252, naming each; _read_csv turns the line
    # numbers into row numbers.
    return text, tuple(RowError(line, "", _MIXED_LINE) for line in fallback_lines)


_MIXED_LINE = (
    "this row is not UTF-8 like the rest of the file; it was read as Windows-1252: "
    "check its accented letters"
)


def _sniff_delimiter(text: str) -> str:
    """Comma unless the header line clearly uses semicolons or tabs (European Excel, TSV)."""
    first = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _read_csv(
    path: Path, text: str, warnings: tuple[RowError, ...], delimiter: str | None
) -> Table:
    if not text.strip():
        raise _fatal(path, f"{path.name} is empty")
    _check_text(path, text)
    reader_delimiter = delimiter or _sniff_delimiter(text)
    # io.StringIO is the fastest line source but holds a second, four-bytes-per-character copy
    # of the text: a large file is sliced into lines one at a time instead (and a runaway line
    # refused before csv splits it into millions of cells).
    source: Iterator[str] | io.StringIO = (
        io.StringIO(text, newline="") if len(text) <= _SMALL_TEXT else _lines(text, path)
    )
    reader = csv.reader(source, delimiter=reader_delimiter)
    old_limit = csv.field_size_limit(_FIELD_LIMIT)
    lines: dict[int, int] = {}
    try:
        rows = _nonblank_rows(reader, path, lines)
        if not rows:
            raise _fatal(path, f"{path.name} has no header row (only blank lines)")
        (header_row, header_cells), rows = rows[0], rows[1:]
        if rows:
            last_row = rows[-1][0]
            _check_last_record_closed(
                path, text, rows[-1], lines.get(last_row, last_row), reader_delimiter
            )
    except csv.Error as exc:
        raise _fatal(path, f"{path.name} is not valid CSV: {exc}") from exc
    finally:
        csv.field_size_limit(old_limit)
    if any(warning.message is _MIXED_LINE for warning in warnings):
        numbers = [header_row] + [row for row, _cells in rows]
        warnings = _lines_to_rows(warnings, numbers, lines)
    table = _make_table(path, header_cells, rows, warnings, header_row)
    return replace(table, lines=lines) if lines else table


def _lines_to_rows(
    warnings: tuple[RowError, ...], rows: list[int], lines: dict[int, int]
) -> tuple[RowError, ...]:
    """Name the row (the record a line belongs to; quoted cells span lines) in line warnings."""
    starts = [lines.get(row, row) for row in rows]
    named: dict[int, RowError] = {}
    for warning in warnings:
        position = bisect.bisect_right(starts, warning.row) - 1
        row = rows[position] if position >= 0 else warning.row
        line = starts[position] if position >= 0 else warning.row
        named.setdefault(
            row, RowError(row, warning.column, warning.message, line=line if line != row else 0)
        )
    return tuple(named.values())


def _check_last_record_closed(
    path: Path, text: str, last: tuple[int, list[str]], line: int, delimiter: str
) -> None:
    """Refuse a file whose last record opens a quote that never closes.

    csv (non-strict) then silently puts the rest of the file into one cell, and the rows in it
    would be neither imported nor reported. Only a record holding a line break can be one.
    """
    row, cells = last
    if not any("\n" in cell or "\r" in cell for cell in cells):
        return
    tail = "".join(io.StringIO(text, newline="").readlines()[line - 1 :])
    try:
        for _cells in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise _fatal(
                path,
                f"{path.name}: row {row}{f' (line {line})' if line != row else ''} opens a "
                'quote (") that is never closed, so the rest of the file ran into one cell',
                hint="Fix the quote in that row (or re-export the file) and import again.",
            ) from exc


class _LineCountingReader(Protocol):
    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


def _nonblank_rows(
    reader: _LineCountingReader, path: Path, lines: dict[int, int]
) -> list[tuple[int, list[str]]]:
    """Every record that has text, with its spreadsheet row; `lines` gets the text line of each
    record that starts on another line than its row number (quoted newlines span lines).

    Raises:
        AppError: a record is past the limits on rows, columns or cell size.
    """
    rows: list[tuple[int, list[str]]] = []
    append = rows.append
    previous_end = 0
    cell_count = 0
    for record, cells in enumerate(reader, start=1):
        start = previous_end + 1
        previous_end = reader.line_num
        joined = "".join(cells)
        if joined.strip():
            if start != record:
                lines[record] = start
            width = len(cells)
            cell_count += width
            if (
                cell_count > MAX_CELLS
                or len(joined) > MAX_CELL_CHARS
                or width > MAX_COLUMNS
                or len(rows) > MAX_ROWS  # `rows` holds the header too
            ):
                check_limits(path, f"line {start}", cells, len(rows), cell_count)
            append((record, cells))
    return rows


def check_limits(
    path: Path, where: str, cells: list[str], rows_before: int, cell_count: int = 0
) -> None:
    """Refuse a file past the limits on rows, cells, columns per row and characters per cell.

    Raises:
        AppError: naming `where` (the record's line or worksheet row) and the limit.
    """
    if rows_before > MAX_ROWS or cell_count > MAX_CELLS:
        raise _fatal(
            path,
            f"{path.name} has more than {MAX_ROWS:,} order rows or {MAX_CELLS:,} cells (the "
            f"limits), reached at {where}",
            hint="Split the file (for example by reward or by date) and import each part.",
        )
    if len(cells) > MAX_COLUMNS:
        raise _fatal(
            path,
            f"{path.name}, {where}: {len(cells):,} columns; an order file may have at most "
            f"{MAX_COLUMNS:,}",
            hint="Check that the file is an order export (a stray delimiter?), then re-export it.",
        )
    for column, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise _fatal(
                path,
                f"{path.name}, {where}, column {column}: a cell of {len(cell):,} characters; "
                f"a cell may hold at most {MAX_CELL_CHARS:,}",
                hint="Shorten that cell (or fix a quote that is never closed) and re-import.",
            )


#: One physical line with its ending (\r\n, \n or a lone \r, as io.StringIO(newline="") reads).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _lines(text: str, path: Path) -> Iterator[str]:
    """The lines of `text`, with their endings, sliced one at a time.

    Raises:
        AppError: a line longer than MAX_LINE_CHARS (refused before csv splits it into
            millions of cells), naming it.
    """
    for line, match in enumerate(_LINE.finditer(text), start=1):
        piece = match.group()
        if len(piece) > MAX_LINE_CHARS:
            raise _fatal(
                path,
                f"{path.name}, line {line}: {len(piece):,} characters on one line; an order "
                f"file line may hold at most {MAX_LINE_CHARS:,}",
                hint="Check that the file is an order export, then re-export it as CSV.",
            )
        yield piece


def _has_text(cells: list[str]) -> bool:
    return bool("".join(cells).strip())


def _check_text(path: Path, text: str) -> None:
    """Refuse text that is mostly control characters: a binary file that decoded by accident."""
    sample = text[:4096]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\r\n\t")
    if controls > max(8, len(sample) // 50):
        raise _fatal(path, f"{path.name} looks binary (control characters), not a CSV file")


def _make_table(
    path: Path,
    header_cells: list[str],
    rows: list[tuple[int, list[str]]],
    warnings: tuple[RowError, ...],
    header_row: int,
) -> Table:
    header = [clean_header(cell) for cell in header_cells]
    while header and not header[-1]:
        header.pop()  # trailing empty header cells (a spreadsheet's stray column)
    if not any(header):
        raise _fatal(path, f"{path.name} has an empty header row")
    return Table(
        path=path,
        header=tuple(header),
        keys=tuple(name.casefold() for name in header),
        rows=rows,
        warnings=warnings,
        header_row=header_row,
    )


def _read_xlsx(path: Path) -> Table:
    _refuse_csv_archive(path)
    try:
        # openpyxl picks its reader by file name; from an open handle a workbook saved under
        # another name (orders.csv) still opens.
        with path.open("rb") as handle:
            numbered = _worksheet_rows(path, handle)
    except OSError as exc:
        raise _fatal(path, f"cannot open {path.name}: {exc.strerror or exc}") from exc
    nonblank = numbered
    if not nonblank:
        raise _fatal(path, f"{path.name} is empty (its first worksheet has no rows)")
    (header_row, header_cells), rows = nonblank[0], nonblank[1:]
    return _make_table(path, header_cells, rows, (), header_row)


def _worksheet_rows(path: Path, handle: BinaryIO) -> list[tuple[int, list[str]]]:
    """The first worksheet's non-blank rows as text, numbered as the sheet numbers them."""
    # openpyxl is imported here: CSV imports (the common case) do not pay for loading it.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, *_DAMAGED) as exc:
        raise _fatal(path, f"{path.name} is not a readable XLSX workbook: {_reason(exc)}") from exc
    try:
        if not workbook.worksheets:
            raise _fatal(path, f"{path.name} has no worksheet")
        return _sheet_rows(path, workbook.worksheets[0])
    except _DAMAGED as exc:
        raise _fatal(path, f"{path.name} has a damaged worksheet: {_reason(exc)}") from exc
    finally:
        workbook.close()


#: What a damaged workbook raises inside openpyxl: malformed XML (ElementTree's ParseError and
#: lxml's XMLSyntaxError are SyntaxErrors), a broken zip member, missing or odd parts.
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    SyntaxError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
)


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _sheet_rows(path: Path, sheet: Any) -> list[tuple[int, list[str]]]:
    """Rows as the sheet numbers them, blank ones dropped; stops after a long run of blanks.

    Formatting applied to whole columns leaves a million empty rows in a workbook; reading on
    after BLANK_ROWS_TO_END empty rows would take minutes and find nothing.
    """
    rows: list[tuple[int, list[str]]] = []
    blank_run = 0
    cell_count = 0
    for row_number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
            check_limits(path, f"row {row_number}", [""] * len(values), len(rows))
        cells = [_cell_text(value) for value in values[:MAX_COLUMNS]]
        if not _has_text(cells):
            blank_run += 1
            if blank_run >= BLANK_ROWS_TO_END and rows:
                break
            if blank_run >= MAX_ROWS:
                break  # a sheet of nothing but empty rows
            continue
        blank_run = 0
        cell_count += len(cells)
        if (
            len(rows) > MAX_ROWS
            or cell_count > MAX_CELLS
            or any(len(cell) > MAX_CELL_CHARS for cell in cells)
        ):
            check_limits(path, f"row {row_number}", cells, len(rows), cell_count)
        rows.append((row_number, cells))
    return rows


def _refuse_csv_archive(path: Path) -> None:
    """A zip of CSV files (Kickstarter's one-file-per-reward backer report) is no workbook."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _fatal(path, f"{path.name} is not a readable XLSX workbook: {exc}") from exc
    names = [member.filename for member in members]
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_XLSX_UNPACKED:
        raise _fatal(
            path,
            f"{path.name} unpacks to {unpacked / 2**20:,.0f} MB; a workbook may unpack to at "
            f"most {MAX_XLSX_UNPACKED // 2**20} MB",
            hint="Save only the orders sheet (or export it as CSV) and import that.",
        )
    _refuse_oversized_sheets(path, members)
    if "xl/workbook.xml" not in names and any(n.lower().endswith(".csv") for n in names):
        raise _fatal(
            path,
            f"{path.name} is a zip archive of CSV files, not a workbook",
            hint="Unzip it (Kickstarter zips one backer report per reward) and import each CSV.",
        )


def _refuse_oversized_sheets(path: Path, members: list[zipfile.ZipInfo]) -> None:
    """Refuse a worksheet with more rows than Excel allows, before openpyxl reads it.

    openpyxl keeps an element per row while it measures a sheet without a <dimension>: three
    million empty rows (a 430 KB file) cost 42 s and 1.2 GB. Counting `<row` tags in the
    unpacked stream costs a few MB whatever the file holds.
    """
    sheets = [m for m in members if m.filename.startswith("xl/worksheets/") and m.file_size]
    try:
        with zipfile.ZipFile(path) as archive:
            for member in sheets:
                count, tail = 0, b""
                with archive.open(member) as stream:
                    while chunk := stream.read(1 << 20):
                        block = tail + chunk
                        count += block.count(b"<row") - tail.count(b"<row")
                        tail = block[-8:]
                        if count > XLSX_MAX_SHEET_ROWS:
                            raise _fatal(
                                path,
                                f"{path.name}: a worksheet has more than "
                                f"{XLSX_MAX_SHEET_ROWS:,} rows, more than a spreadsheet holds",
                                hint="Save only the orders (or export them as CSV) and import "
                                "that.",
                            )
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise _fatal(path, f"{path.name} is not a readable XLSX workbook: {_reason(exc)}") from exc


def _cell_text(value: object) -> str:
    """A worksheet value as the text a CSV export would have held."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # ZIPs and quantities typed as numbers come back as 2108.0; integral floats lose ".0".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y/%m/%d, %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%Y/%m/%d")
    return str(value)
