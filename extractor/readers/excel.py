"""Reader for Excel workbooks (.xlsx, openpyxl): each visible sheet a page, its cells a ruled grid.

Merged cells keep their spans; hidden rows, columns and sheets are left out; the leading one-cell rows of a
sheet (its title, ``单位：万元``) become lines above the table. Numbers stored as numbers are printed as the
cell's number format prints them (``0.00`` -> two decimals) from the exact decimal the file stores — never a
float's digits.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from extractor.errors import ZIP_ERRORS, CorruptInputError, UnsupportedFormatError
from extractor.model import Page
from extractor.readers.virtual import CellSpec, VirtualPage

NAME = "openpyxl"
_MAX_UNPACKED = 200 * 1024 * 1024  # a workbook that unpacks to more than this is refused (zip bomb)
_DECIMALS = re.compile(r"\.(0+)")


def read_xlsx(data: bytes) -> tuple[Page, ...]:
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - openpyxl is a dependency
        raise UnsupportedFormatError("reading .xlsx needs openpyxl") from e
    _check_size(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(_without_huge_merges(data)), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, AttributeError, IndexError, SyntaxError) as e:
        # SyntaxError: the XML parser's ParseError (a sheet cut in half); the others: mutated parts openpyxl trips on
        raise CorruptInputError(f"Excel workbook cannot be read ({type(e).__name__}: {e})") from e
    pages: list[Page] = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        page = VirtualPage(number=len(pages) + 1)
        page.add_line(sheet.title)
        page.add_table(_rows(sheet))
        pages.append(page.page())
    return tuple(pages)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"\s*/>')
_MAX_MERGED = 100_000  # cells under one merged range: openpyxl makes an object for each
_MAX_MERGED_SHEET = 1_000_000  # cells under all the merged ranges of one sheet (a budget table's merges cover a few hundred)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _without_huge_merges(data: bytes) -> bytes:
    """The workbook with every merged range over :data:`_MAX_MERGED` cells dropped (``E5:XFD1048576`` would have
    openpyxl make seventeen billion cells); its text stays, the span goes."""

    covered = 0

    def keep(match: re.Match[bytes]) -> bytes:
        nonlocal covered
        rows = int(match[4]) - int(match[2]) + 1
        cols = _column_number(match[3]) - _column_number(match[1]) + 1
        if not 0 < rows * cols <= _MAX_MERGED:
            return b""
        covered += rows * cols
        return match[0]

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
    except ZIP_ERRORS as e:
        raise CorruptInputError(f"Excel workbook cannot be unpacked ({type(e).__name__}: {e})") from e
    changed = False
    for name, part in parts.items():
        if name.startswith("xl/worksheets/") and b"mergeCell" in part:
            covered = 0
            cleaned = _MERGE.sub(keep, part)
            if covered > _MAX_MERGED_SHEET:  # each range under the limit, together minutes and gigabytes
                raise CorruptInputError(f"a sheet's merged ranges cover {covered:,} cells, more than the {_MAX_MERGED_SHEET:,} a sheet is read with")
            changed = changed or cleaned != part
            parts[name] = cleaned
    if not changed:
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, part in parts.items():
            archive.writestr(name, part)
    return buffer.getvalue()


def _check_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except ZIP_ERRORS as e:
        raise CorruptInputError("Excel workbook is not a valid zip archive") from e
    if unpacked > _MAX_UNPACKED:
        raise CorruptInputError(f"Excel workbook unpacks to {unpacked // 1_048_576} MB, more than the {_MAX_UNPACKED // 1_048_576} MB allowed")


_MAX_ROWS = 200_000  # filled rows of one sheet; past it the sheet is not a table
_MAX_COLUMNS = 512


def _rows(sheet: Any) -> list[list[CellSpec]]:
    """The sheet's rows and columns that hold something (a value, or the corner of a merged range), never its whole
    declared extent: one cell at XFD1048576 does not make a grid of seventeen billion."""
    filled = {(r, c) for (r, c), cell in sheet._cells.items() if cell.value is not None}  # openpyxl's map of the cells it read
    merged = [m for m in sheet.merged_cells.ranges if (m.min_row, m.min_col) in filled]
    used_rows = sorted({r for r, _ in filled})
    used_cols = sorted({c for _, c in filled})
    if len(used_rows) > _MAX_ROWS or len(used_cols) > _MAX_COLUMNS:
        raise CorruptInputError(f"a sheet with {len(used_rows)} filled rows and {len(used_cols)} filled columns is not a table")
    hidden_rows = {i for i, d in sheet.row_dimensions.items() if d.hidden}
    hidden_cols = {c for c in used_cols if sheet.column_dimensions[_letter(c)].hidden}
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for m in merged:  # a merged range counts the filled rows and columns it covers
        rows_in = [r for r in used_rows if m.min_row <= r <= m.max_row]
        cols_in = [c for c in used_cols if m.min_col <= c <= m.max_col]
        spans[(m.min_row, m.min_col)] = (len(rows_in), len(cols_in))
        covered.update((r, c) for r in rows_in for c in cols_in)
    rows: list[list[CellSpec]] = []
    for r in used_rows:
        if r in hidden_rows:
            continue
        row = []
        for c in used_cols:
            if c in hidden_cols or ((r, c) in covered and (r, c) not in spans):
                continue
            cell = sheet.cell(r, c)
            span_rows, span_cols = spans.get((r, c), (1, 1))
            row.append(CellSpec(_text(cell.value, cell.number_format), span_rows, span_cols))
        if any(cell.text for cell in row):
            rows.append(row)
    return rows


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def _text(value: object, number_format: str) -> str:
    """A cell as it prints: numbers by their format's decimals, from the exact decimal stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        try:
            exact = Decimal(repr(value))
        except InvalidOperation:
            return str(value)
        decimals = _DECIMALS.search(number_format or "")
        if decimals and "%" not in number_format:
            exact = exact.quantize(Decimal(1).scaleb(-len(decimals.group(1))))
        return format(exact, "f")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return " ".join(str(value).split())
