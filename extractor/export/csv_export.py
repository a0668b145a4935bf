"""The long CSV: one row per figure, with the document's identity on every row, so that files from
many documents concatenate into one dataset."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from extractor.domain.amounts import UNIT_SCALE
from extractor.export.atomic import spreadsheet_safe
from extractor.records import Document

COLUMNS = (
    "source_file", "source_sha256", "department", "region", "fiscal_year", "report_kind",
    "record_type", "key", "code", "label", "scope", "value", "unit", "value_yuan",
    "prior_value", "change", "page", "bbox", "quote",
    "table_index", "table_kind", "table_number", "table_title", "side", "column", "level", "parent", "cell_text",
    "table_verified", "budget_unit", "measure", "measure_year", "component",
)


def _yuan(value: str, unit: str) -> str:
    scale = UNIT_SCALE.get(unit)
    return "" if scale is None else format(Decimal(value) * scale, "f")


def document_to_csv(doc: Document, excel: bool = False) -> str:
    """The document's facts, line items and table cells as CSV text; ``excel`` prefixes a BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in long_rows(doc):  # every row as long as the header; text that could start a formula neutralised
        writer.writerow([spreadsheet_safe(v) if isinstance(v, str) else v for v in row])
    return ("\ufeff" if excel else "") + out.getvalue()


def long_rows(doc: Document) -> Iterator[list[object]]:
    """One row of :data:`COLUMNS` per fact, line item and table cell, each as long as :data:`COLUMNS`."""
    for row in _rows(doc):
        yield row + [""] * (len(COLUMNS) - len(row))


def _rows(doc: Document) -> Iterator[list[object]]:
    ident = doc.document
    base: list[object] = [doc.source.file, doc.source.sha256, ident.department or "", ident.region or "",
            ident.fiscal_year or "", ident.report_kind or ""]
    for fact in doc.facts:
        yield base + [
            "fact", fact.key, "", "", fact.scope or "", fact.value, fact.unit, _yuan(fact.value, fact.unit),
            fact.prior_value or "", fact.change or "", fact.page, " ".join(map(str, fact.bbox)), fact.quote,
        ]
    for item in doc.line_items:
        label = "/".join(n for n in (item.class_name, item.segment_name, item.item_name) if n)
        yield base + [
            "line_item", item.level, item.code or "", label, "", item.value, item.unit, _yuan(item.value, item.unit),
            "", "", item.page, " ".join(map(str, item.bbox)), item.quote,
        ]
    for index, table in enumerate(doc.tables):
        for row in table.rows:
            for cell in row.cells:
                unit = table.unit or ""
                yield base + [
                    "table_cell", cell.key, row.code or "", row.label, "", cell.value or "", unit if cell.value else "",
                    _yuan(cell.value, unit) if cell.value else "", "", "", cell.page, " ".join(map(str, cell.bbox)), "",
                    index, table.kind, table.number or "", table.title or "", row.side, cell.column, row.level or "",
                    row.parent or "", cell.text, "" if table.verified is None else str(table.verified).lower(), row.budget_unit or "",
                    cell.measure or "", cell.year or "", cell.component or "",
                ]
