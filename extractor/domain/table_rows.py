"""Table rows as data: codes in every printed form normalised, levels and parents, totals and 其中 rows.

Codes arrive split over 类/款/项 columns (``201 | 03 | 01``), glued to the name (``2010301行政运行``,
``2040602-一般行政管理事务``, ``[201]一般公共服务支出``), as 3+2 economic codes (``301 | 01``), or twice
(北京: ``50101-工资奖金津补贴 | 30101-基本工资``, where the 部门经济分类 code is the row's code).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from extractor.domain.amounts import ascii_digits
from extractor.domain.classifications import in_known_class, names_a_code
from extractor.domain.labels import normalise_label, normalise_text
from extractor.domain.regions import starts_with_region
from extractor.domain.vocabulary import OF_WHICH, TOTAL_ROW, YEAR

_GLUED = re.compile(r"^[［\[【(（]?(?P<code>[0-9]{3}|[0-9]{5}|[0-9]{7})[］\]】)）]?(?![0-9年月日%％.．])\s*[-－—_、.．:：]?\s*(?P<name>.*)$")
# a 预算单位 numbered in the budget system's list (106_北京市某某局, 204001-西安市科学技术局): the number, then the name
_NUMBERED = re.compile(r"^[［\[【(（]?(?P<number>[0-9]{3,9})[］\]】)）]?(?![0-9年月日号期%％.．])\s*[-－—_、.．:：]?\s*(?P<name>\S{2,})$")
_UNIT_NUMBER_LENGTHS = (3, 5, 6, 7, 9)  # a department's three digits, a unit's three more
_ORGANISATION = re.compile(r"(?:局|委|委员会|办|办公室|厅|署|院|所|中心|站|队|馆|学校|学院|小学|中学|幼儿园|医院|会|社|处|部|团"
                           r"|室|场|台|园|宫|科|股|司)(?:[(（]?本级[)）]?|机关)?$")
_PARTY = re.compile(r"^(?:中国共产党|中共|共青团|中国国民党革命委员会|中国民主同盟|中国民主建国会|中国民主促进会|中国农工民主党"
                    r"|中国致公党|九三学社|台湾民主自治同盟)")
_SPLIT_PARTS = {"类": 0, "款": 1, "项": 2}
_LEVELS = {3: "类", 5: "款", 7: "项"}


def code_level_name(code: str | None) -> str | None:
    """类/款/项 (or None) from a code's number of digits."""
    return _LEVELS.get(len(code)) if code else None


@dataclass(frozen=True)
class RowIdentity:
    """What a row is: its code(s), level, label as printed and normal form, and flags."""

    code: str | None
    code2: str | None
    level: str | None
    label: str
    label_normalised: str
    total: bool
    subitem: bool
    label2: str | None = None  # the name printed beside code2 (the 政府经济分类 name)
    unit: str | None = None  # the 预算单位 the row names with its number (106_某某局): not a classification line


def split_glued(text: str) -> tuple[str | None, str]:
    """``2010301行政运行`` -> (``2010301``, ``行政运行``); text without a leading code -> (None, text)."""
    compact = normalise_text(ascii_digits(text)).replace("［", "[").replace("］", "]")
    match = _GLUED.match(compact)
    if not match or not match.group("name"):
        return None, text.strip()
    return match.group("code"), match.group("name")


class CodeContext:
    """Remembers the last 类 and 款 of a table, to complete codes printed only in part."""

    def __init__(self) -> None:
        self.parts: list[str] = ["", "", ""]
        self._second: CodeContext | None = None

    @property
    def second(self) -> CodeContext:
        """The context of a second classification printed in the same rows (部门 and 政府 经济分类 side by side)."""
        if self._second is None:
            self._second = CodeContext()
        return self._second

    def join_split(self, cells: Sequence[tuple[str, str]]) -> str | None:
        """Join codes printed over 类/款/项 columns; a part left blank under a filled one comes from the row above."""
        parts = ["", "", ""]
        for header, text in cells:
            digits = re.sub(r"[^0-9]", "", text)
            leaf = header.rsplit("/", 1)[-1]
            if leaf in _SPLIT_PARTS and digits:
                index = _SPLIT_PARTS[leaf]
                parts[index] = digits.zfill(2) if index and len(digits) < 2 else digits
        if not any(parts):
            return None
        deepest = max(i for i, p in enumerate(parts) if p)
        for i in range(deepest):
            if not parts[i]:
                parts[i] = self.parts[i]
        self.parts = parts[: deepest + 1] + [""] * (2 - deepest)
        return "".join(parts[: deepest + 1]) or None

    def remember(self, code: str | None) -> None:
        if code and len(code) in _LEVELS:
            length = len(code)
            self.parts = [code[:3], code[3:5] if length >= 5 else "", code[5:7] if length >= 7 else ""]


def row_identity(codes: Sequence[tuple[str, str]], labels: Sequence[tuple[str, str]], context: CodeContext) -> RowIdentity:
    """The code, second code, level and label of a row from its code and label cells."""
    split = [c for c in codes if c[0].rsplit("/", 1)[-1] in _SPLIT_PARTS]
    code: str | None = None
    code2: str | None = None
    label = ""
    label2: str | None = None
    runs = _split_runs(split)
    if len(runs) == 2 and len(labels) == 2:
        # two classifications in one row (烟台: 类 | 款 | 部门经济分类名称 | 类 | 款 | 政府经济分类名称): the 部门 one is
        # the code and its name the label, the other code2
        first, second = context.join_split(runs[0]), context.second.join_split(runs[1])
        department = 1 if _is_department_economic(labels[1][0]) and not _is_department_economic(labels[0][0]) else 0
        code, code2 = (first, second) if department == 0 else (second, first)
        label2 = normalise_text(labels[1 - department][1]) or None
        split, labels = runs[department], [labels[department]]
    elif split:
        code = context.join_split(split)
    elif codes:
        # several code columns (西安: 部门经济科目编码 | 名称 | 政府经济科目编码 | 名称): the 部门经济 one is
        # the code, the other code2, and the label is the name beside the chosen code
        chosen = next((c for c in codes if _is_department_economic(c[0])), codes[0])
        code = re.sub(r"[^0-9]", "", split_glued(chosen[1])[0] or chosen[1]) or None
        others = [re.sub(r"[^0-9]", "", c[1]) for c in codes if c is not chosen]
        code2 = next((o for o in others if o), None)
        label = split_glued(chosen[1])[1] if split_glued(chosen[1])[0] else ""
        if not label and len(labels) > 1:
            paired = _paired_label(chosen[0], labels)
            label2 = normalise_text(" ".join(text for header, text in labels if (header, text) != paired)) or None if code2 else None
            labels = [paired]
    if not codes and len(labels) == 1 and (unit := numbered_unit(labels[0][1])):
        # as a 单位编码 column prints it (西安: 204001 | 西安市科学技术局): the number is the row's code, of no level
        return RowIdentity(code=unit[0], code2=None, level=None, label=unit[1], label_normalised=normalise_label(unit[1]),
                           total=False, subitem=False, unit=unit[1])
    glued = [(header, *split_glued(text)) for header, text in labels]
    with_codes = [g for g in glued if g[1]]
    if with_codes and not code:
        preferred = next((g for g in with_codes if _is_department_economic(g[0])), with_codes[-1])
        code, label = preferred[1], preferred[2]
        other = next((g for g in with_codes if g is not preferred), None)
        code2, label2 = (other[1], normalise_text(other[2]) or None) if other else (None, None)
    elif glued:
        label = label or "".join(g[2] for g in glued)
    if not split:
        context.remember(code)
    printed = normalise_text(label)
    # a 单位编码 (西安: 204 西安市科学技术局, 204001 …) names a unit, whatever 类 its digits would be
    unit_code = bool(codes) and all(_UNIT_CODE_COLUMN.search(header) for header, text in codes if text.strip())
    return RowIdentity(
        code=code, code2=code2, level=None if unit_code else code_level_name(code), label=printed,
        label_normalised=normalise_label(printed), total=bool(TOTAL_ROW.search(printed)) and not code,
        subitem=printed.startswith(OF_WHICH), label2=label2,
    )


def numbered_unit(text: str) -> tuple[str, str] | None:
    """(number, name) of a label that names a 预算单位 by its number in the budget system (``106_北京市某某局``,
    ``204001-西安市科学技术局``), or None.

    A unit's name begins with its place (西安市…) or a party's name or, outside the classifications' 类, ends with the
    word for an organisation (…局, …中心). Its number has 3, 5, 6, 7 or 9 digits (four or eight are a year or a date:
    2026-2028年…项目). A classification line stays one: a name the catalogue knows for some code (``2070104 图书馆``,
    ``2100302 乡镇卫生院``) or a total is never a unit.
    """
    match = _NUMBERED.match(normalise_text(ascii_digits(text)))
    if not match:
        return None
    number, name = match.group("number"), match.group("name")
    if len(number) not in _UNIT_NUMBER_LENGTHS or name[0].isdigit():
        return None  # 2026-2028年…项目: a year, not a number of the list
    if not re.search(r"[\u4e00-\u9fff]", name) or names_a_code(name) or TOTAL_ROW.search(name):
        return None
    if starts_with_region(name) or _PARTY.match(name) or (not in_known_class(number) and _ORGANISATION.search(name)):
        return number, name
    return None


def _split_runs(split: Sequence[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Split code columns grouped per classification: a new group at each 类 after the first."""
    runs: list[list[tuple[str, str]]] = []
    for cell in split:
        if not runs or (cell[0].rsplit("/", 1)[-1] == "类" and any(c[0].rsplit("/", 1)[-1] == "类" for c in runs[-1])):
            runs.append([])
        runs[-1].append(cell)
    return runs


def _is_department_economic(header: str) -> bool:
    return "部门" in header and "经济" in header


def _paired_label(code_header: str, labels: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The label column named like the code column (部门经济科目编码 -> 部门经济科目名称)."""

    def shared(header: str) -> int:
        return next((i for i, (a, b) in enumerate(zip(code_header, header, strict=False)) if a != b), min(len(code_header), len(header)))

    return max(labels, key=lambda item: shared(item[0]))


def parent_of(code: str | None, earlier: Sequence[str]) -> str | None:
    """The nearest earlier code of which ``code`` is a longer continuation (``2010301`` -> ``20103``)."""
    if not code:
        return None
    for other in reversed(earlier):
        if other != code and code.startswith(other):
            return other
    return None


_ORDINAL_RANKS = (
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[)）]"), 2),
    (re.compile(r"^\d+[、.．](?!\d)"), 3),
    (re.compile(r"^[（(]\d+[)）]"), 4),
    (re.compile(r"^[①-⑳]"), 5),
)
# indentation steps smaller than this (points) are the same level
_INDENT_STEP = 3.0


@dataclass(frozen=True)
class TreeRow:
    """What the row tree needs of a row."""

    side: int
    code: str | None
    label: str
    indent: float | None
    total: bool
    amounts: tuple[str, ...] = ()  # the printed cells, to know a row printed twice
    code2: str | None = None


_OF_WHICH = re.compile(rf"^{OF_WHICH}[:：]?")
# a code column of 单位编码 or 部门代码 (西安: 204 科学技术局, 204001 …; 无锡: 305 无锡市教育局, 305001 …): its codes name
# units, not 科目
_UNIT_CODE_COLUMN = re.compile(r"(?:单位|部门)(?:编码|代码|编号)$")
# a label column that names the 预算单位 a row belongs to (深圳: 预算单位 | 科目编码 | 科目名称, a block of rows per unit)
_UNIT_COLUMN = re.compile(r"^(?:二级)?(?:预算)?单位(?:名称)?$|^部门[(（]单位[)）]名称$|^部门名称$")
_PERIOD = re.compile(rf"{YEAR}年(?:预算数?|决算数?)?$|^增减变化(?:金额|额|数)?$")


def ordinal_rank(label: str) -> int | None:
    """Nesting rank of a printed ordinal: 一、 1, （一） 2, 1、 3, （1） 4, ① 5; None without one."""
    for pattern, rank in _ORDINAL_RANKS:
        if pattern.match(label):
            return rank
    return None


def listed_rank(label: str) -> int | None:
    """The ordinal rank of a 其中 row's first item (其中：（1）公务用车购置费 -> 4); None without one."""
    return ordinal_rank(_OF_WHICH.sub("", label))


def row_tree(rows: Sequence[TreeRow]) -> tuple[list[tuple[int, int | None]], list[str]]:
    """(depth, parent row index) of every row, per side; and a note on each reading chosen where the rows
    allow two.

    Coded rows nest by their codes (2010301 under 20103 under 201). Rows without a code nest by their
    printed ordinals (一、 > （一） > 1、 > （1））, 其中 rows under the row above, and where no ordinal is
    printed, by indentation. Totals (合计, 总计) stand at depth 0.
    """
    result: list[tuple[int, int | None]] = [(0, None)] * len(rows)
    notes: list[str] = []
    for side in {r.side for r in rows}:
        indices = [i for i, r in enumerate(rows) if r.side == side]
        levels = _indent_levels([rows[i] for i in indices])
        ordinals = any(ordinal_rank(rows[i].label) for i in indices)
        stack: list[tuple[tuple[int, float], int]] = []  # (sort key, row index)
        for i in indices:
            row = rows[i]
            if (row.total or _PERIOD.search(row.label)) and not row.code:
                # a total, or a row of one period of a block per unit (深圳: 某单位2025年 / 2026年 / 增减变化金额):
                # no row of such a block holds another
                result[i] = (0, None)
                stack = []
                continue
            above = rows[i - 1] if stack and stack[-1][1] == i - 1 else None
            if (above is not None and code_level_name(row.code) and row.amounts
                    and (row.code, row.code2, row.label, row.amounts) == (above.code, above.code2, above.label, above.amounts)):
                # the code, name and amounts of the row above printed again (无锡: 219 / 21999 其他支出 502.00 /
                # 21999 其他支出 502.00, the 项 printed with its 款's code): its only part, not a second 款
                result[i] = (len(stack), stack[-1][1])
                stack.append(((len(row.code or "") + 1, 0.0), i))
                level = code_level_name(row.code)
                notes.append(f"row {i} ({row.code} {row.label}) prints the row above again: read as its only part, not a second {level}")
                continue
            key = _nesting_key(row, levels, stack, ordinals)
            if row.code:
                # a code nests under the nearest row whose code it continues (3021101 差旅费 under 302 when
                # 30211 is not printed, not under the 30209 just above it)
                while stack and not _continues(row.code, rows[stack[-1][1]].code):
                    stack.pop()
            while stack and stack[-1][0] >= key:
                stack.pop()
            result[i] = (len(stack), stack[-1][1] if stack else None)
            stack.append((key, i))
    return result, notes


def _continues(code: str, other: str | None) -> bool:
    return other is None or (len(other) < len(code) and code.startswith(other))


def _indent_levels(rows: Sequence[TreeRow]) -> dict[float, int]:
    indents = sorted({r.indent for r in rows if r.indent is not None})
    steps: list[float] = []
    for indent in indents:
        if not steps or indent - steps[-1] >= _INDENT_STEP:
            steps.append(indent)
    return {indent: max(i for i, step in enumerate(steps) if step <= indent + 0.01) for indent in indents}


def _nesting_key(row: TreeRow, levels: dict[float, int], stack: list[tuple[tuple[int, float], int]], ordinals: bool) -> tuple[int, float]:
    if row.code:
        return (len(row.code), 0.0)
    if row.label.startswith(OF_WHICH) and stack:
        parent_key = stack[-1][0]
        listed = listed_rank(row.label)
        if listed is not None and (0, float(listed)) > parent_key:
            return (0, float(listed))  # 其中：（1）… opens a numbered list: （2） is its sibling, not its child
        return (parent_key[0], parent_key[1] + 0.5)
    rank = ordinal_rank(row.label)
    if rank is not None:
        return (0, float(rank))
    level = levels.get(row.indent, 0) if row.indent is not None else 0
    if ordinals and level == 0:
        return (0, 1.0)  # an unnumbered line at the margin of a numbered list (上年结转) is a sibling of 一、
    return (0, 10.0 + level)


def split_unit(labels: Sequence[tuple[str, str]]) -> tuple[str | None, list[tuple[str, str]]]:
    """The text of the row's 预算单位 column, and the label cells that name the row: the others where they print
    text (深圳's 三公 table: 预算单位 | 年度, the row is the year of its unit), the unit itself where they do not."""
    unit = next((text.strip() for header, text in labels if _UNIT_COLUMN.match(header) and text.strip()), None)
    rest = [(header, text) for header, text in labels if not _UNIT_COLUMN.match(header)]
    return unit, (rest if unit and any(text.strip() for _, text in rest) else list(labels))


@dataclass(frozen=True)
class UnitRow:
    """What the 预算单位 dimension needs of a row: its side, the unit it prints, whether it is a total, its first
    amount, and the row it nests under."""

    side: int
    printed: str | None
    total: bool
    amount: Decimal | None
    parent_row: int | None = None


def budget_units(rows: Sequence[UnitRow]) -> list[str | None]:
    """The 预算单位 each row belongs to, in a table that lists rows per unit.

    A unit printed once (a merged cell, or a row of its own above its rows) holds the rows below it until the
    next unit or a total. A unit row that is the sum of the units below it is the department's own aggregate,
    not a unit (深圳市建筑工务署 = （本级） + three 中心; 西安 204 科学技术局 over 204001 …): its rows stay the
    department's (None). So is a first block that is the sum of the blocks after it (深圳's 三公 table).
    """
    result: list[str | None] = [None] * len(rows)
    if not any(row.printed for row in rows):
        return result
    kids: dict[int, list[UnitRow]] = {}
    for row in rows:
        if row.parent_row is not None:
            kids.setdefault(row.parent_row, []).append(row)
    aggregates = {i for i, row in enumerate(rows) if _sums_its_units(row, kids.get(i, []))}
    current: str | None = None
    side: int | None = None
    for i, row in enumerate(rows):
        if row.side != side:
            current, side = None, row.side
        if row.total or i in aggregates:
            current = None
            continue
        current = row.printed or current
        result[i] = current
    heads: dict[str, int] = {}
    for i, unit in enumerate(result):
        if unit is not None:
            heads.setdefault(unit, i)
    if len(heads) >= 3 and not aggregates:
        (first, index), *others = heads.items()
        if rows[index].amount and _adds_up(rows[index].amount, [rows[j].amount for _, j in others]):
            result = [None if unit == first else unit for unit in result]
    return result


def _sums_its_units(row: UnitRow, kids: Sequence[UnitRow]) -> bool:
    return bool(row.printed and len(kids) >= 2 and all(k.printed for k in kids)) and _adds_up(row.amount, [k.amount for k in kids])


def _adds_up(total: Decimal | None, parts: Sequence[Decimal | None]) -> bool:
    if total is None or any(p is None for p in parts):
        return False
    difference = sum((p for p in parts if p is not None), Decimal(0)) - total
    return abs(difference) <= _step(total) * len(parts)


def _step(amount: Decimal) -> Decimal:
    """Half a unit of the last printed digit: what each rounded part may be off by."""
    exponent = amount.as_tuple().exponent
    return Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0) / 2
