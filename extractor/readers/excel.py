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

from extractor.errors import CorruptInputError, UnsupportedFormatError
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
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        raise CorruptInputError(f"Excel workbook cannot be read ({e})") from e
    pages: list[Page] = []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            continue
        page = VirtualPage(number=len(pages) + 1)
        page.add_line(sheet.title)
        page.add_table(_rows(sheet))
        pages.append(page.page())
    return tuple(pages)


def _check_size(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as e:
        raise CorruptInputError("Excel workbook is not a valid zip archive") from e
    if unpacked > _MAX_UNPACKED:
        raise CorruptInputError(f"Excel workbook unpacks to {unpacked // 1_048_576} MB, more than the {_MAX_UNPACKED // 1_048_576} MB allowed")


def _rows(sheet: Any) -> list[list[CellSpec]]:
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    for merged in sheet.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.max_row - merged.min_row + 1, merged.max_col - merged.min_col + 1)
        covered.update((r, c) for r in range(merged.min_row, merged.max_row + 1) for c in range(merged.min_col, merged.max_col + 1))
    hidden_rows = {i for i, d in sheet.row_dimensions.items() if d.hidden}
    hidden_cols = {c for c in range(1, sheet.max_column + 1) if sheet.column_dimensions[_letter(c)].hidden}
    rows: list[list[CellSpec]] = []
    for r in range(1, sheet.max_row + 1):
        if r in hidden_rows:
            continue
        row = []
        for c in range(1, sheet.max_column + 1):
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
