"""Rules inside the narrative: stated changes and percentages follow from the stated amounts, listed parts
add up to the stated total, and 占 shares follow from the parts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from extractor.checks.model import CheckResult, Evidence, Rule, Severity, Status, classify, precision
from extractor.layout.narrative import Narrative

CHANGE_PERCENT = Rule("narrative.change_percent", "增减百分比与所述金额及增减额相符",
                      "a stated percentage change follows from the stated amount and change", Severity.ERROR,
                      ("computed", "stated"))
LIST_SUM = Rule("narrative.list_sum", "所列各项之和等于所述总额", "listed parts add up to the stated total", Severity.ERROR,
                ("stated total", "sum of the parts"))
SHARE = Rule("narrative.share", "占比与所述金额相符", "a stated share (占X%) follows from the part and the total", Severity.ERROR,
             ("computed", "stated"))
RULES = (CHANGE_PERCENT, LIST_SUM, SHARE)

_NUM = r"\d[\d,]*(?:\.\d+)?"
_CHANGE = re.compile(
    rf"(?P<a>{_NUM})万元[,，]?(?:[^,，。；;\n]{{0,6}}?)比(?P<base>[^,，。；;\n]{{0,14}}?)(?P<dir>增加|减少|增长|下降)(?P<b>{_NUM})万元[,，]?"
    rf"(?:[^,，。；;\n%]{{0,4}}?)(?P<dir2>增加|减少|增长|下降)(?P<pct>{_NUM})[%％]"
)
_INTRO = re.compile(r"(?P<intro>主要包括|具体包括|包括|其中)[:：]")
_ITEM = re.compile(rf"(?P<name>[^,，、；;。:：\n\d]{{2,30}}?)(?P<value>{_NUM})万(?:元)?(?:[,，]?占(?P<share>{_NUM})[%％])?")
_TOTAL_BEFORE = re.compile(rf"(?P<value>{_NUM})万元[,，]?$")
_STATED_TOTAL = re.compile(rf"总[^,，。；;\n]{{0,10}}?(?P<value>{_NUM})万元")
_UP = {"增加", "增长"}
# a figure after these words is a change or a comparison, not a part of the list
_CHANGE_WORDS = re.compile(r"比|增加|减少|增长|下降|持平|上年|同比|较")
_NEW_TOTAL = re.compile(r"合计|总计|总额|总预算")
_CHANGE_BEFORE = re.compile(r"(?:增加|减少|增长|下降)$")
_MAX_LIST = 600
# a list set out one numbered paragraph per item: "具体包括：\n1.综合管理356.65万元，主要用于…\n2.…"
_NUMBERED = re.compile(r"(?:(?P<dot>\d{1,2})[.．、](?!\d)|[（(](?P<paren>\d{1,2})[)）])")
# a paragraph that starts a heading of its own ends a numbered list
_HEADING_START = re.compile(r"[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分")
_CLAUSE_END = re.compile(r"[，;；。]|,(?!\d{3})")  # not the thousands comma of "9,046.06"
_LEAD = re.compile(rf"(?P<value>{_NUM})万(?:元)?")
# an item named so is an amount inside the item before it ("常用装备保障项目615.04万元，其中结转结余126.00万元")
_SUB_AMOUNT = re.compile(r"^(?:其中|含)")
_BRACKETS = re.compile(r"[（(][^（()）]*[)）]")


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _evidence(narrative: Narrative, label: str, value: str, start: int, end: int, file: str | None) -> Evidence:
    page, bbox = narrative.locate(start, end)
    return Evidence(label, value, "万元" if not value.endswith("%") else None, page, bbox, file)


def check_text(narrative: Narrative, file: str | None = None) -> Iterator[CheckResult]:
    yield from _change_percents(narrative, file)
    yield from _lists(narrative, file)


def _change_percents(narrative: Narrative, file: str | None) -> Iterator[CheckResult]:
    for m in _CHANGE.finditer(narrative.text):
        amount, change, stated = _dec(m["a"]), _dec(m["b"]), _dec(m["pct"])
        up = m["dir"] in _UP
        if (m["dir2"] in _UP) != up:
            continue
        prior = amount - change if up else amount + change
        if prior <= 0:
            continue
        step = precision([amount, change]) / 2
        corners = [(change + dc) / (prior + dp) * 100 for dc in (-step, step) for dp in (-2 * step, 2 * step) if prior + dp > 0]
        computed = change / prior * 100
        digits = precision([stated])
        rounded = computed.quantize(digits, rounding=ROUND_HALF_UP)
        low, high = min(corners) - digits, max(corners) + digits
        status = Status.OK if rounded == stated else Status.ROUNDING if low <= stated <= high else Status.MISMATCH
        evidence = (
            _evidence(narrative, "amount", m["a"], m.start("a"), m.end("a"), file),
            _evidence(narrative, m["dir"], m["b"], m.start("b"), m.end("b"), file),
            _evidence(narrative, m["dir2"], m["pct"] + "%", m.start("pct"), m.end("pct") + 1, file),
        )
        message = f"{m['dir']}{change}万元 on {prior}万元 is {rounded}%, stated {stated}%"
        yield CheckResult(CHANGE_PERCENT, status, message, evidence, expected=str(rounded), actual=str(stated),
                          difference=str(stated - rounded), tolerance=f"{low.quantize(digits)}..{high.quantize(digits)}")


def _lists(narrative: Narrative, file: str | None) -> Iterator[CheckResult]:
    text = narrative.text
    for intro in _INTRO.finditer(text):
        line_start = text.rfind("\n", 0, intro.start()) + 1
        before = text[line_start : intro.start()]
        total = _TOTAL_BEFORE.search(before)
        if total and _CHANGE_BEFORE.search(before[: total.start()]):
            continue  # 比上年减少2.48万元，其中：… lists the parts of a change
        total_start = line_start + total.start("value") if total else None
        if total is None:
            stated = list(_STATED_TOTAL.finditer(before))
            if not stated:
                continue
            total, total_start = stated[-1], line_start + stated[-1].start("value")
        end = min(i for i in (text.find("。", intro.end()), intro.end() + _MAX_LIST, len(text)) if i >= 0)
        numbered = _numbered_items(text, intro.end())
        if numbered is not None:
            if len(numbered) >= 2:
                yield from _list_result(narrative, total, total_start or 0, intro, numbered, "", file)
            continue
        segment = text[intro.end() : end]
        if _INTRO.search(segment):
            segment = segment[: _INTRO.search(segment).start()]  # type: ignore[union-attr]
        # an amount in brackets ("（含结转采购经费6.9万元）") is inside its item: blanked, keeping the offsets
        segment = _blank_brackets(segment)
        items: list[_Item] = []
        for item in _ITEM.finditer(segment):
            if _CHANGE_WORDS.search(item["name"]) or _NEW_TOTAL.search(item["name"]):
                break  # a comparison clause, or the next total, ends the enumeration
            if _SUB_AMOUNT.match(item["name"].lstrip("，,、；; ")) and items:
                continue
            items.append(_Item(item["name"], item["value"], intro.end() + item.start("value"), intro.end() + item.end("value"), item["share"]))
        if len(items) < 2:
            continue
        yield from _list_result(narrative, total, total_start or 0, intro, items, segment, file)


def _blank_brackets(text: str) -> str:
    """The text with what stands in brackets blanked, its offsets kept."""
    return _BRACKETS.sub(lambda m: " " * len(m[0]), text)


@dataclass(frozen=True)
class _Item:
    """One part of a list: its name, its printed amount and where the amount stands in the narrative."""

    name: str
    value: str
    start: int
    end: int
    share: str | None = None


def _numbered_items(text: str, start: int) -> list[_Item] | None:
    """The items of a list set out one numbered paragraph each, from its intro's end at ``start``: each item's lead
    amount (the first in its first clause), not the amounts its own sentences break it into. None when the list
    is not numbered that way; an empty list when an item states no lead amount (nothing to check)."""
    first = _NUMBERED.match(text, start + 1) if text.startswith("\n", start) else None
    if first is None or int(first["dot"] or first["paren"]) != 1:
        return None
    style = "dot" if first["dot"] else "paren"
    items: list[_Item] = []
    at, number = first.start(), 1
    while True:
        head = _NUMBERED.match(text, at)
        assert head is not None
        body_start = head.end()
        clause = _CLAUSE_END.search(text, body_start)
        clause_end = clause.start() if clause else len(text)
        lead = _LEAD.search(_blank_brackets(text[body_start:clause_end]))
        if lead is None:
            return []
        items.append(_Item(text[body_start : body_start + lead.start()], lead["value"], body_start + lead.start("value"),
                           body_start + lead.end("value")))
        number += 1
        following = _next_numbered(text, body_start, number, style)
        if following is None:
            return items
        at = following


def _next_numbered(text: str, start: int, number: int, style: str) -> int | None:
    """Where the paragraph numbered ``number`` in ``style`` starts, if the paragraphs after ``start`` reach it before
    a heading of their own (an item may run over several paragraphs, and number its own parts in another style)."""
    at = start
    while (newline := text.find("\n", at)) >= 0:
        paragraph = newline + 1
        head = _NUMBERED.match(text, paragraph)
        if head and (head["dot"] is not None) == (style == "dot"):
            return paragraph if int(head["dot"] or head["paren"]) == number else None
        if _HEADING_START.match(text, paragraph):
            return None
        at = paragraph
    return None


def _list_result(narrative: Narrative, total: re.Match[str], total_start: int, intro: re.Match[str], items: list[_Item],
                 segment: str, file: str | None) -> Iterator[CheckResult]:
    total_value = _dec(total["value"])
    parts = [_dec(i.value) for i in items]
    status, difference, allowed = classify(total_value, parts)
    partial = intro["intro"] in ("其中", "主要包括") or segment.rstrip("。").endswith("等")
    if status is Status.MISMATCH and difference < 0 and partial:
        status = Status.INFO  # a list of the main items or of 其中 parts may leave some out
    evidence = (_evidence(narrative, "total", total["value"], total_start, total_start + len(total["value"]), file),) + tuple(
        _evidence(narrative, i.name.strip("及和与等，,、；; "), i.value, i.start, i.end, file) for i in items
    )
    message = f"{intro['intro']} list: {len(parts)} parts sum to {sum(parts, Decimal(0))} against {total_value}"
    yield CheckResult(LIST_SUM, status, message, evidence, expected=str(total_value), actual=str(sum(parts, Decimal(0))),
                      difference=str(difference), tolerance=str(allowed))
    for item in items:
        if item.share and total_value:
            yield _share(narrative, item, total_value, evidence[0], file)


def _share(narrative: Narrative, item: _Item, total: Decimal, total_evidence: Evidence, file: str | None) -> CheckResult:
    part, stated = _dec(item.value), _dec(item.share or "")
    digits = precision([stated])
    computed = (part / total * 100).quantize(digits, rounding=ROUND_HALF_UP)
    step = precision([part, total]) / 2
    corners = [(part + a) / (total + b) * 100 for a in (-step, step) for b in (-step, step) if total + b > 0]
    low, high = min(corners) - digits, max(corners) + digits
    status = Status.OK if computed == stated else Status.ROUNDING if low <= stated <= high else Status.MISMATCH
    evidence = (total_evidence, _evidence(narrative, item.name, item.value, item.start, item.end, file))
    return CheckResult(SHARE, status, f"{item.name}{part}万元 of {total}万元 is {computed}%, stated {stated}%", evidence,
                       expected=str(computed), actual=str(stated), difference=str(stated - computed))
