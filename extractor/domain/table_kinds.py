"""The standard disclosure tables: recognising a table's kind, number and unit from its printed title.

Titles vary by region and year (部门收支总表, 收支预算总表, 部门财务收支预算总表, 收入支出决算总表 …), so
a kind is recognised from the words a title contains, most specific first, never from a fixed list.

What each kind is (financial, two-sided, balanced, text-only, its classification, its colour …) is one row of
``data/table_kinds.csv``, read as a :class:`KindInfo` by every stage: adding a kind is one enum member and one row.
"""

from __future__ import annotations

import csv
import enum
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from extractor.domain.amounts import ascii_digits, normalise_digits
from extractor.domain.vocabulary import UNIT


class TableKind(enum.Enum):
    """The table vocabulary of ``TRUTH_FORMAT.md``, shared by budgets and final accounts."""

    SUMMARY = "summary"
    INCOME = "income"
    EXPENDITURE = "expenditure"
    FISCAL_SUMMARY = "fiscal_summary"
    FISCAL_EXPENDITURE = "fiscal_expenditure"
    GPB_EXPENDITURE = "gpb_expenditure"
    GPB_BASIC_EXPENDITURE = "gpb_basic_expenditure"
    GPB_PROJECT_EXPENDITURE = "gpb_project_expenditure"
    THREE_PUBLIC = "three_public"
    GOV_FUND_EXPENDITURE = "gov_fund_expenditure"
    SOC_EXPENDITURE = "soc_expenditure"
    PROJECT_PERFORMANCE = "project_performance"
    DEPT_PERFORMANCE = "dept_performance"
    OTHER = "other"

    @property
    def info(self) -> KindInfo:
        """What this kind is: its row of ``data/table_kinds.csv``."""
        return kind_info(self)


class Classification(enum.Enum):
    """The codes a table's rows carry in the standard templates."""

    FUNCTION = "function"  # 支出功能分类 类/款/项 (201, 20101, 2010101)
    ECONOMIC = "economic"  # 部门预算支出经济分类 (301, 30101) or 政府预算支出经济分类 (501)
    NONE = "none"  # rows named, not coded (收支总表, 三公经费表, 绩效目标表)


@dataclass(frozen=True)
class KindInfo:
    """What a table kind is, as every stage reads it (one row of ``data/table_kinds.csv``)."""

    kind: TableKind
    zh: str  # the kind's usual Chinese name (收支总表)
    # a table of a disclosure's set (the catalogue's 收支总表 … 绩效目标表, and regional ones: 财政拨款支出表, 项目支出表):
    # a file printing one is a disclosure; ``other`` is any table else (机关运行经费, 政府采购, 专户 …)
    budget_table: bool
    financial: bool  # its amount columns are mapped by the column model (measure, year, component)
    two_sided: bool  # income printed beside expenditure: a column's side says which of the two it is
    balanced: bool  # its 收入总计 equals its 支出总计
    text_only: bool  # it may hold texts rather than amounts: no amount is no sign of an empty table, indented rows no sum
    classification: Classification
    line_items: bool  # the narrative's 类/款/项 amounts are looked up in its coded rows, whose 科目 names are checked
    implies: frozenset[str]  # column-key words the kind says of every column (gpb and fiscal in a 一般公共预算支出表)
    colour: tuple[int, int, int]  # RGB, in the overlay and the report
    # one of the nine tables every 部门预算 and 部门决算 prints (the standard table catalogue's sets), or states empty
    required: bool = False
    stated_as: str = ""  # the words a narrative states it empty by (本部门无国有资本经营预算收支)


_FLAGS = {"yes": True, "no": False}


@cache
def _kind_infos() -> dict[str, KindInfo]:
    text = resources.files("extractor.domain").joinpath("data/table_kinds.csv").read_text(encoding="utf-8")
    infos: dict[str, KindInfo] = {}
    for row in csv.DictReader(text.splitlines()):
        kind = TableKind(row["kind"])
        colour = row["colour"]
        if kind.value in infos:
            raise ValueError(f"table_kinds.csv: {kind.value} listed twice")
        infos[kind.value] = KindInfo(
            kind=kind, zh=row["zh"], budget_table=_FLAGS[row["budget_table"]], financial=_FLAGS[row["financial"]],
            two_sided=_FLAGS[row["two_sided"]], balanced=_FLAGS[row["balanced"]], text_only=_FLAGS[row["text_only"]],
            classification=Classification(row["classification"]),
            line_items=_FLAGS[row["line_items"]], implies=frozenset(row["implies"].split()),
            colour=(int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)),
            required=_FLAGS[row["required"]], stated_as=row["stated_as"],
        )
    missing = [kind.value for kind in TableKind if kind.value not in infos]
    if missing:
        raise ValueError(f"table_kinds.csv: no row for {', '.join(missing)}")
    return infos


def kind_info(kind: TableKind | str) -> KindInfo:
    """What a table kind is, given as a :class:`TableKind` or as its value (``"summary"``, as records carry it)."""
    return _kind_infos()[kind if isinstance(kind, str) else kind.value]


def kinds_where(test: Callable[[KindInfo], bool]) -> frozenset[str]:
    """The values of the kinds whose description passes ``test`` (``kinds_where(lambda k: k.two_sided)``), as records carry them."""
    return frozenset(kind.value for kind in TableKind if test(kind.info))


_NUMBER = re.compile(
    r"(?:^|(?<=[\s:：（(]))(?P<number>(?:部门)?(?:预算|决算|公开)?(?:附)?表\s*(?:\d{1,3}|[一二三四五六七八九十]{1,3}(?!般))(?:\s*[-—－]\s*\d{1,2})?"
    r"|(?:预算|决算|公开)\d{1,2}(?:[-—－]\d{1,2})?表)(?!\d)"
)
_UNIT = re.compile(rf"(?:单位|金额)\s*(?:[:：]|[（(])\s*(?:人民币)?(?P<unit>{UNIT})")
# Every table title ends in it (_TITLE_END) and every table number prints it (_NUMBER): a text without it is neither
TABLE_MARK = "表"
_TITLE_END = re.compile(r"(?:表|目标表|情况表)(?:[（(][^）)]{1,20}[）)])?$")
_TITLE_WORDS = re.compile(r"收支|收入|支出|三公|预算|决算|拨款|绩效|经费|采购|资产|基金|资本|明细|会议费|培训费|评价|指标|目标")
_NOT_TITLE = re.compile(r"[。；;，,]|^注|^说明|单位[:：]|详见|见表|附件\d*[:：]?$")
_EMPTY = re.compile(
    r"空表|无数据|无发生额|无此项|未安排|没有(?:使用|安排)|无相关|不涉及|此表无|本表无|无.{0,12}(?:收入|支出|经费|预算|决算)(?:，|。|$)"
)
_MAX_TITLE = 60
_ECONOMIC = re.compile(r"经济(?:分类|科目)")
# printed after a title: the unit, a classification note after a dash, a continuation mark
_TITLE_TAIL = re.compile(r"(?:[（(](?:单位|金额单位)[:：][^）)]*[）)]|[—-]{1,2}按.*|[（(]续表?[）)]|续表)$")


@functools.lru_cache(maxsize=1 << 14)  # a line is asked several times (wrapped titles, captions, the page's foot)
def is_title(text: str) -> bool:
    """Whether a line outside any grid reads as a table title (``2026年部门收支总表``, ``表5 一般公共预算支出情况表（按功能分类科目）``,
    ``…支出表（单位：万元）``, ``…情况表——按经济分类科目``, ``…总表（续）``)."""
    compact = _TITLE_TAIL.sub("", normalise_digits(text))
    if not compact or len(compact) > _MAX_TITLE or _NOT_TITLE.search(compact):
        return False
    return bool(_TITLE_END.search(compact) and _TITLE_WORDS.search(compact))


def same_title(a: str | None, b: str | None) -> bool:
    """Whether two printed titles name the same table (a running head, or ``（续）`` / ``续表`` on a continuation)."""
    if not a or not b:
        return False
    return _core_title(a) == _core_title(b)


def _core_title(title: str) -> str:
    return _TITLE_TAIL.sub("", strip_number(title)).removeprefix("续表").replace("“", "").replace("”", "")


def table_number(text: str) -> str | None:
    """The printed table number (``表1``, ``表3-1``, ``预算01表``, ``公开表5``, ``表一``), if the text has one."""
    match = _NUMBER.search(_spaced(text))
    return re.sub(r"\s+", "", match.group("number")) if match else None


def _spaced(text: str) -> str:
    """Full-width digits mapped, runs of whitespace kept as one space (``表02 2026年…`` is 表02, not 表022)."""
    return re.sub(r"\s+", " ", ascii_digits(text)).strip()


def strip_number(title: str) -> str:
    """The title without a leading table number."""
    spaced = _spaced(title)
    match = _NUMBER.match(spaced)
    return normalise_digits(spaced[match.end():] if match else spaced).lstrip(":：、.")


def table_unit(text: str) -> str | None:
    """The unit a caption prints (``单位：万元``, ``金额单位：元``)."""
    match = _UNIT.search(normalise_digits(text))
    return match.group("unit") if match else None


def says_empty(text: str) -> bool:
    """Whether a note says the table has no data (``本表为空表``, ``故本表无数据``, ``本单位无此项支出``)."""
    return bool(_EMPTY.search(normalise_digits(text)))


def classify_title(title: str | None) -> TableKind:
    """The kind of a table from its title, most specific words first."""
    t = strip_number(title or "").replace("“", "").replace("”", "").replace('"', "")
    if not t:
        return TableKind.OTHER
    if "三公" in t:
        return TableKind.THREE_PUBLIC
    if "机关运行经费" in t:
        return TableKind.OTHER
    if "绩效" in t:
        if "整体" in t:
            return TableKind.DEPT_PERFORMANCE
        # a project's 绩效目标表 or its 绩效自评表 (the targets with what was achieved): both performance tables
        return TableKind.PROJECT_PERFORMANCE if re.search("目标|项目|自评", t) else TableKind.OTHER
    if "政府性基金" in t:
        return TableKind.GOV_FUND_EXPENDITURE if re.search("支出|收支", t) else TableKind.OTHER
    if "国有资本经营" in t:
        return TableKind.SOC_EXPENDITURE if re.search("支出|收支", t) else TableKind.OTHER
    if "专户" in t or ("一般公共预算" in t and re.search(r"收支|收入", t) and "三公" not in t):
        return TableKind.OTHER
    if "一般公共预算" in t and "支出" in t:
        return _gpb_kind(t)
    if "财政拨款" in t:
        return _fiscal_kind(t)
    if re.search(r"收支|收入支出|收入与支出", t):
        return TableKind.SUMMARY if "项目" not in t else TableKind.OTHER
    if "收入" in t and "支出" not in t:
        return TableKind.INCOME
    if "支出" in t and not re.search(r"基本支出|项目支出|采购|经费|专项|结转", t) and not _ECONOMIC.search(t):
        return TableKind.EXPENDITURE
    return TableKind.OTHER


def classify_header(header: str) -> TableKind:
    """The kind of an untitled table from its header words (a 绩效目标 grid under a section heading)."""
    if re.search(r"绩效(?:目标|指标)", header):
        return TableKind.DEPT_PERFORMANCE if "整体" in header else TableKind.PROJECT_PERFORMANCE
    return TableKind.OTHER


def _gpb_kind(t: str) -> TableKind:
    if "基本支出" in t:
        return TableKind.GPB_BASIC_EXPENDITURE
    if "项目支出" in t:
        return TableKind.GPB_PROJECT_EXPENDITURE
    if "收入" in t or "收支" in t or _ECONOMIC.search(t):
        return TableKind.OTHER
    return TableKind.GPB_EXPENDITURE


def _fiscal_kind(t: str) -> TableKind:
    if re.search(r"收支|收入支出|收入与支出", t):
        return TableKind.FISCAL_SUMMARY
    if "支出" in t and not re.search(r"基本支出|项目支出|结转", t):
        return TableKind.FISCAL_EXPENDITURE
    return TableKind.OTHER
