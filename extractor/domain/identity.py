"""Who published the disclosure, for which year, and what kind of report it is.

Read from the title page (the lines before the table of contents), from labels such as
``预算主管部门：``/``部门名称`` on table pages, and as a last resort from the running text.
"""

from __future__ import annotations

import enum
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.domain.labels import normalise_text
from extractor.domain.vocabulary import YEAR, YEAR_NAMED
from extractor.model import Page


class ReportKind(enum.Enum):
    BUDGET = "budget"
    FINAL_ACCOUNTS = "final_accounts"


class DocumentType(enum.Enum):
    DISCLOSURE = "disclosure"
    LISTING = "listing"  # a page of links to disclosures, or one that shows a disclosure only as attachments or pictures
    PORTAL = "portal"  # a portal or news page
    NOTICE = "notice"
    PERFORMANCE_EVALUATION = "performance_evaluation"
    TEMPLATE = "template"
    OTHER = "other"


@dataclass(frozen=True)
class Evidence:
    """The printed text a field was read from."""

    quote: str
    page: int


@dataclass(frozen=True)
class Identity:
    department: str | None
    region: str | None
    government_level: str | None
    fiscal_year: int | None
    report_kind: ReportKind | None
    entity: str | None  # 部门 (department) or 单位 (unit)
    scope: str | None  # 本级 (own) or 汇总 (consolidated)
    unit: str | None
    document_type: DocumentType
    title: str | None
    evidence: dict[str, Evidence]


_KIND = re.compile(r"(?:区级|市级|省级|县级)?(?:部门|单位)?(?:预算|决算)")
_DROP_LINE = re.compile(
    rf"^(?:[-－—\s\d.·]*|.*(?:初审|复审|终审|审核人|联系人|联系电话|印制).*|{YEAR}年\d{{1,2}}月(?:\d{{1,2}}日)?|"
    r"[〇零一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,3}月.*)$"
)
_TOC = re.compile(r"^目录")
_BODY_START = re.compile(
    r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）]|公开表|预算\d+表|表[一二三四五六七八九十\d]"
    r"|项目名称)"  # the first row of a project's form (绩效目标表, 绩效自评表) under its title
)
_LABEL = re.compile(
    r"(?:预算主管部门|主管部门|预算单位|部门名称|单位名称|编制部门|编制单位|部门)\s*[:：]\s*"
    r"(?P<name>[\u4e00-\u9fa5（）()]{3,40}?)(?=\s|单位[:：]|金额单位|$)"
)
_NOT_DISCLOSURE = (
    (DocumentType.PERFORMANCE_EVALUATION, re.compile(r"绩效评价|评价结果|评价报告|自评报告")),
    (DocumentType.NOTICE, re.compile(r"通知$|^关于.*的(?:通知|批复|函)")),
)
_OFFICIAL_NUMBER = re.compile(rf"[\u4e00-\u9fa5]{{1,8}}[〔\[［(（]{YEAR}[〕\]］)）]\d{{1,4}}号")
_OFFICIAL_TITLE = re.compile(r"关于.{2,80}?的(?:通知|通报|批复|函|决定|意见|公告|通告)")
_DISCLOSURE = re.compile(
    r"(?:部门|单位)(?:综合)?(?:预算|决算)|绩效目标表|绩效自评表|预算公开|决算公开|收支(?:预算|决算)?总表|收入支出决算总表|(?:收入|支出)(?:预算|决算)总?表|预算\d+表"
)
_PLACEHOLDER = re.compile(r"X{2,}|×{2,}")
_CENTRAL = re.compile(r"^(?:国家|中央|国务院|全国|中国(?!共产党))")
_PROVINCE = re.compile(r"^[\u4e00-\u9fa5]{2,6}?(?:省|自治区|市)")
_SUBREGION = re.compile(r"^[\u4e00-\u9fa5]{1,5}?(?:市|区|县|旗)")
_NOT_PLACE = {"城市", "社区", "园区", "街区", "城区", "市区", "地区", "辖区", "片区"}
_MUNICIPALITIES = {"北京市", "上海市", "天津市", "重庆市"}


def title_lines(pages: Sequence[Page]) -> list[tuple[str, int]]:
    """The lines of the title page that can hold the title, with their page numbers."""
    for page in pages[:3]:
        lines = []
        for line in page.lines[:12]:
            text = normalise_text(line.text).lstrip(".。·")
            if _TOC.match(text) or _BODY_START.match(text) or len(text) > 40 or len(re.findall(r"\d[\d,]*\.\d", text)) >= 2:
                break
            text = _LABEL.split(text)[0] if _LABEL.search(text) else text
            if text and not _DROP_LINE.match(text):
                lines.append((text, page.number))
        if lines:
            return lines[:6]
    return []


# a project form's field: 主管部门 [292] 国家信访局 (the department's budget code in brackets, no colon)
_CODED_FIELD = re.compile(r"(?:预算主管部门|主管部门)\s*[\[［【]\d{2,9}[\]］】]\s*(?P<name>[\u4e00-\u9fa5（）()]{3,40}?)(?=\s|$)")
_NAME_FIELD = re.compile(r"(?:部门名称|单位名称)\s*[:：]?\s*(?P<name>[\u4e00-\u9fa5（）()]{4,40}?)(?=\s|$)")


def _labelled_department(pages: Sequence[Page], *, head: int | None = 8) -> tuple[str, Evidence] | None:
    for page in pages:
        for line in page.lines[:head]:
            match = _LABEL.search(line.text) or _CODED_FIELD.search(line.text) or (None if head else _NAME_FIELD.search(line.text))
            if match:
                name = normalise_text(match["name"])
                if len(name) >= 4:
                    return name, Evidence(normalise_text(line.text), page.number)
    return None


# a heading inside the document that names it: 附件：北京市人民政府办公厅 2026 年度部门预算报表, or a part's
# heading (第二部分 上海市普陀区规划和自然资源局 2024 年度部门决算表)
_SELF_NAMED = re.compile(r"^(?:附件\s*\d*\s*[:：]\s*)?(?:第[一二三四五六七八九十]+部分\s*)?(?P<name>[\u4e00-\u9fa5（）()]{4,40}?)\s*"
                         rf"{YEAR}\s*年度?\s*(?:部门|单位)?(?:综合)?(?:预算|决算)")


def _self_named_department(pages: Sequence[Page]) -> tuple[str, Evidence] | None:
    """For a document without a title page: a heading further in that names it, such as the 附件 line over the tables.
    Only a name that starts with a place counts (第一部分 2026 年度部门预算情况说明 names no one)."""
    for page in pages:
        for line in page.lines:
            text = normalise_text(line.text)
            match = _SELF_NAMED.match(text)
            if match and region_of(match["name"])[0]:
                return match["name"], Evidence(text, page.number)
    return None


def _title_department(title: str) -> str | None:
    no_year = YEAR_NAMED.sub("", title)
    match = _KIND.search(no_year)
    name = no_year[: match.start()] if match else no_year
    name = re.sub(r"^[^\u4e00-\u9fa5]+|[^\u4e00-\u9fa5）)]+$", "", name)
    return name if len(name) >= 4 else None


_SCOPE_MARK = re.compile(r"[（(](?:本级|汇总|部门汇总|单位汇总|本部|含下属单位)[)）]$|(?:本级|汇总)$|"
                         r"及(?:其)?(?:委属|局属|所属|直属|下属)(?:预算)?单位$")
_WITH_UNITS = re.compile(r"及(?:其)?(?:委属|局属|所属|直属|下属)(?:预算)?单位|含下属单位")
_NOT_NAME = re.compile(r"(?:部门综合|部门汇总|部门|单位)$|(?<=局)属$")


def _bare_name(department: str | None) -> str | None:
    """The name without the words that say what the document covers: （本级）/（汇总） go to ``scope``; 部门, 部门综合
    and the 属 of 局属 describe the document, not the department (北京市统计局部门 -> 北京市统计局)."""
    if not department:
        return department
    name = _NOT_NAME.sub("", _SCOPE_MARK.sub("", department))
    return name if len(name) >= 4 else department


def region_of(department: str | None) -> tuple[str | None, str | None]:
    """Region and government level from a department name: ``上海市普陀区财政局`` -> (上海市普陀区, district)."""
    if not department:
        return None, None
    name = re.sub(r"^(?:中共|中国共产党)", "", department)
    if _CENTRAL.match(name):
        return "中央", "central"
    first = _PROVINCE.match(name)
    if not first:
        return None, None
    region = first.group()
    level = "provincial" if region.endswith(("省", "自治区")) or region in _MUNICIPALITIES else "prefecture"
    second = _SUBREGION.match(name[len(region):])
    if second and second.group()[-2:] not in _NOT_PLACE and len(name) > len(region) + len(second.group()):
        region += second.group()
        level = "prefecture" if second.group().endswith("市") and level == "provincial" and region[:3] not in _MUNICIPALITIES else "county"
    return region, level


def _year(title: str, pages: Sequence[Page]) -> tuple[int | None, Evidence | None]:
    match = YEAR_NAMED.search(title)
    if match:
        return int(match.group(1)), None
    counts: Counter[int] = Counter()
    first_seen: dict[int, Evidence] = {}
    for page in pages:
        for line in page.lines:
            for m in YEAR_NAMED.finditer(normalise_text(line.text)):
                year = int(m.group(1))
                counts[year] += 1
                first_seen.setdefault(year, Evidence(normalise_text(line.text)[:80], page.number))
    if not counts:
        return None, None
    year = counts.most_common(1)[0][0]
    return year, first_seen[year]


def _report_kind(title: str, pages: Sequence[Page]) -> ReportKind | None:
    if "绩效自评" in title and not re.search("预算|决算", title):
        return ReportKind.FINAL_ACCOUNTS  # a volume of 绩效自评表 reports on a year's final account (its forms print 预算数)
    for text in [title] + [normalise_text(p.text) for p in pages[:5]]:
        budget, final = text.count("预算"), text.count("决算")
        if "决算" in text and (final >= budget or "决算" in title):
            return ReportKind.FINAL_ACCOUNTS
        if budget:
            return ReportKind.BUDGET
    # a volume of 绩效目标表 sets the targets of a budget
    return ReportKind.BUDGET if "绩效目标" in title else None


def _default_unit(pages: Sequence[Page]) -> str | None:
    counts: Counter[str] = Counter()
    for page in pages:
        for m in re.finditer(r"单位\s*[:：]\s*(万元|元|千元|亿元)", page.text):
            counts[m.group(1)] += 1
    if counts:
        return counts.most_common(1)[0][0]
    text = "".join(p.text for p in pages[:20])
    return "万元" if "万元" in text else ("元" if re.search(r"\d元", text) else None)


def _document_type(title: str, pages: Sequence[Page]) -> DocumentType:
    body = "".join(normalise_text(p.text) for p in pages[:10])
    if len(_PLACEHOLDER.findall(body)) >= 5:
        return DocumentType.TEMPLATE
    disclosure = _DISCLOSURE.search(title) or _DISCLOSURE.search(body[:3000])
    for kind, pattern in _NOT_DISCLOSURE:
        if pattern.search(title) and not _DISCLOSURE.search(title):
            return kind
    # an official document (公文) opens with its 文号 (杭政办函〔2025〕30号) or a "关于…的通知" heading
    lines = [pages[0].heading] if pages and pages[0].heading else [line.text for line in pages[0].lines[:14]] if pages else []
    head = re.sub(r"\s+", "", "".join(normalise_text(text) for text in lines))
    if (_OFFICIAL_NUMBER.search(head) or _OFFICIAL_TITLE.search(head)) and not _DISCLOSURE.search(title or head):
        return DocumentType.NOTICE
    return DocumentType.DISCLOSURE if disclosure else DocumentType.OTHER


def identify(pages: Sequence[Page]) -> Identity:
    """Read the document's identity from its pages."""
    # a web page names itself in its <title> and main heading; its first lines are often navigation
    lines = [(normalise_text(pages[0].heading), 1)] if pages and pages[0].heading else title_lines(pages)
    title = "".join(text for text, _ in lines)
    if not re.search(rf"{YEAR}年|预算|决算", title):
        title, lines = "", []  # a table header on the first page, not a title
    title_page = lines[0][1] if lines else 1
    evidence: dict[str, Evidence] = {}
    department = None
    # A label (预算主管部门：…, 部门名称 …) names the department more reliably than a title.
    labelled = _labelled_department(pages[:3])
    if labelled:
        department, evidence["department"] = labelled
    if department is None and title:
        department = _title_department(title)
        if department:
            evidence["department"] = Evidence(title, title_page)
    if department is None:
        labelled = _labelled_department(pages, head=None) or _self_named_department(pages)
        if labelled:
            department, evidence["department"] = labelled
    year, year_evidence = _year(title, pages)
    if year is not None:
        evidence["fiscal_year"] = year_evidence or Evidence(title, title_page)
    kind = _report_kind(title, pages)
    if kind is not None and title:
        evidence["report_kind"] = Evidence(title, title_page)
    named = department or title
    scope = "本级" if "本级" in named else ("汇总" if "汇总" in named or _WITH_UNITS.search(named) else None)
    department = _bare_name(department)
    region, level = region_of(department)
    if region is None:
        region, level = region_of(YEAR_NAMED.split(title)[0] if title else None)
    doc_type = _document_type(title, pages)
    return Identity(
        department=department,
        region=region,
        government_level=level,
        fiscal_year=year,
        report_kind=kind,
        entity="单位" if re.search(r"单位(?:预算|决算)", title) else ("部门" if title or department else None),
        scope=scope,
        unit=_default_unit(pages),
        document_type=doc_type,
        title=title or None,
        evidence=evidence,
    )
