"""One document as a workbook (a sheet per table) or as a Parquet file of the long rows, amounts exact."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from extractor.domain.amounts import decimal_scale
from extractor.export.atomic import spreadsheet_safe
from extractor.export.csv_export import COLUMNS, long_rows
from extractor.records import Document, TableRecord

_DECIMAL_COLUMNS = ("value", "value_yuan", "prior_value", "change")
_INTEGER_COLUMNS = ("fiscal_year", "page", "table_index", "side", "measure_year")
_BOOLEAN_COLUMNS = ("table_verified",)
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")


def _safe(row: list[object]) -> list[object]:
    """Text that a spreadsheet would take for a formula (=cmd|…) kept as text."""
    return [spreadsheet_safe(v) if isinstance(v, str) else v for v in row]


def _amount(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def document_to_xlsx(doc: Document) -> bytes:
    """A workbook: the document's identity, its figures and line items, an index of the tables (sheet, number,
    title, kind, pages, unit, verified), then one sheet per table whose first row is its header: side, code, level,
    label and one column per amount column, amounts as exact decimal numbers."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    about = book.create_sheet("document")
    about.append(["field", "value"])
    ident = doc.document
    for field, value in (("file", doc.source.file), ("sha256", doc.source.sha256), ("department", ident.department),
                         ("region", ident.region), ("fiscal_year", ident.fiscal_year), ("report_kind", ident.report_kind),
                         ("document_type", ident.document_type), ("unit", ident.unit), ("pages", doc.source.pages)):
        about.append(_safe([field, value]))
    facts = book.create_sheet("facts")
    facts.append(["key", "value", "unit", "prior_value", "change", "page", "quote"])
    for fact in doc.facts:
        facts.append(_safe([fact.key, _amount(fact.value), fact.unit, _amount(fact.prior_value), _amount(fact.change), fact.page, fact.quote]))
    items = book.create_sheet("line_items")
    items.append(["code", "level", "class", "segment", "item", "value", "unit", "page", "quote"])
    for item in doc.line_items:
        items.append(_safe([item.code, item.level, item.class_name, item.segment_name, item.item_name, _amount(item.value), item.unit,
                            item.page, item.quote]))
    # what each table sheet holds, on a sheet of its own: a table sheet's first row is its header, so that
    # pandas.read_excel and a spreadsheet's filter read it as printed
    index_sheet = book.create_sheet("tables")
    index_sheet.append(["sheet", "number", "title", "kind", "classification", "pages", "unit", "verified", "failed_checks"])
    used = {"document", "facts", "line_items", "tables"}
    sheets = []
    for index, table in enumerate(doc.tables, start=1):
        name = _sheet_name(index, table, used)
        used.add(name)
        index_sheet.append(_safe([name, table.number, table.title, table.kind, table.classification, ", ".join(map(str, table.pages)),
                                  table.unit, table.verified, ", ".join(table.failed_checks)]))
        sheets.append((name, table))
    for name, table in sheets:
        _table_sheet(book.create_sheet(name), table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(index: int, table: TableRecord, used: set[str]) -> str:
    """``T3 gpb_expenditure``: Excel allows 31 characters and none of []:*?/\\."""
    name = _SHEET_NAME.sub("_", f"T{index} {table.number or ''} {table.kind}".replace("  ", " "))[:31]
    return name if name not in used else f"T{index}"


def _table_sheet(sheet, table: TableRecord) -> None:  # type: ignore[no-untyped-def]
    columns = [c for c in table.columns if c.role == "amount"] or list(table.columns)
    paths = list(dict.fromkeys(c.path for c in columns))
    # a column printed without a header is named by its place, so that no reader makes up a name for it
    sheet.append(_safe(["side", "code", "level", "label", *(path or f"column {i}" for i, path in enumerate(paths, start=1))]))
    for row in table.rows:
        values = {cell.column: _amount(cell.value) if cell.value else cell.text for cell in row.cells}
        sheet.append(_safe([row.side, row.code, row.level, row.label, *(values.get(path) for path in paths)]))


def document_to_parquet(doc: Document) -> bytes:
    """The long rows of the CSV (one per fact, line item and table cell) as Parquet: amounts as decimal128 with
    the scale their printed digits need, so that nothing is rounded; codes as text; years, pages, indexes and sides
    integers; ``table_verified`` a boolean."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = list(long_rows(doc))
    data: dict[str, list[object]] = {name: [row[i] for row in rows] for i, name in enumerate(COLUMNS)}
    arrays = {}
    for name, values in data.items():
        if name in _DECIMAL_COLUMNS:
            amounts = [Decimal(str(v)) if v not in ("", None) else None for v in values]
            arrays[name] = pa.array(amounts, type=pa.decimal128(38, decimal_scale(amounts)))
        elif name in _INTEGER_COLUMNS:
            arrays[name] = pa.array([int(v) if v not in ("", None) else None for v in values], type=pa.int64())  # type: ignore[call-overload]
        elif name in _BOOLEAN_COLUMNS:
            arrays[name] = pa.array([None if v in ("", None) else v == "true" for v in values], type=pa.bool_())
        else:
            arrays[name] = pa.array(["" if v is None else str(v) for v in values], type=pa.string())
    buffer = io.BytesIO()
    pq.write_table(pa.table(arrays), buffer)
    return buffer.getvalue()
