"""Canonical column keys beside the printed header paths, so columns line up across documents.

``本年支出/基本支出/人员经费`` -> ``expenditure.basic.personnel``; parts the vocabulary does not know
(years, ``功能分类``) are left out of the key but kept in the printed path.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from importlib import resources
from types import MappingProxyType

from extractor.domain.labels import normalise_label
from extractor.domain.table_kinds import TableKind, kind_info
from extractor.domain.vocabulary import OF_WHICH, TOTAL_COLUMN, YEAR, YEAR_NAMED

_PARTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^(?:本年)?收入$|^收入预算$", "income"),
        (r"^(?:本年)?支出$|^支出预算$", "expenditure"),
        (TOTAL_COLUMN.pattern, "total"),
        (r"^基本支出", "basic"),
        (r"^人员经费|^工资福利支出$", "personnel"),
        (r"^公用经费|^商品和服务支出$", "public"),
        (r"^项目支出", "project"),
        (r"上缴上级", "remit"),
        (r"经营支出", "business"),
        (r"附属单位", "affiliates"),
        (rf"^(?:预算数?|金额|决算数?|预算金额|本年预算数?|{YEAR}年预算数?)$", "amount"),
        (r"年初预算", "budget"),
        (r"因公出国", "abroad"),
        (r"公务接待", "reception"),
        (r"公务用车购置及运行|^公务用车$", "vehicle"),
        (r"^(?:公务用车)?购置费?$", "purchase"),
        (r"^(?:公务用车)?运行(?:维护|（维护）)?费$", "operation"),
        (r"机关运行经费", "admin_operating"),
        (r"会议费", "meetings"),
        (r"培训费", "training"),
        (r"一般公共预算", "gpb"),
        (r"政府性基金", "gov_fund"),
        (r"国有资本经营", "soc"),
        (r"财政拨款", "fiscal"),
        (r"上年结转|结转结余", "carryover"),
        (r"事业收入", "service_income"),
        (r"其他收入", "other_income"),
        (r"三公", "three_public"),
        (r"功能分类|科目名称|项目名称|^项目$", "label"),
    )
)


def column_key(path: str) -> str:
    """The canonical key of a printed header path (``/``-separated)."""
    keys: list[str] = []
    for part in path.split("/"):
        label = normalise_label(part).replace("“", "").replace("”", "")
        for pattern, key in _PARTS:
            if pattern.search(label):
                if not keys or keys[-1] != key:
                    keys.append(key)
                break
    return ".".join(keys)


# ----- the column model: what an amount column holds (measure), for which fiscal year (year), of what (component) -----

# the kinds whose amount columns the model must map (the 绩效目标表 kinds hold targets and texts); kept by this name
# for the modules that import it
FINANCIAL_KINDS = frozenset(kind.value for kind in TableKind if kind.info.financial)
_CHANGES = frozenset({"change", "change_pct", "completion_pct", "share_pct"})


@dataclass(frozen=True)
class ColumnMeaning:
    """An amount column's place in the model, or ``status='unmapped'`` when its header says nothing the vocabulary knows."""

    measure: str | None
    year: int | None
    component: str | None
    status: str  # mapped / unmapped


@dataclass(frozen=True)
class _Term:
    cls: str
    term: str
    pattern: re.Pattern[str]
    parent: str  # the item this one is a part of (公务用车购置费 of 公务用车购置及运行费), or ""
    facts: frozenset[str]  # the keys of the narrative figures that name this term (three_public_total for three_public)


@cache
def _terms() -> tuple[_Term, ...]:
    text = resources.files("extractor.domain").joinpath("data/column_terms.csv").read_text(encoding="utf-8")
    return tuple(
        _Term(row["class"], row["term"], re.compile(row["pattern"]), row["parent"],
              frozenset(key.strip() for key in row["facts"].split(";") if key.strip()))
        for row in csv.DictReader(text.splitlines())
    )


def _parent(item: str) -> str:
    return next((t.parent for t in _terms() if t.term == item), "")


# the items of the 三公 family: a 三公 table printed one item per row (行政经费, “三公”经费, 其中：（一）因公出国（境）
# 支出, （二）公务用车购置及运行维护支出, 1.公务用车购置费 …) names in each row what its cells are
_THREE_PUBLIC_FAMILY = "three_public"


def row_item(label: str) -> str | None:
    """The item a row label of a 三公 table names, by the column vocabulary's item words (``abroad``, ``vehicle``,
    ``vehicle_purchase``, ``reception``, ``three_public``, ``admin_expense``); None for a label naming no item (合计,
    a funding word), so the row keeps its columns' meaning."""
    item = _part_terms(_plain_part(label)).get("item")
    return item if item is not None and (item in (_THREE_PUBLIC_FAMILY, "admin_expense") or _in_family(item)) else None


def _in_family(item: str) -> bool:
    return item_within(item, _THREE_PUBLIC_FAMILY)


def item_within(item: str, whole: str) -> bool:
    """Whether an item is a part, or a part of a part, of another in the vocabulary (vehicle_purchase of vehicle and
    of three_public)."""
    while item:
        item = _parent(item)
        if item == whole:
            return True
    return False


def row_items(kind: str, labels: Sequence[str | None], column_components: Iterable[str | None]) -> list[str | None]:
    """The item each row names in a 三公 table printed one item per row (行政经费, “三公”经费, 其中：（一）因公出国（境）
    支出 …, under 合计 / 一般公共预算 / … columns): there the rows, not the columns, say what a figure is. ``labels``:
    each row's, None for a total row. A table whose columns name the items (因公出国（境）费 | 公务接待费 …), or with
    fewer than two rows naming one, keeps its columns' meaning: None for every row."""
    none: list[str | None] = [None] * len(labels)
    if kind != TableKind.THREE_PUBLIC.value:
        return none
    if {c.partition(".")[0] for c in column_components if c} - {_THREE_PUBLIC_FAMILY, "total"}:
        return none
    items = [row_item(label) if label is not None else None for label in labels]
    return items if sum(1 for item in items if item) >= 2 else none


def row_component(item: str, column_component: str | None) -> str | None:
    """A cell's component in a 三公 table of one item per row: the row's item with the funding its column adds
    (``abroad`` in the 一般公共预算 column is ``abroad.gpb``); the column's own when it names an item of its own."""
    if not column_component:
        return column_component
    head, _, funding = column_component.partition(".")
    if head != _THREE_PUBLIC_FAMILY:
        return column_component
    return f"{item}.{funding}" if funding else item


# ----- a figure's subject (what it is) and funding (which funds pay it), split from its component -----

_FUNDING_CLASS = "source"
ALL_FUNDS = "all"  # the column names no funding: the figure is of every fund the table covers


@dataclass(frozen=True)
class SubjectFunding:
    """What a figure is, its subject (``three_public``, ``basic.personnel``, ``income.carryover``; ``total`` for a
    column naming nothing more), and which funds pay it (``gpb``, ``gov_fund``, ``fiscal`` …; ``all`` where neither
    the column, the title nor the table's kind names any)."""

    subject: str
    funding: str


def subject_and_funding(component: str | None, kind: str, title: str | None = None) -> SubjectFunding | None:
    """A column component split into its subject and its funding: ``three_public.gpb`` is (three_public, gpb),
    ``carryover.gpb`` (carryover, gpb), ``gov_fund`` (total, gov_fund). A column naming no funding has the one its
    table's title names (一般公共预算“三公”经费支出表: gpb), else the one its kind implies (the narrowest: gpb in a
    一般公共预算支出表, fiscal in a 三公 table), else ``all``."""
    if not component:
        return None
    sources = {t.term for t in _terms() if t.cls == _FUNDING_CLASS}
    parts = component.split(".")
    funding = next((p for p in reversed(parts) if p in sources), None)
    rest = [p for p in parts if p != funding] if funding else parts
    if funding is None:
        funding = _part_terms(_plain_part(title or "")).get(_FUNDING_CLASS)
    if funding is None:
        implied = kind_info(kind).implies & sources
        broader = {_parent(source) for source in implied}
        funding = next(iter(sorted(implied - broader)), None)
    return SubjectFunding(".".join(rest) or "total", funding or ALL_FUNDS)


def fact_subject_and_funding(key: str, scope: str | None) -> SubjectFunding:
    """A narrative figure's subject and funding by the vocabulary's ``facts`` column (three_public_total is the subject
    three_public; fiscal_income_total is income paid by fiscal funds) and the scope its sentence states (基本支出 of
    the 一般公共预算: funding gpb); a key the vocabulary does not name is its own subject."""
    subject = funding = None
    for term in _terms():
        if key in term.facts:
            if term.cls == _FUNDING_CLASS:
                funding = funding or term.term
            else:
                subject = subject or term.term
    if scope and scope != "department":
        funding = scope
    return SubjectFunding(subject or key, funding or ALL_FUNDS)


def item_parent(item: str) -> str:
    """The item one item is a part of in the vocabulary (vehicle_purchase of vehicle, abroad of three_public), or ""."""
    return _parent(item)


_CLASSIFICATION_WORDS = {"by_function": "function", "by_economic": "economic", "by_economic_gov": "economic_gov"}


def classification_named(text: str | None) -> str | None:
    """The classification a title or header names (按功能科目分, 经济分类, 政府预算支出经济分类), by the vocabulary's
    qualifier words; None when it names none."""
    qualifier = _part_terms(normalise_label(text or "")).get("qualifier")
    return _CLASSIFICATION_WORDS.get(qualifier or "")


_STRUCTURAL = re.compile(rf"^(?:{OF_WHICH}|{YEAR}年?(?:度)?)$")


def unexplained_parts(path: str) -> list[str]:
    """The parts of an amount column's header path that no word of the vocabulary, no year and no structural word
    (其中) accounts for: a fragment such as 一般公 / 共预算拨款安 means the header was cut apart wrong."""
    parts = [_plain_part(p) for p in path.split("/")]
    return [p for p in parts if p and not _STRUCTURAL.match(p) and not _part_terms(p)]


def _plain_part(text: str) -> str:
    """A header part or row label as the vocabulary reads it: normalised, without quotation marks (“三公”经费)."""
    return normalise_label(text).replace("“", "").replace("”", "").replace('"', "")


@functools.lru_cache(maxsize=1 << 14)  # a table's header parts and row labels repeat from page to page and table to table
def _part_terms(part: str) -> Mapping[str, str]:
    """The first term of each class that a header part names (read-only: the answer is shared)."""
    found: dict[str, str] = {}
    for term in _terms():
        if term.cls not in found and term.pattern.search(part):
            found[term.cls] = term.term
    return MappingProxyType(found)


def column_meaning(path: str, kind: str, side: int, fiscal_year: int | None, final_accounts: bool, *, keep_implied: bool = False,
                   with_weak: bool = False, with_side: bool = False, subtotal_of: str | None = None,
                   whole: str | None = None) -> ColumnMeaning:
    """Measure, year and component of an amount column from its printed header path, the table's kind and side, and
    the document's year and kind: ``2025年预算数/公务接待费`` in a 2026 budget's 三公 table is (prior_budget, 2025,
    reception); ``上年结转结余/一般公共预算`` in an income table is (budget, 2026, carryover.gpb)."""
    parts = [_plain_part(p) for p in path.split("/")]
    measure = period = side_word = weak = item = source = None
    qualifiers: list[str] = []
    years: list[int] = []
    recognised = False
    info = kind_info(kind)
    # what a table's kind already says of every column, so a header that repeats it adds nothing
    implied = frozenset() if keep_implied else info.implies
    previous_item = None  # the item the part before names, if it names one
    for part in parts:
        years += [int(y) for y in YEAR_NAMED.findall(part)]
        found = _part_terms(part)
        recognised = recognised or bool(found) or bool(YEAR_NAMED.search(part))
        if measure not in _CHANGES:  # 增减变化情况/…经费预算/小计: the change of a budget, not the budget
            measure = found.get("measure", measure)
        period = found.get("period", period)
        side_word = side_word or found.get("side")
        weak = weak or found.get("weak")
        qualifier = found.get("qualifier")
        if qualifier and qualifier not in qualifiers:
            qualifiers.append(qualifier)
        if found.get("item") and found["item"] not in implied:
            # a part that names its parent's item again is the rest of it (因公出国(境)费/因公出国(境)费 beside 科研因公出国)
            repeated = found["item"] == item == previous_item and "total" not in found
            item = f"{item}.rest" if repeated else found["item"]
        if found.get("source") and found["source"] not in implied:
            source = found["source"]
        previous_item = found.get("item")
    if not recognised:
        return ColumnMeaning(None, None, None, "unmapped")
    item = item or subtotal_of or whole
    if info.two_sided:
        qualifiers.insert(0, side_word or ("income" if side == 0 else "expenditure"))
    elif with_side and side_word and side_word != ("income" if kind == TableKind.INCOME.value else "expenditure"):
        qualifiers.insert(0, side_word)  # 本年收入 beside 本年支出/小计 in one 收入支出决算表
    named = qualifiers + [t for t in (item, source) if t]
    component = ".".join(named + ([weak] if with_weak and weak else [])) or "total"
    year, measure = _year_and_measure(measure, period, years, fiscal_year, final_accounts)
    return ColumnMeaning(measure, year, component, "mapped")


@dataclass(frozen=True)
class RowPeriod:
    """What a row label states of its figures' measure and year when it states nothing else: ``2025年``,
    ``2026年预算数``, ``增减变化金额``, ``决算数`` (the rows of a 三公 table printed one year or measure per row)."""

    measure: str | None
    period: str | None
    years: tuple[int, ...]


_ROW_ONLY_PERIOD = frozenset({"measure", "period", "total"})  # 预算数 / 决算数 are also words of a total column
_PERIOD_FILLER = re.compile(r"^(?:数|金额|数额|额|情况|的)*$")  # what 预算数, 增减变化金额 add to a measure's word


@functools.lru_cache(maxsize=1 << 14)  # labels repeat across a document's tables, and every term is tried on each
def row_period(label: str | None) -> RowPeriod | None:
    """The measure, period and years a row label states, when the label is nothing but these (``2025年``,
    ``上年预算数``, ``增减变化金额``); None for a label naming an item, a source, a side or a qualifier, or nothing."""
    plain = _plain_part(label or "")
    if not plain:
        return None
    years = tuple(int(y) for y in YEAR_NAMED.findall(plain))
    rest = YEAR_NAMED.sub("", plain)
    found = _part_terms(rest) if rest else {}
    if set(found) - _ROW_ONLY_PERIOD or ("total" in found and "measure" not in found):
        return None
    for term in _terms():  # every word must be a measure's or a period's: not 应对气候变化管理事务, 预决算管理业务
        if term.cls in ("measure", "period"):
            rest = term.pattern.sub("", rest)
    if not _PERIOD_FILLER.match(rest) or not (years or found):
        return None
    return RowPeriod(found.get("measure"), found.get("period"), years)


def with_row_period(meaning: ColumnMeaning, period: RowPeriod, fiscal_year: int | None, final_accounts: bool) -> tuple[str | None, int | None]:
    """A cell's measure and year where its row states them (``2025年`` in a 2026 budget's 三公 table: prior_budget
    2025), the column giving what the row leaves out."""
    column_measure = meaning.measure
    if column_measure and column_measure.startswith("prior_"):
        column_measure = column_measure.removeprefix("prior_")
    measure = period.measure or column_measure
    years = list(period.years) or ([meaning.year] if meaning.year is not None and not period.period else [])
    year, measure = _year_and_measure(measure, period.period, years, fiscal_year, final_accounts)
    return measure, year


def _year_and_measure(measure: str | None, period: str | None, years: list[int], fiscal_year: int | None,
                      final_accounts: bool) -> tuple[int | None, str]:
    measure = measure or ("final" if final_accounts else "budget")
    if measure in _CHANGES:
        return (max(years) if years else fiscal_year), measure  # 2026年预算数比2025年执行数/增减额: the later year's change
    year = years[-1] if years else (fiscal_year - 1 if period == "prior" and fiscal_year else fiscal_year)
    if year is not None and fiscal_year is not None and year < fiscal_year:
        measure = {"budget": "prior_budget", "final": "prior_final", "adjusted_budget": "prior_budget"}.get(measure, measure)
    return year, measure


def table_meanings(columns: list[tuple[str, str, int]], kind: str, fiscal_year: int | None, final_accounts: bool) -> list[ColumnMeaning | None]:
    """The model for each column of a table (path, role, side); None for code, label, index and note columns.

    Within one side no two amount columns may share (measure, year, component); where the plain reading gives two
    the same, the table decides: a header printed once per group (合计 … 会议费 培训费 under 上年, 当年, 增减变化情况)
    takes its group by order, a word the table's kind implies is kept (合计 beside “三公”经费/小计), and a weak word
    (编制预算 beside 本年预算) is kept."""
    paths = [_grouped(columns, i) if role == "amount" else path for i, (path, role, _) in enumerate(columns)]
    meaning = partial(column_meaning, kind=kind, fiscal_year=fiscal_year, final_accounts=final_accounts)
    meanings: list[ColumnMeaning | None] = [
        meaning(path, side=side) if role == "amount" else None for path, (_, role, side) in zip(paths, columns, strict=True)
    ]
    if kind == TableKind.THREE_PUBLIC.value:
        if _beside_three_public(meanings):
            # 会议费, 培训费 or 机关运行经费 printed beside: the table is not only the 三公经费, so “三公”经费 names a column
            meaning = partial(meaning, keep_implied=True)
        else:
            # nothing beside the 三公 items: the table's total is the 三公经费, as “三公”经费/小计 is where 会议费 is beside
            meaning = partial(meaning, whole="three_public")
        meanings = [meaning(path, side=side) if role == "amount" else None for path, (_, role, side) in zip(paths, columns, strict=True)]
    for index in _colliding(meanings, columns):
        meanings[index] = meaning(paths[index], side=columns[index][2], keep_implied=True)
    for index in _colliding(meanings, columns):
        # a 小计 is the whole of the parts printed after it in its group (上年/小计, 上年/…/因公出国(境)费用, …/公务接待费)
        whole = _whole_of_parts(paths, columns, index)
        if whole:
            meanings[index] = meaning(paths[index], side=columns[index][2], subtotal_of=whole)
    for with_weak in (False, True):
        for index in _colliding(meanings, columns):
            meanings[index] = meaning(paths[index], side=columns[index][2], keep_implied=True, with_side=True, with_weak=with_weak)
    return meanings


_BESIDE_THREE_PUBLIC = frozenset({"meetings", "training", "admin_operating"})


def _beside_three_public(meanings: list[ColumnMeaning | None]) -> bool:
    return any(set(m.component.split(".")) & _BESIDE_THREE_PUBLIC for m in meanings if m is not None and m.component)


def _whole_of_parts(paths: list[str], columns: list[tuple[str, str, int]], index: int) -> str | None:
    """What a colliding 小计 is the whole of: the item its first part, printed next in its group, belongs to."""
    if not paths[index].endswith("小计") or index + 1 >= len(paths) or _part_terms(paths[index].split("/")[-1]).get("item"):
        return None
    following, (_, role, side) = paths[index + 1], columns[index + 1]
    if role != "amount" or side != columns[index][2] or following.split("/")[0] != paths[index].split("/")[0]:
        return None
    item = next((t for p in following.split("/") if (t := _part_terms(normalise_label(p)).get("item"))), None)
    return (_parent(item) or None) if item else None


def _colliding(meanings: list[ColumnMeaning | None], columns: list[tuple[str, str, int]]) -> list[int]:
    seen: dict[tuple[object, ...], list[int]] = {}
    for index, meaning in enumerate(meanings):
        if meaning is not None and meaning.status == "mapped":
            seen.setdefault((columns[index][2], meaning.measure, meaning.year, meaning.component), []).append(index)
    return [i for group in seen.values() if len(group) > 1 for i in group]


def _grouped(columns: list[tuple[str, str, int]], index: int) -> str:
    """A path printed once per column group without its group's header: the k-th of n alike takes the k-th of n groups."""
    path, _, side = columns[index]
    alike = [i for i, (p, role, s) in enumerate(columns) if p == path and role == "amount" and s == side]
    if len(alike) < 2 or "/" in path:
        return path
    groups: list[str] = []
    for p, role, s in columns:
        head = p.split("/")[0]
        if role == "amount" and s == side and "/" in p and head not in groups:
            groups.append(head)
    return f"{groups[alike.index(index)]}/{path}" if len(groups) == len(alike) else path
