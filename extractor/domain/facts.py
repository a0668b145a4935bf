"""Figures the narrative states (总预算, 三公经费, 机关运行经费, 政府采购 …), found in running text.

Every amount followed by its unit is a candidate. The text between the previous amount and this one
(the *lead*) says what it is: the key phrase closest to the number names the figure; a comparison
(比2025年…, 较上年…) makes it the prior year's figure, a verb right before it (增加, 减少) the change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from extractor.domain.amounts import parse_amount
from extractor.domain.vocabulary import UNIT, YEAR, YEAR_NAMED

# a number, spaces allowed around its separators and before its unit ("1 , 066.60 万元", "12.34 万元"), never
# inside a run of digits (so "2026 12.34" stays two numbers); not a rate (1920元/人/月)
_AMOUNT = re.compile(
    r"(?<![\d.,])(?P<num>\d{1,3}(?:\s?,\s?\d{3})+(?:\s?\.\s?\d+)?|\d+(?:\s?\.\s?\d+)?)\s*"
    rf"(?P<unit>{UNIT}|万(?![人平])|个|辆|台)(?!\s*[/／])"
)
_COUNT_UNITS = {"个", "辆", "台"}
_NEAR = 120
_NEAR_CONTEXT = {"personnel_expenditure"}  # "…基本支出70,724.29万元，其中：\n人员支出58,486.35万元": the line above says it

# (key, pattern, rank, context): rank orders alternatives for one key (0 = best); context, when
# given, must occur in the sentence (for the keys of _NEAR_CONTEXT: or just before it, within _NEAR characters).
_RULES: tuple[tuple[str, str, int, str | None], ...] = (
    ("three_public_vehicle_total", r"公务用?车(?:辆)?购置(?:及|和)运行(?:维护|维修)?费?", 0, None),
    ("three_public_vehicle_purchase", r"(?:公务用?车|车辆)购置费?", 0, None),
    ("three_public_vehicle_operation", r"公务用?车(?:用车)?运行(?:维护|维修)?费?", 0, None),
    ("three_public_reception", r"公务接待费?", 0, None),
    ("three_public_abroad", r"因公出国[（(]境[)）](?:费用?|经费)?", 0, None),
    ("three_public_total", r"三公[”\"]?经费", 0, None),
    ("admin_operating_cost", r"机关运行经费|运行经费", 0, None),
    ("procurement_goods", r"货物类?(?:采购)?(?:预算|金额)?", 0, "采购"),
    ("procurement_works", r"工程类?(?:采购)?(?:预算|金额)?", 0, "采购"),
    ("procurement_services", r"服务类?(?:采购)?(?:预算|金额)?", 0, "采购"),
    ("procurement_total", r"政府采购(?:预算)?(?:总额|金额|安排|预算)?", 0, None),
    ("income_total+expenditure_total", r"收支总预算|收入支出总计|收支总计", 0, None),
    ("income_total", r"收入总计|收入预算(?:总额)?|本年收入决算|财务总收入", 0, None),
    ("income_total", r"本年收入合计", 2, None),
    # 本部门当年预算收入13,650.79万元 (西安), 2026年预算收入1682.76万元 (长春); not 政府性基金预算收入. Behind 收入总计 /
    # 支出总计 where a document states both (长春: "2026年预算支出1682.76元" with 元 for 万元, "2026年支出总计1682.76万元")
    ("income_total", r"(?:当年|本年|年度?)预算收入(?:总额|总计)?", 1, None),
    ("expenditure_total", r"(?:当年|本年|年度?)预算支出(?:总额|总计)?", 1, None),
    ("expenditure_total", r"支出总计|支出预算(?:总额)?|本年支出决算", 0, None),
    ("expenditure_total", r"本年支出合计", 2, None),
    ("gpb_appropriation", r"一般公共预算(?:财政)?拨款(?:收入)?(?!支出)", 0, None),
    ("gpb_appropriation", r"一般公共预算(?:财政)?拨款支出(?:预算)?|一般公共预算当年拨款", 1, None),
    # 收入预算35,874.49万元，其中：一般公共预算收入28,467.65万元: the department's income from the 一般公共预算
    ("gpb_appropriation", r"一般公共预算(?:资金)?收入", 1, r"(?:收入预算|收入总计|本年收入|收入合计)[^。；]*其中"),
    ("basic_expenditure", r"基本支出(?:预算)?", 0, None),
    ("project_expenditure", r"项目支出(?:预算)?", 0, None),
    ("personnel_expenditure", r"(?:(?<![\u4e00-\u9fa5])|(?<=中)|(?<=的))人员经费", 0, None),
    # 人员支出 is 人员经费 where it splits the 基本支出 (其中：人员支出…; 按支出用途分类，包括人员支出…), not in a unit's
    # own block (深圳: （一）人员支出614.78万元 under 十八、某管理局)
    ("personnel_expenditure", r"(?<!在职)(?<!退休)(?<!编外)(?<!聘用)人员支出", 0, r"基本支出|支出用途"),
    ("public_expenditure", r"公用经费|(?:日常)?公用支出", 0, None),
)
_COUNT_RULES: tuple[tuple[str, str, frozenset[str]], ...] = (
    # the projects under 绩效目标管理, in the wordings seen: 编报绩效目标的项目共4个, 编报绩效目标的2024年度项目39个,
    # 实施绩效目标管理，涉及一级预算项目15个, 均实行绩效目标管理，共计31个一级项目 (not a target's own count after
    # a colon: 达到如下绩效目标：1.保持本项目500个)
    ("performance_project_count", r"绩效目标[^。；：:]{0,20}?项目共?$|"
                                  r"(?:实行|实施|纳入)[^。；：:]{0,4}绩效目标管理[,，]?(?:共计|共|合计)$", frozenset({"个"})),
    ("vehicles_count", r"(?:共有|现有|拥有)[^，。；]{0,4}?(?:公务用?车|车辆)共?$|(?<!购置)(?<!购置公务)车辆共?$", frozenset({"辆", "台"})),
    # the vehicles to be bought: 2026年计划购置车辆9辆、162万元; 单位预算安排购置车辆0辆
    ("vehicles_purchase_count", r"(?:购置|购买)[^，。；]{0,6}?(?:公务用?车|车辆)$", frozenset({"辆"})),
)
# counts named by the words after them: 本部门共7个项目纳入绩效目标管理, 共0个项目实行绩效目标管理, 编报24个项目绩效目标
_COUNT_TRAILS: tuple[tuple[str, re.Pattern[str], frozenset[str]], ...] = (
    ("performance_project_count",
     re.compile(r"^\s*(?:一级|二级)?项目(?:[^。；，,]{0,8}?(?:纳入|实行|实施|开展)[^。；，,]{0,6}?绩效目标管理|绩效目标(?!管理))"),
     frozenset({"个"})),
)
# the amount printed right after the count of vehicles to be bought (…购置车辆9辆、162万元) is what they cost
_PURCHASE_AMOUNT = re.compile(r"^[、，,]?\s*(?:共计|共|合计|金额|计)?(?:为)?[:：]?$")
_COMPILED = tuple((key, re.compile(p), rank, ctx) for key, p, rank, ctx in _RULES)
_COUNTS = tuple((key, re.compile(p), units) for key, p, units in _COUNT_RULES)
# Keys whose scope (department-wide, 财政拨款, 一般公共预算) depends on the wording.
_SCOPED = {"basic_expenditure", "project_expenditure", "personnel_expenditure", "public_expenditure"}
_CHANGE = re.compile(r"(?:增加|减少|增长|下降|上升|降低|增|减|持平|一致|相比|变动)了?(?:为)?$")
_COMPARE = re.compile(r"(?:比|较|与|同比|相比|对比)[^，。；,;]*$")
_BUDGET_ROLE = re.compile(r"(?:年初预算|预算数|调整预算|预算)(?:数)?为?$")
_EXPLANATION = re.compile(r"原因")
_VEHICLE_CHANGE = re.compile(r"购置|购买|更新|报废|调拨|调入|调出|新增|处置|接收|减少|增加|配备")
_GIVEN_FOR = re.compile(r"主要|原因|用于")
_VERB_TAIL = re.compile(r"(?:预算数|预算安排|预算|安排|合计|共计)(?:为|是)?[:：]?\s*$")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_CLAUSE = re.compile(r"[^，。；,;\n]*$")
# Totals of 财政拨款 are a figure of their own, not the department's total.
_FISCAL_TOTAL = {"income_total": "fiscal_income_total", "expenditure_total": "fiscal_expenditure_total"}
_SECTION_PREFERENCE = {
    "three_public": ("three_public_",),
    "procurement": ("procurement_",),
    "other_matters": ("procurement_", "admin_", "vehicles_", "performance_"),
}


@dataclass(frozen=True)
class FactMatch:
    """A narrative figure with the offsets of its number in the narrative text."""

    key: str
    value: Decimal
    unit: str
    start: int
    end: int
    sentence: tuple[int, int]
    scope: str | None = None
    prior_value: Decimal | None = None
    change: Decimal | None = None
    change_direction: str | None = None
    budget_value: Decimal | None = None
    rank: int = 0
    section: str | None = None
    extras: dict[str, str] = field(default_factory=dict)


@dataclass
class _Candidate:
    key: str
    rank: int
    role: str  # current / prior / change / budget
    amount: Decimal
    unit: str
    start: int
    end: int
    sentence_start: int
    lead: str
    direction: str | None = None


_HEADING_LEAD = 16
_GENERIC = {"income_total", "expenditure_total"}
_SUBJECTS = {"three_public_total", "admin_operating_cost", "procurement_total"}
_PART_OF_TOTAL = re.compile(r"转移支付")
# "…经费财政拨款支出预算为76.43万元，2024年度支出决算为46.21万元": the 决算 of the same subject
_CONTINUATION = re.compile(rf"^[,，]?(?:{YEAR}年度?)?(?:支出)?决算数?为$")
_NUMBERED_HEADING = re.compile(r"^(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．])[^\d]*[。；]$")


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(ch, 0, start) for ch in "。；\n") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；\n") if i != -1]
    return left, (min(rights) + 1 if rights else len(text))


def _count_key(lead: str, unit: str, trail: str = "") -> tuple[str, int] | None:
    for key, pattern, units in _COUNT_TRAILS:
        if unit in units and pattern.search(trail):
            return key, 0
    clause = _CLAUSE.search(lead)
    tail = clause.group() if clause else lead
    for key, pattern, units in _COUNTS:
        if key == "vehicles_count" and _VEHICLE_CHANGE.search(tail):
            continue  # 报废更新车辆8辆, 接收调拨车辆2辆, 购置公务车1辆: vehicles bought or moved, not those held
        if key == "vehicles_purchase_count" and _GIVEN_FOR.search(tail):
            continue  # 主要是2026年计划购置公务用车3辆: the vehicles behind a change or a purpose, not the plan itself
        if unit in units and pattern.search(lead):
            return key, 0
    return None


def _key_of(lead: str, sentence: str, unit: str, before: str = "", trail: str = "") -> tuple[str, int] | None:
    if unit in _COUNT_UNITS:
        return _count_key(lead, unit, trail)
    if _EXPLANATION.search(re.split(r"[；;]", lead)[-1]):
        return None  # "…增长4%，主要原因是…将国内服务费3.2万元由委托业务费调整为因公出国（境）经费": a reason's figure
    # "一般公共预算拨款收入预算数为1000万元": the words that only lead to the number (预算数为, 预算安排) are not a
    # name of their own when the words before them are one
    verb = _VERB_TAIL.search(lead)
    if verb and verb.start() and (named := _key_of(lead[: verb.start()], sentence, unit, before)) is not None:
        return named
    bracketed = [(m.start(), m.end()) for m in _BRACKETED.finditer(lead)]
    best: tuple[int, int, str, int] | None = None  # (end, length, key, rank)
    for key, pattern, rank, context in _COMPILED:
        if context and not (re.search(context, sentence) or (key in _NEAR_CONTEXT and re.search(context, before))):
            continue
        for match in pattern.finditer(lead):
            if any(start < match.start() and match.end() < end for start, end in bracketed):
                continue  # "…隧道运营维护项目（基本支出）项目": the words in brackets qualify a name, they are not the subject
            candidate = (match.end(), match.end() - match.start(), key, rank)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is not None and best[2] in _GENERIC:
        # "“三公”经费财政拨款支出预算为…": the subject named first is what the 支出预算 is of
        subject = next((key for key, pattern, rank, _ in _COMPILED if key in _SUBJECTS and pattern.search(lead[: best[0]])), None)
        if subject is not None:
            return subject, 0
        if _PART_OF_TOTAL.search(lead[: best[0]]):
            return None  # "上级专项转移支付支出预算为1,047.61万元": a part of the budget, not its total
    return (best[2], best[3]) if best else None


def _another_year(lead: str, fiscal_year: int) -> bool:
    clause = _CLAUSE.search(lead)
    years = [int(y) for y in YEAR_NAMED.findall(clause.group() if clause else lead)]
    return bool(years) and years[-1] != fiscal_year


def _role(lead: str, fiscal_year: int | None, final_accounts: bool, unit: str) -> tuple[str, str | None]:
    clause = _CLAUSE.search(lead)
    tail = clause.group() if clause else lead
    change = _CHANGE.search(lead)
    if change:
        word = change.group()
        direction = "increase" if re.match(r"增|上升", word) else ("decrease" if re.match(r"减|下降|降低", word) else None)
        return "change", direction
    if _COMPARE.search(tail):
        return "prior", None
    if unit not in _COUNT_UNITS and fiscal_year is not None:
        years = [int(y) for y in YEAR_NAMED.findall(tail)]
        if years and years[-1] < fiscal_year:
            return "prior", None
    if final_accounts and _BUDGET_ROLE.search(tail) and "决算" not in tail:
        return "budget", None
    return "current", None


def _scope(key: str, lead: str, sentence: str, section: str | None) -> str | None:
    if key not in _SCOPED and key not in _FISCAL_TOTAL:
        return None
    clause = _CLAUSE.search(lead)
    window = clause.group() if clause and clause.group() else sentence
    if "一般公共预算" in window:
        return "gpb"
    if "财政拨款" in window:
        return "fiscal"
    # a section of the 一般公共预算 (六、一般公共预算基本支出情况说明), not a 基本支出 heading of all funds (北京: 三、支出预算
    # 情况说明 / (一)基本支出。基本支出预算19170.50万元)
    if key in _SCOPED and section in ("gpb_appropriation", "gpb_basic_expenditure"):
        return "gpb"
    if key in _SCOPED and section in ("fiscal_appropriation", "fiscal_basic_expenditure"):
        return "fiscal"
    return "department"


def _candidates(text: str, fiscal_year: int | None, final_accounts: bool) -> list[_Candidate]:
    found: list[_Candidate] = []
    previous_end = 0
    previous_key: str | None = None
    previous_sentence = -1
    for match in _AMOUNT.finditer(text):
        amount = parse_amount(match["num"] + match["unit"]) if match["unit"] not in _COUNT_UNITS else parse_amount(match["num"])
        if amount is None:
            continue
        unit = amount.unit or match["unit"]
        sentence_start, sentence_end = _sentence_bounds(text, match.start(), match.end())
        # The words naming a figure are in its own sentence ("…的基本支出。年初预算为1560.05万元" is not 基本支出),
        # or in a short heading that opens the line ("（一）收入预算。2026年年初预算数19,230.18万元").
        line_start = text.rfind("\n", 0, match.start()) + 1
        heading = text[line_start:sentence_start]
        opening = line_start if len(heading) <= _HEADING_LEAD and _NUMBERED_HEADING.match(heading) else sentence_start
        lead_start = max(previous_end, line_start, opening)
        lead = text[lead_start : match.start()].rstrip()  # "比上年减少 206.4 万元": a space before the number
        sentence = text[sentence_start:sentence_end]
        keyed = _key_of(lead, sentence, unit, text[max(0, match.start() - _NEAR) : match.start()], text[match.end() : sentence_end])
        same_subject = previous_key is not None and previous_sentence == sentence_start
        if previous_key is not None and same_subject and (keyed is None and re.search(r"(?:决算数?|预算数?|为)$", lead) or _CONTINUATION.match(lead)):
            keyed = (previous_key, 0)  # 年初预算为0.95万元，支出决算为0.00万元: the key carries over
        if keyed is not None and keyed[0] == "vehicles_purchase_count" and fiscal_year is not None and _another_year(lead, fiscal_year):
            keyed = None  # 计划于2027年申请新购置公务车1辆, 2025年新购置车辆1辆: not this year's plan
        elif keyed is None and same_subject and previous_key == "vehicles_purchase_count" and unit not in _COUNT_UNITS \
                and _PURCHASE_AMOUNT.match(lead):
            keyed = ("vehicles_purchase_amount", 0)
        role, direction = _role(lead, fiscal_year, final_accounts, unit)
        if keyed is not None:
            for key in keyed[0].split("+"):
                found.append(_Candidate(key, keyed[1], role, amount.value, unit, match.start(), match.end(), sentence_start, lead, direction))
            previous_key = keyed[0]
            previous_sentence = sentence_start
        elif role != "current":
            # an unnamed prior-year figure or change belongs to the figure before it
            found.append(_Candidate("", 0, role, amount.value, unit, match.start(), match.end(), sentence_start, lead, direction))
        previous_end = match.end()
    return found


def find_facts(
    text: str,
    fiscal_year: int | None,
    final_accounts: bool = False,
    section_of: Callable[[int], str | None] = lambda offset: None,
) -> list[FactMatch]:
    """One fact per key and scope: the best-ranked current figure, preferring its own section,
    with the prior-year figure and the change that follow it in the same sentence."""
    candidates = _candidates(text, fiscal_year, final_accounts)
    chosen: dict[tuple[str, str | None], FactMatch] = {}
    order: dict[tuple[str, str | None], tuple[int, int, int]] = {}
    for index, cand in enumerate(candidates):
        if cand.role != "current" or not cand.key:
            continue
        sentence = text[cand.sentence_start : _sentence_bounds(text, cand.start, cand.end)[1]]
        section = section_of(cand.start)
        scope = _scope(cand.key, cand.lead, sentence, section)
        key = cand.key
        if key in _FISCAL_TOTAL and scope in ("fiscal", "gpb"):
            key, scope = _FISCAL_TOTAL[key], None
        elif key in _FISCAL_TOTAL:
            scope = None
        preferred = any(key.startswith(p) for p in _SECTION_PREFERENCE.get(section or "", ()))
        misplaced = bool(key.startswith("three_public") and section not in (None, "three_public", "other_matters") and not preferred)
        rank = (cand.rank, 0 if preferred else (2 if misplaced else 1), cand.start)
        slot = (key, scope)
        if slot in order and order[slot] <= rank:
            continue
        prior, change, direction = _follow_ups(candidates, index, cand)
        order[slot] = rank
        chosen[slot] = FactMatch(
            key=key,
            value=cand.amount,
            unit=cand.unit,
            start=cand.start,
            end=cand.end,
            sentence=_sentence_bounds(text, cand.start, cand.end),
            scope=scope,
            prior_value=prior,
            change=change,
            change_direction=direction,
            budget_value=_budget_before(candidates, index, cand),
            rank=cand.rank,
            section=section,
        )
    return sorted(chosen.values(), key=lambda f: f.start)


def _follow_ups(candidates: list[_Candidate], index: int, cand: _Candidate) -> tuple[Decimal | None, Decimal | None, str | None]:
    prior = change = None
    direction = None
    for other in candidates[index + 1 : index + 4]:
        if other.sentence_start != cand.sentence_start or other.role == "current":
            break
        if other.role == "prior" and prior is None:
            prior = other.amount
        elif other.role == "change" and change is None:
            change, direction = other.amount, other.direction
    return prior, change, direction


def _budget_before(candidates: list[_Candidate], index: int, cand: _Candidate) -> Decimal | None:
    if index and candidates[index - 1].role == "budget" and candidates[index - 1].key == cand.key:
        return candidates[index - 1].amount
    return None
