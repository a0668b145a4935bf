"""Rules inside one table: hierarchies add up, total columns equal their parts, 收入总计 = 支出总计."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal

from extractor.checks.model import CheckResult, Evidence, Rule, Severity, Status, classify, figure_evidence
from extractor.domain.columns import FINANCIAL_KINDS, unexplained_parts
from extractor.domain.table_kinds import kind_info
from extractor.domain.table_rows import listed_rank, ordinal_rank
from extractor.domain.vocabulary import OF_WHICH, TOTAL_ALONE
from extractor.records import CellRecord, RowRecord, TableRecord

CODE_HIERARCHY = Rule("table.code_hierarchy", "类/款 金额等于其下款/项之和", "a 类 or 款 row equals the sum of its 款 or 项 rows", Severity.ERROR)
ROW_HIERARCHY = Rule(
    "table.row_hierarchy", "编号层级（一、1.、其中）的上级行等于下级行之和",
    "a numbered row equals the sum of the rows numbered under it", Severity.WARNING,
)
TOTAL_ROW = Rule("table.total_row", "合计行等于各类之和", "the 合计 row equals the sum of the 类 rows", Severity.ERROR)
COLUMN_SUM = Rule(
    "table.column_sum", "合计/小计列等于其组成列之和（如 合计 = 基本支出 + 项目支出）", "a total column equals its part columns", Severity.ERROR,
)
BALANCE = Rule("table.balance", "收入总计等于支出总计", "收入总计 equals 支出总计", Severity.ERROR, ("收入总计", "支出总计"))
ITEM_ROWS = Rule("table.item_rows", "按行列示的“三公”经费等于各分项之和（公务用车 = 购置 + 运行维护）",
                 "a 三公 table printed one item per row: the 三公 row equals its item rows, the vehicle row its two parts", Severity.ERROR)
HEADER_WORDS = Rule("table.header_words", "金额列表头的每个词都能解释（无截断残片）",
                    "every word of an amount column's header is one the column vocabulary knows: a leftover fragment means the header "
                    "was cut apart wrong", Severity.WARNING)
RULES = (CODE_HIERARCHY, ROW_HIERARCHY, TOTAL_ROW, COLUMN_SUM, BALANCE, ITEM_ROWS, HEADER_WORDS)

# a whole and its parts, by the items rows name in a 三公 table of one item per row
_ITEM_PARTS = (("three_public", ("abroad", "vehicle", "reception")), ("vehicle", ("vehicle_purchase", "vehicle_operation")))



def check_table(table: TableRecord, file: str | None = None) -> Iterator[CheckResult]:
    """Every within-table rule on one table."""
    if table.empty:
        return
    yield from _hierarchies(table, file)
    yield from _total_rows(table, file)
    yield from _column_sums(table, file)
    if kind_info(table.kind).balanced:
        yield from _balance(table, file)
    yield from _item_rows(table, file)
    yield from _header_words(table, file)


def _header_words(table: TableRecord, file: str | None) -> Iterator[CheckResult]:
    """A financial table's amount columns whose header holds a part the vocabulary does not account for, each a
    mismatch; one ``ok`` for a table whose every amount header is accounted for."""
    if table.kind not in FINANCIAL_KINDS:
        return
    name = table.number or table.title or table.kind
    printed: dict[str, tuple[RowRecord, CellRecord]] = {}  # each column's first printed figure, in one pass
    for row in table.rows:
        for cell in row.cells:
            if cell.value is not None:
                printed.setdefault(cell.column, (row, cell))
    first: Evidence | None = None
    failed = False
    for column in table.columns:
        if column.role != "amount" or column.path not in printed:
            continue
        evidence = _evidence(*printed[column.path], table.unit, file)
        first = first or evidence
        left = unexplained_parts(column.path)
        if left:
            failed = True
            yield CheckResult(HEADER_WORDS, Status.MISMATCH, f"{name}: {column.path}: {'、'.join(left)} not accounted for", (evidence,),
                              actual="、".join(left))
    if first is not None and not failed:
        yield CheckResult(HEADER_WORDS, Status.OK, f"{name}: every amount header accounted for", (first,))


def _item_rows(table: TableRecord, file: str | None) -> Iterator[CheckResult]:
    """Rows that each name an item (interpret gives them their item's component): in each column, the whole's row
    equals its parts' rows. Where the columns name the items, the rows name none and table.column_sum checks them."""
    for whole, parts in _ITEM_PARTS:
        by_column: dict[str, dict[str, list[tuple[RowRecord, CellRecord]]]] = {}
        for row in table.rows:
            for cell in row.cells:
                item = (cell.component or "").partition(".")[0]
                if cell.value is not None and item in (whole, *parts):
                    by_column.setdefault(cell.column, {}).setdefault(item, []).append((row, cell))
        for column, items in by_column.items():
            wholes = items.get(whole, [])
            found = [items[p][0] for p in parts if len(items.get(p, [])) == 1]
            if len(wholes) == 1 and len(found) == len(parts) and all(r is not wholes[0][0] for r, _ in found):
                yield _compare(ITEM_ROWS, table, wholes[0], found, f"{wholes[0][0].label} | {column}", file)


def _printed_or_zero(cell: CellRecord) -> Decimal:
    value = cell_value(cell)
    return Decimal(0) if value is None else value


def cell_value(cell: CellRecord) -> Decimal | None:
    return Decimal(cell.value) if cell.value is not None else None


def _cells(row: RowRecord) -> dict[str, CellRecord]:
    return {c.column: c for c in row.cells if c.value is not None}


def _evidence(row: RowRecord, cell: CellRecord, unit: str | None, file: str | None) -> Evidence:
    name = " ".join(p for p in (row.code, row.label) if p)
    return figure_evidence(f"{name} | {cell.column}", cell.value or "", unit, cell.page, cell.bbox, file, cell)


def _compare(rule: Rule, table: TableRecord, total: tuple[RowRecord, CellRecord], parts: Sequence[tuple[RowRecord, CellRecord]],
             what: str, file: str | None) -> CheckResult:
    # a printed 0.00 keeps its step (0.01): `or Decimal(0)` would make it 0, a step of 1, and the tolerance 100 times wider
    total_value = _printed_or_zero(total[1])
    values = [_printed_or_zero(c) for _, c in parts]
    status, difference, allowed = classify(total_value, values)
    evidence = (_evidence(*total, table.unit, file), *(_evidence(r, c, table.unit, file) for r, c in parts))
    title = table.number or table.title or table.kind
    message = f"{title}: {what}: {total_value} vs sum {sum(values, Decimal(0))} ({len(values)} parts)"
    return CheckResult(rule, status, message, evidence, expected=str(total_value), actual=str(sum(values, Decimal(0))),
                       difference=str(difference), tolerance=str(allowed))


def _hierarchies(table: TableRecord, file: str | None) -> Iterator[CheckResult]:
    rows = table.rows
    children: dict[int, list[int]] = {}
    for i, row in enumerate(rows):
        if row.parent_row is not None and (not row.subitem or _opens_list(row, rows)):
            children.setdefault(row.parent_row, []).append(i)
    for parent_index, kids in children.items():
        parent = rows[parent_index]
        # classification codes only (3/5/7 digits): a 6-digit unit code over its sub-units is not a sum
        coded = bool(parent.level) and all(rows[k].level for k in kids)
        # the department over its 预算单位 (西安: 204 科学技术局 over 204001, 204003 …) is their sum
        units = parent.budget_unit is None and all(rows[k].budget_unit for k in kids)
        if parent.code and not (coded or units):
            continue
        if not coded and not units and kind_info(table.kind).text_only:
            continue
        rule = CODE_HIERARCHY if coded else ROW_HIERARCHY
        # rows nested by indentation alone may be parts (一、 = 1 + 2) or a subset (行政经费 ⊃ 三公经费)
        numbered = coded or all(ordinal_rank(rows[k].label) is not None for k in kids)
        for column, cell in _cells(parent).items():
            parts = [(rows[k], _cells(rows[k])[column]) for k in kids if column in _cells(rows[k])]
            if not parts:
                continue
            result = _compare(rule, table, (parent, cell), parts, f"{parent.code or parent.label} = Σ children [{column}]", file)
            if not numbered and result.status is Status.MISMATCH and Decimal(result.difference or "0") < 0:
                result = replace(result, status=Status.INFO, message=result.message + "; the indented rows may be a part only")
            yield result


def _opens_list(row: RowRecord, rows: Sequence[RowRecord]) -> bool:
    """A 其中 row that opens a numbered list of its parent's parts (其中：（1）公务用车购置费 / （2）公务用车运行费)."""
    rank = listed_rank(row.label)
    return rank is not None and any(r is not row and r.parent_row == row.parent_row and ordinal_rank(r.label) == rank for r in rows)


def _total_rows(table: TableRecord, file: str | None) -> Iterator[CheckResult]:
    # sides under one top header (决算 公用经费 printed as two lists side by side) share one 合计 row
    group_of = {c.side: c.path.split("/")[0] for c in table.columns if c.role == "amount"}
    for group in dict.fromkeys(group_of.values()):  # in the table's order: a set's would change from run to run
        sides = {side for side, g in group_of.items() if g == group}
        rows = [r for r in table.rows if r.side in sides]
        top = [r for r in rows if r.code and r.parent is None and r.level == "类"]
        if not top and any(r.budget_unit for r in rows):
            top = [r for r in rows if r.code and r.parent is None and not r.level and not r.total]  # departments by 单位编码
        totals = [r for r in rows if r.total and not r.code and r.depth == 0]
        if not top or len(totals) != 1:
            continue
        total = totals[0]
        for column, cell in _cells(total).items():
            parts = [(r, _cells(r)[column]) for r in top if column in _cells(r)]
            if parts:
                yield _compare(TOTAL_ROW, table, (total, cell), parts, f"{total.label} = Σ 类 [{column}]", file)


def _column_groups(table: TableRecord) -> list[tuple[str, list[str]]]:
    """(total column, part columns) for every header group with a 合计/小计/总计 column."""
    amount = [c.path for c in table.columns if c.role == "amount"]
    groups = []
    parents = dict.fromkeys(tuple(p.split("/")[:-1]) for p in amount)  # in the table's order, the same every run
    for parent in parents:
        depth = len(parent)
        members = [p for p in amount if tuple(p.split("/")[:depth]) == parent and len(p.split("/")) > depth]
        heads: dict[str, list[str]] = {}
        for p in members:
            heads.setdefault(p.split("/")[depth], []).append(p)
        totals = [h for h, cols in heads.items() if TOTAL_ALONE.match(_plain(h)) and len(cols) == 1]
        if len(totals) != 1 or len(heads) < 3:
            continue
        parts: list[str] = []
        for head, cols in heads.items():
            if head == totals[0]:
                continue
            column = cols[0] if len(cols) == 1 else next(
                (c for c in cols if c.count("/") > depth and TOTAL_ALONE.match(_plain(c.split("/")[depth + 1]))), None,
            )
            if column is None:
                parts = []
                break
            parts.append(column)
        if parts:
            groups.append((heads[totals[0]][0], parts))
    return groups


def _is_of_which(column: str) -> bool:
    return column.split("/")[-1].startswith(OF_WHICH)


def _plain(text: str) -> str:
    return re.sub(r"[\s“”\"]", "", text)


def _column_sums(table: TableRecord, file: str | None) -> Iterator[CheckResult]:
    for total_column, part_columns in _column_groups(table):
        if all(_is_of_which(c) for c in part_columns):
            continue  # 其中 columns are parts of the total, not its addends (and may nest)
        for row in table.rows:
            cells = _cells(row)
            if total_column not in cells:
                continue
            parts = [(row, cells[c]) for c in part_columns if c in cells]
            result = _compare(COLUMN_SUM, table, (row, cells[total_column]), parts, f"{total_column} = Σ {', '.join(part_columns)}", file)
            if result.status is Status.MISMATCH:
                # a 其中 column is a part of another column, not an addend
                plain = [(r, c) for r, c in parts if not _is_of_which(c.column)]
                if len(plain) < len(parts):
                    alternative = _compare(COLUMN_SUM, table, (row, cells[total_column]), plain, f"{total_column} = Σ parts except 其中", file)
                    result = alternative if alternative.status is not Status.MISMATCH else result
            yield result


def _balance(table: TableRecord, file: str | None) -> Iterator[CheckResult]:
    income = _total_of(table, "收入")
    spending = _total_of(table, "支出")
    if income and spending:
        yield _compare(BALANCE, table, income, [spending], "收入总计 = 支出总计", file)


def _total_of(table: TableRecord, side_word: str) -> tuple[RowRecord, CellRecord] | None:
    for row in table.rows:
        label = row.label_normalised
        if label.endswith("总计") and (side_word in label or label == "总计"):
            cells = [c for c in row.cells if c.value is not None]
            side_cells = [c for c in cells if side_word in c.column] or cells
            if side_cells and (side_word in label or any(side_word in c.column for c in cells)):
                return row, side_cells[0]
    return None
