"""Located tables turned into records: row codes, levels and parents, the row tree, budget units, each amount
column's meaning (measure, year, component), and each cell's exact value."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache, partial
from typing import Any

from extractor.checks import CheckResult, Status
from extractor.domain.amounts import parse_amount
from extractor.domain.classifications import CLASSIFICATION_OF, SCHEME_OF, code_named, scheme_of
from extractor.domain.codes import parent_code, repaired_code
from extractor.domain.columns import (
    FINANCIAL_KINDS,
    ColumnMeaning,
    RowPeriod,
    classification_named,
    column_key,
    row_component,
    row_items,
    row_period,
    table_meanings,
    with_row_period,
)
from extractor.domain.identity import Identity, ReportKind
from extractor.domain.table_kinds import Classification, TableKind, kind_info
from extractor.domain.table_rows import (
    CodeContext,
    TreeRow,
    UnitRow,
    budget_units,
    code_level_name,
    parent_of,
    row_identity,
    row_tree,
    split_unit,
)
from extractor.layout.tables import Table
from extractor.model import Page
from extractor.readers import ocr
from extractor.records import CellRecord, ColumnRecord, PlacementRecord, RowRecord, TableRecord, WarningRecord


def table_records(found: list[Table], identity: Identity) -> tuple[list[TableRecord], list[WarningRecord]]:
    """The located tables as records, in the document's fiscal year and report kind; a warning for each financial
    table with amount columns the column vocabulary does not know."""
    final = identity.report_kind is ReportKind.FINAL_ACCOUNTS
    tables = [table_record(t, identity.fiscal_year, final) for t in found]
    return tables, unmapped_columns(tables)


def table_record(table: Table, fiscal_year: int | None, final_accounts: bool) -> TableRecord:
    """A located table as its record: each row's code, level, parent, depth and budget unit; each column's
    meaning; each cell's printed text and exact value; and notes on how the table was read."""
    context = CodeContext()
    seen: list[str] = []
    printed_units, idents = [], []
    for row in table.rows:
        unit, labels = split_unit(row.labels)
        ident = row_identity(row.codes, labels, context)
        printed_units.append(ident.unit or unit)
        idents.append(ident)
    notes = list(table.notes)
    if table.title_repeats:
        pages = ", ".join(f"p{n}" for n in table.title_repeats)
        notes.append(f"{pages}: the title printed again; read as this table continued, not a new table")
    tree, tree_notes = row_tree([TreeRow(row.side, i.code, i.label, row.indent, i.total, tuple(c.text for c in row.cells), i.code2)
                                 for row, i in zip(table.rows, idents, strict=True)])
    notes += tree_notes
    first_column = min((c.column for row in table.rows for c in row.cells), default=None)
    units = budget_units([
        UnitRow(row.side, unit, ident.total, next((a.value for c in row.cells if c.column == first_column and (a := parse_amount(c.text))), None),
                parent_row)
        for row, ident, unit, (_, parent_row) in zip(table.rows, idents, printed_units, tree, strict=True)
    ])
    meanings = table_meanings([(c.name, c.role, c.side) for c in table.columns], table.kind.value, fiscal_year, final_accounts)
    keys = [column_key(c.name) for c in table.columns]  # once per column, not once per cell
    items = row_items(table.kind.value, [None if i.total else i.label for i in idents],
                      [m.component for m in meanings if m is not None and m.status == "mapped"])
    periods = [None if i.code or i.total else row_period(i.label) for i in idents]
    model = partial(_model_of, fiscal_year=fiscal_year, final_accounts=final_accounts)
    rows = []
    for row, ident, (depth, parent_row), unit, item, period in zip(table.rows, idents, tree, units, items, periods, strict=True):
        parent = parent_of(ident.code, seen)
        if ident.code:
            seen.append(ident.code)
        cells = tuple(
            CellRecord(
                column=table.columns[c.column].name, key=keys[c.column], text=c.text,
                value=_value(c.text), page=c.page, bbox=c.bbox, **model(meanings[c.column], item, period),
            )
            for c in row.cells
        )
        rows.append(RowRecord(
            side=row.side, code=ident.code, code2=ident.code2, level=ident.level, parent=parent, label=ident.label,
            label_normalised=ident.label_normalised, total=ident.total, subitem=ident.subitem, depth=depth, parent_row=parent_row,
            budget_unit=unit, page=row.page, bbox=row.bbox,
            cells=cells, code_source="printed" if ident.code else None, label2=ident.label2,
        ))
    rows, inferred = _inferred_codes(rows, classification_named(table.title), table.kind, fiscal_year)
    if inferred:
        notes.append(inferred)
    return TableRecord(
        kind=table.kind.value, title=table.title, number=table.number, unit=table.unit, pages=tuple(table.pages),
        placements=tuple(PlacementRecord(p, b) for p, b in table.bboxes), empty=table.empty,
        columns=tuple(
            ColumnRecord(c.name, key if c.role == "amount" else "", c.role, c.side, *((m.measure, m.year, m.component, m.status) if m else ()))
            for c, m, key in zip(table.columns, meanings, keys, strict=True)
        ),
        rows=tuple(rows), notes=tuple(notes + _unit_notes(rows, printed_units)),
        classification=_classification(table, rows),
    )


def unmapped_columns(tables: list[TableRecord]) -> list[WarningRecord]:
    """A warning per financial table with amount columns whose header names nothing the column vocabulary knows."""
    return [
        WarningRecord("columns_unmapped", f"{t.title or t.kind}: amount column(s) {', '.join(unmapped)} name nothing the column "
                                          "vocabulary knows; their cells have no measure, year or component", t.pages[0])
        for t in tables if t.kind in FINANCIAL_KINDS and (unmapped := [repr(c.path) for c in t.columns if c.status == "unmapped"])
    ]


def verified(tables: Sequence[TableRecord], results: list[CheckResult]) -> list[TableRecord]:
    """The tables with their verdicts: the comparisons that took a figure of a table (``evidence.table``, its place
    among the tables the checks were given) decide it; a table no comparison took a figure of is left as it was."""
    touching: dict[int, list[CheckResult]] = {}
    for result in results:  # each result once, under every table it took a figure of
        for index in {e.table for e in result.evidence if e.table is not None}:
            touching.setdefault(index, []).append(result)
    judged = []
    for index, table in enumerate(tables):
        if index not in touching:
            judged.append(table)
            continue
        failed = tuple(sorted({r.rule.id for r in touching[index] if r.status is Status.MISMATCH}))
        judged.append(replace(table, verified=not failed, failed_checks=failed))
    return judged


def ocr_table(table: TableRecord, pages: dict[int, Page]) -> tuple[TableRecord, list[WarningRecord]]:
    """A table with its OCR'd cells' confidence, and codes misread by a digit or two put right by their label
    (each correction a warning)."""
    rows = []
    warnings = []
    for row in table.rows:
        cells = tuple(replace(c, confidence=ocr.confidence_in(pages[c.page], c.bbox)) for c in row.cells)
        code = repaired_code(row.code, row.label) if row.code and pages[row.page].ocr else None
        if code and row.code:
            message = f"{table.title or table.kind}: code read as {row.code} beside {row.label!r}, whose listed code {code} is used"
            warnings.append(WarningRecord("ocr_code_corrected", message, row.page))
            parent = row.parent if row.parent and code.startswith(row.parent) else parent_code(code)
            row = replace(row, code=code, parent=parent, level=code_level_name(code))
        rows.append(replace(row, cells=cells))
    return replace(table, rows=tuple(rows)), warnings


def _model_of(meaning: ColumnMeaning | None, item: str | None, period: RowPeriod | None, fiscal_year: int | None,
              final_accounts: bool) -> dict[str, Any]:
    """A cell's measure, year and component: its column's, with what its row states instead (the item of a 三公 row,
    the year or measure of a ``2025年`` or ``决算数`` row)."""
    if meaning is None or meaning.status != "mapped":
        return {}
    component = row_component(item, meaning.component) if item else meaning.component
    measure, year = with_row_period(meaning, period, fiscal_year, final_accounts) if period else (meaning.measure, meaning.year)
    return {"measure": measure, "year": year, "component": component}


def _classification(table: Table, rows: list[RowRecord]) -> str | None:
    """The classification a table's rows are coded by: the one its title names (一般公共预算基本支出表（按功能科目分）),
    else, for a kind coded by a classification, the one most of its 科目 codes belong to (一般公共预算支出 by
    function or by economic class). A table of another kind that names none (a 政府采购 table listing each item's
    功能科目) has none: its codes are an attribute of its rows."""
    named = classification_named(table.title)
    if named or kind_info(table.kind).classification is Classification.NONE:
        return named
    schemes = Counter(scheme for r in rows if r.level and r.budget_unit is None and (scheme := scheme_of(r.code)))
    return CLASSIFICATION_OF[schemes.most_common(1)[0][0]] if schemes else None


def _inferred_codes(rows: list[RowRecord], named: str | None, kind: TableKind, year: int | None) -> tuple[list[RowRecord], str]:
    """Codes for a table of a classification that prints names only (杭州: 一般公共服务支出 / 社会工作事务 / 其他社会工作
    事务支出 …): each name is looked up among the catalogue's codes under the 类 and 款 read so far, a 项 under the
    current 款 first, then a 款 under the current 类, then a 类; a name found nowhere, or twice, keeps no code and is
    counted. The codes are marked ``inferred``; the hierarchy sums then check them."""
    if any(r.code for r in rows):
        return rows, ""
    scheme = SCHEME_OF.get(named or kind_info(kind).classification.value)  # the kind's: function, economic or none
    if scheme is None:
        return rows, ""
    context: list[str] = []  # the 类 and the 款 read so far
    out, found, unresolved = [], 0, 0
    for row in rows:
        if row.total or not row.label or row.budget_unit:
            out.append(row)
            continue
        code = _code_in(scheme.value, context, row.label, year)
        if code is None:
            unresolved += 1
            out.append(row)
            continue
        context = [c for c in context if len(c) < len(code)] + [code]
        found += 1
        out.append(replace(row, code=code, level=code_level_name(code), parent=parent_code(code), code_source="inferred"))
    if not found:
        return rows, ""
    return out, f"codes inferred from the names for {found} rows (the table prints none); {unresolved} names not resolved"


def _code_in(scheme: str, context: list[str], label: str, year: int | None) -> str | None:
    for parent in [*reversed(context), None]:
        if parent is not None and len(parent) >= 7:
            continue
        code = code_named(scheme, parent, label, year)
        if code:
            return code
    return None


def _unit_notes(rows: list[RowRecord], printed: list[str | None]) -> list[str]:
    """How a table of rows per 预算单位 was read: its units, and the rows taken for the department's own."""
    units = {r.budget_unit for r in rows if r.budget_unit}
    if len(units) < 2:
        return []
    own = [f"row {i} ({p if p == r.label else f'{p} {r.label}'})" for i, (r, p) in enumerate(zip(rows, printed, strict=True))
           if p and not r.total and r.budget_unit is None]
    note = f"rows per 预算单位: {len(units)} units"
    return [note + (f"; {', '.join(own)} adds up the units and is the department's own" if own else "")]


@lru_cache(maxsize=1 << 16)  # a cell's value as its record prints it: the same figures recur
def _value(text: str) -> str | None:
    amount = parse_amount(text)
    return None if amount is None else amount.text
