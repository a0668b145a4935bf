"""Narrative against tables: each figure the narrative states is the figure its table prints."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from extractor.checks.model import CheckResult, Evidence, Rule, Severity, Status, figure_evidence, in_yuan, precision, unit_scale
from extractor.domain.labels import name_key
from extractor.domain.table_kinds import TableKind, kind_info, kinds_where
from extractor.domain.vocabulary import YEAR_NAMED
from extractor.records import CellRecord, ColumnRecord, FactRecord, LineItemRecord, RowRecord, TableRecord

THREE_PUBLIC = Rule("narrative.three_public_table", "说明中的“三公”经费与“三公”经费表一致",
                    "the narrative's 三公 figures are those of the 三公 table", Severity.ERROR,
                    ("stated", "in the table"))
LINE_ITEM = Rule("narrative.line_item_table", "说明中的类/款/项金额与支出表一致",
                 "a 类/款/项 amount in the narrative is the amount of that code in an expenditure table", Severity.WARNING,
                 ("stated", "in the table"))
TOTALS = Rule("narrative.totals_table", "说明中的收支总额、基本/项目支出与表中合计一致",
              "the narrative's income/expenditure totals and basic/project figures are printed in a table's total row", Severity.WARNING,
              ("stated", "in the table"))
RULES = (THREE_PUBLIC, LINE_ITEM, TOTALS)

# the tables that print the department's totals: a 收支总表 both sides, the income table, the expenditure tables
# coded by 功能分类 (whose total row splits into 基本支出 and 项目支出)
_SUMMARIES = kinds_where(lambda k: k.two_sided)
_SPENDING = kinds_where(lambda k: k.line_items)
# fact key -> (table kinds, test on a total row's cell key tokens or the row's label)
_TOTAL_FACTS = {
    "income_total": ({*_SUMMARIES, TableKind.INCOME.value}, lambda t, label: "income" in t or "收入" in label or "total" in t),
    "expenditure_total": ({*_SUMMARIES, TableKind.EXPENDITURE.value}, lambda t, label: "expenditure" in t or "支出" in label or "total" in t),
    "basic_expenditure": (_SPENDING, lambda t, label: "basic" in t),
    "project_expenditure": (_SPENDING, lambda t, label: "project" in t),
}

# a scoped fact's tables: scope -> fact key -> kinds. The 一般公共预算基本支出表's 合计 is the 一般公共预算 基本支出. A
# 财政拨款 figure is any table's: where no 政府性基金 or 国有资本 money is spent it is the 一般公共预算 one (重庆 prints
# 财政拨款基本支出 and only 一般公共预算 tables)
_GPB_SPENDING = {TableKind.GPB_EXPENDITURE.value}
_SCOPE_KINDS = {
    "gpb": {"basic_expenditure": _GPB_SPENDING | {TableKind.GPB_BASIC_EXPENDITURE.value}, "project_expenditure": _GPB_SPENDING},
    "department": {"basic_expenditure": {TableKind.EXPENDITURE.value}, "project_expenditure": {TableKind.EXPENDITURE.value}},
}

_SCOPE_WORDS = {"gpb": "一般公共预算", "department": "all funds"}


def _implied(kind: str, key: str, column_key: str) -> bool:
    """A total column of a table whose kind is the fact's part (the 一般公共预算基本支出表's 合计 for 基本支出)."""
    return key == "basic_expenditure" and kind == TableKind.GPB_BASIC_EXPENDITURE.value and column_key == "total"


# fact key -> (test on a cell's column key tokens, word of a row label in tables that list the parts as rows)
_THREE_PUBLIC_KEYS = {
    "three_public_total": (lambda t: "total" in t and "vehicle" not in t, "合计"),
    "three_public_abroad": (lambda t: "abroad" in t, "因公出国"),
    "three_public_reception": (lambda t: "reception" in t, "公务接待"),
    "three_public_vehicle_total": (lambda t: "vehicle" in t and ("total" in t or t[-1] == "vehicle"), "公务用车购置及运行"),
    "three_public_vehicle_purchase": (lambda t: "purchase" in t, "公务用车购置费"),
    "three_public_vehicle_operation": (lambda t: "operation" in t, "公务用车运行"),
}

Located = tuple[TableRecord, RowRecord, CellRecord, str | None]


def _cell_evidence(located: Located) -> Evidence:
    table, row, cell, file = located
    label = f"{table.number or table.title or table.kind} {row.label} | {cell.column}"
    return figure_evidence(label, cell.value or "", table.unit, cell.page, cell.bbox, file, cell)


def _match(rule: Rule, what: str, value: str, unit: str, own: Evidence, candidates: list[Located]) -> CheckResult:
    """OK when a candidate cell prints the same amount; ROUNDING when one is within a step of the narrative's
    printed precision (a 万元 narrative over a 元 table rounds or cuts the figure); else MISMATCH."""
    want = in_yuan(value, unit)
    step = precision([Decimal(value)]) * unit_scale(unit)
    hits = [c for c in candidates if in_yuan(c[2].value or "0", c[0].unit) == want]
    near = [c for c in candidates if abs(in_yuan(c[2].value or "0", c[0].unit) - want) <= step]
    status = Status.OK if hits else Status.ROUNDING if near else Status.MISMATCH
    hits = hits or near
    shown = hits[:1] if hits else candidates[:6]
    message = f"{what} {value}{unit}: " + ("found in the table" if hits else "no table cell has this amount")
    return CheckResult(rule, status, message, (own, *(_cell_evidence(c) for c in shown)), expected=value,
                       actual=", ".join(f"{c[2].value}{c[0].unit or ''}" for c in shown))


def check_facts(facts: Sequence[tuple[FactRecord, str | None]], tables: Sequence[tuple[TableRecord, str | None]]) -> Iterator[CheckResult]:
    three = [(t, f) for t, f in tables if t.kind == TableKind.THREE_PUBLIC.value and not t.empty]
    if not three:
        return
    for fact, file in facts:
        if fact.key not in _THREE_PUBLIC_KEYS:
            continue
        wanted, word = _THREE_PUBLIC_KEYS[fact.key]
        columns = [(t, f, c) for t, f in three for c in t.columns if c.role == "amount" and wanted(c.key.split("."))]
        columns = _current(columns)
        paths = {(id(t), c.path) for t, _, c in columns}
        candidates = [(t, r, cell, f) for t, f in three for r in t.rows for cell in r.cells
                      if cell.value is not None and (id(t), cell.column) in paths]
        if not columns:  # the parts are rows (广州: 其中：（一）因公出国（境）支出)
            candidates = [(t, r, r.cells[0], f) for t, f in three for r in t.rows if r.cells and r.cells[0].value is not None and word in r.label]
        own = Evidence(fact.key, fact.value, fact.unit, fact.page, fact.bbox, file)
        if candidates:
            yield _match(THREE_PUBLIC, fact.key, fact.value, fact.unit, own, candidates)
        elif columns and Decimal(fact.value) == 0:
            yield CheckResult(THREE_PUBLIC, Status.OK, f"{fact.key} 0: the table leaves the cell blank", (own,))


def _current(columns: list[tuple[TableRecord, str | None, ColumnRecord]]) -> list[tuple[TableRecord, str | None, ColumnRecord]]:
    """The columns of the year the narrative speaks of: 决算 columns where a final account prints both, and
    not a column headed by an earlier year when a later one is printed."""
    if any("决算" in c.path for _, _, c in columns):
        columns = [x for x in columns if "决算" in x[2].path]
    years = {y for _, _, c in columns for y in YEAR_NAMED.findall(c.path)}
    if len(years) > 1:
        latest = max(years)
        columns = [x for x in columns if latest in x[2].path or not YEAR_NAMED.search(x[2].path)]
    return columns


def check_line_items(items: Sequence[tuple[LineItemRecord, str | None]], tables: Sequence[tuple[TableRecord, str | None]]) -> Iterator[CheckResult]:
    rows_by_code: dict[str, list[Located]] = {}
    for table, file in tables:
        if kind_info(table.kind).line_items and not table.empty:
            for row in table.rows:
                # the narrative may quote any of the row's columns (合计, 当年拨款, 基本支出 …)
                for cell in row.cells:
                    if row.code and cell.value is not None:
                        rows_by_code.setdefault(row.code, []).append((table, row, cell, file))
    # a 类 is also printed by name on the expenditure side of a 收支总表 (四、公共安全支出), for all funds
    rows_by_name: dict[str, list[Located]] = {}
    for table, file in tables:
        if kind_info(table.kind).two_sided and not table.empty:
            for row in table.rows:
                for cell in row.cells:
                    if cell.value is not None:
                        rows_by_name.setdefault(name_key(row.label), []).append((table, row, cell, file))
    for item, file in items:
        if not item.code or item.code not in rows_by_code:
            continue
        candidates = rows_by_code[item.code]
        if item.level == "类":
            candidates = candidates + rows_by_name.get(name_key(item.class_name), [])
        own = Evidence(f"{item.code} {item.item_name or item.segment_name or item.class_name}", item.value, item.unit, item.page, item.bbox, file)
        if Decimal(item.value) == 0 and any(_blank_in(c[0], c[1]) for c in candidates):
            yield CheckResult(LINE_ITEM, Status.OK, f"{item.code} 0: the table leaves the cell blank", (own,))
            continue
        yield _match(LINE_ITEM, f"{item.code}", item.value, item.unit, own, candidates)


def _blank_in(table: TableRecord, row: RowRecord) -> bool:
    """Whether some amount column of the row is printed blank (a blank is no amount, which a narrative may call 0)."""
    columns = {c.path for c in table.columns if c.role == "amount"}
    return len({c.column for c in row.cells if c.value is not None}) < len(columns)


def check_totals(facts: Sequence[tuple[FactRecord, str | None]], tables: Sequence[tuple[TableRecord, str | None]]) -> Iterator[CheckResult]:
    """Totals the narrative states against the total rows of the tables that print them, in the fact's funding
    scope: "一般公共预算财政拨款基本支出5377.64万元" against the 一般公共预算 tables, the department's 基本支出 against
    the all-funds 支出总表. A fact whose scope no table of the document prints is not compared with another scope's."""
    for fact, file in facts:
        if fact.key not in _TOTAL_FACTS:
            continue
        kinds, wanted = _TOTAL_FACTS[fact.key]
        scoped = fact.key in _SCOPE_KINDS.get(fact.scope or "", {})
        if scoped:
            kinds = _SCOPE_KINDS[fact.scope or ""][fact.key]
        candidates = [
            (t, r, c, f)
            for t, f in tables if t.kind in kinds and not t.empty
            for r in t.rows if r.total and not r.code
            for c in r.cells if c.value is not None and (wanted(c.key.split("."), r.label_normalised) or _implied(t.kind, fact.key, c.key))
        ]
        if candidates:
            own = Evidence(fact.key, fact.value, fact.unit, fact.page, fact.bbox, file)
            what = f"{fact.key} ({_SCOPE_WORDS[fact.scope or '']})" if scoped else fact.key
            yield _match(TOTALS, what, fact.value, fact.unit, own, candidates)
