"""Rules across tables: the same figure printed in two tables agrees."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from extractor.checks.model import CheckResult, Evidence, Rule, Severity, Status, classify, figure_evidence, in_yuan, unit_scale
from extractor.checks.tables import cell_value
from extractor.domain.labels import name_key
from extractor.domain.table_kinds import TableKind, kind_info
from extractor.domain.table_rows import ordinal_rank
from extractor.records import CellRecord, RowRecord, TableRecord

BASIC_TOTAL = Rule("cross.basic_total", "基本支出表合计等于一般公共预算支出表的基本支出合计",
                   "the basic-expenditure table's total equals the 基本支出 total of the 一般公共预算 table", Severity.ERROR,
                   ("一般公共预算支出表 基本支出", "基本支出表 合计"))
SUMMARY_TOTALS = Rule("cross.summary_totals", "收支总表的本年收入/支出合计等于收入总表/支出总表的合计",
                      "the summary's 本年收入/支出合计 equal the totals of the income and expenditure tables", Severity.WARNING,
                      ("收支总表", "收入总表/支出总表"))
CLASS_ROWS = Rule("cross.class_rows", "收支总表支出方各类金额等于支出总表同类合计",
                  "each 类 on the summary's expenditure side equals that 类's total in the expenditure table", Severity.ERROR,
                  ("收支总表", "支出总表"))
GPB_TOTAL = Rule("cross.gpb_total", "财政拨款收支总表的一般公共预算支出合计等于一般公共预算支出表合计",
                 "the 一般公共预算 column of the 财政拨款收支总表's 本年支出合计 equals the 一般公共预算支出表's total", Severity.ERROR,
                 ("财政拨款收支总表", "一般公共预算支出表"))
PERSONNEL_PUBLIC = Rule("cross.personnel_public", "一般公共预算支出表的人员经费、公用经费合计等于基本支出表的人员经费、公用经费合计",
                        "the 人员经费 and 公用经费 totals of the 一般公共预算支出表 (by function) equal those of the 基本支出表 (by economic class)",
                        Severity.ERROR, ("一般公共预算支出表", "基本支出表"))
ONE_TABLE = Rule("cross.one_table", "同一文件中同类同分类的表只有一张",
                 "a file prints one table of each kind and classification: two are a conflict, not two answers", Severity.WARNING)
RULES = (BASIC_TOTAL, SUMMARY_TOTALS, CLASS_ROWS, GPB_TOTAL, PERSONNEL_PUBLIC, ONE_TABLE)

Located = tuple[TableRecord, RowRecord, CellRecord]


def check_tables(tables: Sequence[TableRecord], files: Sequence[str | None]) -> Iterator[CheckResult]:
    by_kind: dict[str, list[tuple[TableRecord, str | None]]] = {}
    for table, file in zip(tables, files, strict=True):
        if not table.empty:
            by_kind.setdefault(table.kind, []).append((table, file))
    yield from _basic_total(by_kind)
    yield from _summary_totals(by_kind)
    yield from _class_rows(by_kind)
    yield from _gpb_total(by_kind)
    yield from _personnel_public(by_kind)
    yield from _one_table(by_kind)


def _personnel_public(by_kind: dict[str, list[tuple[TableRecord, str | None]]]) -> Iterator[CheckResult]:
    """基本支出's two parts printed twice: in the 一般公共预算支出表's total row (人员经费 | 公用经费 columns) and in the
    基本支出表's total row (by economic class, the same two columns), for the same measure and year."""
    for gpb, gpb_file in by_kind.get(TableKind.GPB_EXPENDITURE.value, []):
        total = _total_row(gpb)
        if total is None:
            continue
        for basic, basic_file in by_kind.get(TableKind.GPB_BASIC_EXPENDITURE.value, []):
            basic_total = _total_row(basic)
            if basic_total is None or basic.classification == "function":
                continue
            for part in ("personnel", "public"):
                mine = [c for c in total.cells if c.value is not None and c.component == part]
                theirs = [c for c in basic_total.cells if c.value is not None and c.component == part]
                pairs = [(a, b) for a in mine for b in theirs if (a.measure, a.year) == (b.measure, b.year)]
                if len(pairs) == 1:
                    a, b = pairs[0]
                    yield _compare(PERSONNEL_PUBLIC, (gpb, total, a), [(basic, basic_total, b)], (gpb_file, basic_file),
                                   f"一般公共预算支出表 {a.column} = 基本支出表 {b.column}")


_SPENT_THIS_YEAR = ("本年支出合计", "本年支出小计", "支出合计")


def _gpb_total(by_kind: dict[str, list[tuple[TableRecord, str | None]]]) -> Iterator[CheckResult]:
    """The 一般公共预算 figure printed twice: the 财政拨款收支总表's 本年支出合计 in its 一般公共预算 column, and the
    一般公共预算支出表's 合计 (by function), for the same measure and year."""
    for fiscal, fiscal_file in by_kind.get(TableKind.FISCAL_SUMMARY.value, []):
        spent = [r for r in fiscal.rows if r.side == 1 and r.label_normalised in _SPENT_THIS_YEAR]
        cells = [(r, c) for r in spent[:1] for c in r.cells if c.value is not None and (c.component or "").split(".")[-1] == "gpb"]
        if len(cells) != 1:
            continue
        row, cell = cells[0]
        for gpb, gpb_file in by_kind.get(TableKind.GPB_EXPENDITURE.value, []):
            total = _total_row(gpb)
            if total is None or gpb.classification == "economic":
                continue
            same = [c for c in total.cells if c.value is not None and c.component == "total" and (c.measure, c.year) == (cell.measure, cell.year)]
            if len(same) == 1:
                yield _compare(GPB_TOTAL, (fiscal, row, cell), [(gpb, total, same[0])], (fiscal_file, gpb_file),
                               "财政拨款收支总表 一般公共预算 本年支出合计 = 一般公共预算支出表 合计")


def _one_table(by_kind: dict[str, list[tuple[TableRecord, str | None]]]) -> Iterator[CheckResult]:
    """Two tables of one standard kind and classification in one file (一般公共预算支出表 by function twice) give two
    answers to one question: each is reported, and neither is verified, until a reader says which is the report's.
    By function and by economic class they are two tables, not a conflict."""
    for kind, tables in by_kind.items():
        if not (kind_info(kind).budget_table and kind_info(kind).financial):  # a 绩效目标表 per project is many by design
            continue
        groups: dict[tuple[str | None, str | None], list[TableRecord]] = {}
        for table, file in tables:
            groups.setdefault((file, table.classification), []).append(table)
        for (file, classification), same in groups.items():
            if len(same) < 2:
                continue
            for table in same:
                row = next((r for r in table.rows if any(c.value is not None for c in r.cells)), None)
                cell = next((c for c in row.cells if c.value is not None), None) if row else None
                if row is None or cell is None:
                    continue
                where = ", ".join(f"{t.number or t.title or kind} p{t.pages[0] if t.pages else '?'}" for t in same)
                name = table.number or table.title or kind
                evidence = (figure_evidence(name, cell.value or "", table.unit, cell.page, cell.bbox, file, cell),)
                yield CheckResult(ONE_TABLE, Status.MISMATCH, f"{len(same)} tables of {kind}" + (f" by {classification}" if classification else "")
                                  + f" in one file: {where}", evidence)


def _total_row(table: TableRecord) -> RowRecord | None:
    totals = [r for r in table.rows if r.total and r.depth == 0 and not r.code]
    return totals[0] if len(totals) == 1 else None


def _cell(row: RowRecord, key_part: str) -> CellRecord | None:
    """The row's cell for ``key_part``: the part's own column, or its 小计 where the part has sub-columns."""
    matches = [c for c in row.cells if c.value is not None and key_part in c.key.split(".")]
    own = [c for c in matches if c.key.split(".")[-1] in (key_part, "total")]
    return own[0] if len(own) == 1 else (matches[0] if len(matches) == 1 else None)


def _evidence(located: Located, file: str | None) -> Evidence:
    table, row, cell = located
    title = table.number or table.title or table.kind
    return figure_evidence(f"{title} {row.label} | {cell.column}", cell.value or "", table.unit, cell.page, cell.bbox, file, cell)


def _compare(rule: Rule, a: Located, parts: Sequence[Located], files: tuple[str | None, str | None], what: str) -> CheckResult:
    """``a`` against the cell ``parts`` lists, or against the sum of its cells (a 类 printed once per 预算单位)."""
    # compare in the first table's unit, so that a 元 table and a 万元 table meet
    scale = unit_scale(a[0].unit)
    first = in_yuan(cell_value(a[2]), a[0].unit) / scale
    values = [in_yuan(cell_value(x[2]), x[0].unit) / scale for x in parts]
    status, difference, allowed = classify(first, values)
    second = sum(values, Decimal(0))
    message = f"{what}: {first} vs {second}" + (f" ({len(values)} units)" if len(values) > 1 else "")
    return CheckResult(rule, status, message, (_evidence(a, files[0]), *(_evidence(x, files[1]) for x in parts)), expected=str(first),
                       actual=str(second), difference=str(difference), tolerance=str(allowed))


def _basic_total(by_kind: dict[str, list[tuple[TableRecord, str | None]]]) -> Iterator[CheckResult]:
    for gpb, gpb_file in by_kind.get(TableKind.GPB_EXPENDITURE.value, []):
        total = _total_row(gpb)
        basic_cell = _cell(total, "basic") if total else None
        if total is None or basic_cell is None:
            continue
        for basic, basic_file in by_kind.get(TableKind.GPB_BASIC_EXPENDITURE.value, []):
            basic_total = _total_row(basic)
            cells = [c for c in basic_total.cells if c.value is not None] if basic_total else []
            if basic_total and cells:
                first = next((c for c in cells if c.key.split(".")[-1] in ("total", "amount")), cells[0])
                yield _compare(BASIC_TOTAL, (gpb, total, basic_cell), [(basic, basic_total, first)], (gpb_file, basic_file),
                               "一般公共预算支出表 基本支出合计 = 基本支出表 合计")


def _summary_totals(by_kind: dict[str, list[tuple[TableRecord, str | None]]]) -> Iterator[CheckResult]:
    """The income (expenditure) table's total is the summary's 本年收入合计 or, where it counts the carry-over
    (福建: a 上年结转结余 column in the 收入预算总表), its grand total, printed 收入总计 or 收入合计."""
    for summary, summary_file in by_kind.get(TableKind.SUMMARY.value, []):
        for word, kind in (("收入", TableKind.INCOME.value), ("支出", TableKind.EXPENDITURE.value)):
            labels = (f"本年{word}合计", f"本年{word}小计", f"{word}总计", f"{word}合计")
            rows = [r for r in summary.rows if r.label_normalised in labels and any(c.value is not None for c in r.cells)]
            if not rows:
                continue
            for other, other_file in by_kind.get(kind, []):
                total = _total_row(other)
                cell = next((c for c in total.cells if c.value is not None), None) if total else None
                if not (total and cell):
                    continue
                results = [
                    _compare(SUMMARY_TOTALS, (summary, row, next(c for c in row.cells if c.value is not None)), [(other, total, cell)],
                             (summary_file, other_file), f"收支总表 {row.label} = {other.title or kind} 合计")
                    for row in rows
                ]
                yield min(results, key=lambda r: _RANK[r.status])


_RANK = {Status.OK: 0, Status.ROUNDING: 1, Status.INFO: 2, Status.MISMATCH: 3}


def _class_rows(by_kind: dict[str, list[tuple[TableRecord, str | None]]]) -> Iterator[CheckResult]:
    """The summary names the 类 (一、一般公共服务支出) the expenditure table codes (201): same total."""
    for summary, summary_file in by_kind.get(TableKind.SUMMARY.value, []):
        for other, other_file in by_kind.get(TableKind.EXPENDITURE.value, []):
            classes = _class_totals(other)
            for row in summary.rows:
                cells = [c for c in row.cells if c.value is not None and "支出" in c.column]
                match = classes.get(name_key(row.label)) if cells and ordinal_rank(row.label) else None
                if not match:
                    continue
                yield _compare(CLASS_ROWS, (summary, row, cells[0]), [(other, r, c) for r, c in match], (summary_file, other_file),
                               f"收支总表 {row.label} = {other.title or 'expenditure'} {match[0][0].code} 合计")


def _class_totals(table: TableRecord) -> dict[str, list[tuple[RowRecord, CellRecord]]]:
    """Each 类 of the table, by name, with its total cell: the department's own 类 row where it prints one, else
    the 类 row of every 预算单位 (a table of rows per unit: the department's 类 is the sum over its units)."""
    found: dict[str, list[tuple[RowRecord, CellRecord]]] = {}
    for row in table.rows:
        total = next((c for c in row.cells if c.value is not None), None) if row.level == "类" else None
        if total is not None:
            found.setdefault(name_key(row.label), []).append((row, total))
    classes = {}
    for name, rows in found.items():
        own = [r for r in rows if r[0].budget_unit is None]
        units = [r[0].budget_unit for r in rows]
        if own:
            classes[name] = own[-1:]
        elif len(set(units)) == len(units):
            classes[name] = rows
    return classes
