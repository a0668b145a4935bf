"""类/款/项 line items stated in the narrative.

``一般公共服务（类）政府办公厅（室）及相关机构事务（款）行政运行（项）2026年预算数为435.74万元，主要用于…``,
``“社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）”87.70万元``,
``卫生健康支出（210类）…``, ``一般公共服务支出（201类）财政事务（06款）行政运行（01项）120万元`` (a 款 and a 项
printed by their own two digits, read on from the 类's): names as printed, the code when printed or found in the
reference list.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from extractor.domain.amounts import parse_amount
from extractor.domain.codes import lookup_function_code

# A name runs at most _NAME_RUN characters between its parenthesised parts, and has at most _NAME_PARTS of them
# (政府办公厅（室）及相关机构事务 has one): the longest name of corpus and pool has 22 characters and one part. Unbounded,
# the pattern read on from every character of a long run of text without punctuation to its end (a crawled listing
# of 165,000 characters in one run: minutes).
_NAME_RUN = 60
_NAME_PARTS = 3
_PART_RUN = 6  # the characters inside one of a name's parenthesised parts
_RUN = rf"[^（()）\n，。；“”\"、:：]{{0,{_NAME_RUN}}}?"
_NAME = rf"[\u4e00-\u9fa5]{_RUN}(?:[（(][^类款项()（）\d]{{1,{_PART_RUN}}}[)）]{_RUN}){{0,{_NAME_PARTS}}}?"
_SEP = r"[-—－–]?"
_ITEM = re.compile(
    rf"(?P<cls>{_NAME})[（(](?P<c1>\d{{3}})?类[)）]"
    rf"(?:{_SEP}(?P<kuan>{_NAME})[（(](?P<c2>\d{{2}}|\d{{5}})?款[)）]"
    rf"(?:{_SEP}(?P<xiang>{_NAME})[（(](?P<c3>\d{{2}}|\d{{7}})?项[)）])?)?[”\"]?"
)
# A match runs from its first character to its 类 (the first 类 closed by a bracket after it: a name's runs have no
# brackets, its parts no 类) over at most _TO_CLASS characters, and on to its end over at most _AFTER_CLASS more.
# (the brackets and level words count one each; a 类 prints at most 3 digits, a 款 or 项 at most 7)
_NAME_MAX = 1 + _NAME_RUN + _NAME_PARTS * (1 + _PART_RUN + 1 + _NAME_RUN)
_TO_CLASS = _NAME_MAX + 1 + 3
_AFTER_CLASS = 2 + 2 * (1 + _NAME_MAX + 1 + 7 + 2) + 1
_CLASS_CLOSED = re.compile(r"类[)）]")
_AMOUNT_AFTER = re.compile(
    r"(?P<lead>[^。；\n]{0,30}?)(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>万元|亿元|千元|元)"
)
_PURPOSE = re.compile(r"主要用于[:：]?(?P<text>[^。；\n]*)")
_ORDINAL_PREFIX = re.compile(r"^(?:\d+[.．、]|[（(]\d+[)）])")


@dataclass(frozen=True)
class LineItemMatch:
    class_name: str
    segment_name: str | None
    item_name: str | None
    code: str | None
    code_source: str | None  # printed / reference
    value: Decimal
    unit: str
    purpose: str | None
    start: int
    end: int


def _printed_code(match: re.Match[str]) -> str | None:
    """The code of the deepest level named, when printed: in full (20106, 2010601) or by its own two digits read on
    from the printed code above (201 + 06 + 01). None when that level prints no digits or a level above it does
    not, so the reference list is asked instead."""
    code: str | None = None
    for name, digits, width in (("cls", "c1", 3), ("kuan", "c2", 5), ("xiang", "c3", 7)):
        if not match[name]:
            break
        printed = match[digits]
        if printed and len(printed) == width:
            code = printed
        elif printed and code is not None and len(code) + len(printed) == width:
            code += printed
        else:
            code = None
    return code


def _item_matches(text: str) -> Iterator[re.Match[str]]:
    """``_ITEM.finditer(text)``, the pattern tried only within reach of each closed 类: tried at every character of
    a long narrative it cost more than the rest of the narrative's reading (a property test holds the two equal)."""
    position = 0
    for closed in _CLASS_CLOSED.finditer(text):
        at = closed.start()
        if at < position:  # within the match before
            continue
        # a match whose 类 this is starts within _TO_CLASS before it and ends within _AFTER_CLASS after it
        match = _ITEM.search(text, max(position, at - _TO_CLASS), at + _AFTER_CLASS)
        while match is not None and match.start() <= at:
            yield match
            position = match.end()
            match = _ITEM.search(text, position, at + _AFTER_CLASS) if position <= at else None


def find_line_items(text: str) -> list[LineItemMatch]:
    """Every 类/款/项 name path in ``text`` that is followed by its amount in the same sentence."""
    items = []
    for match in _item_matches(text):
        after = _AMOUNT_AFTER.match(text, match.end())
        if not after or re.search(r"比|较|增加|减少|[:：]指|反映", after["lead"]):
            continue
        amount = parse_amount(after["num"] + after["unit"])
        if amount is None or amount.unit is None:
            continue
        cls = _ORDINAL_PREFIX.sub("", match["cls"]).lstrip("“\"")
        names = [n for n in (cls, match["kuan"], match["xiang"]) if n]
        code = _printed_code(match)
        source = "printed" if code else None
        if code is None:
            code = lookup_function_code(names)
            source = "reference" if code else None
        sentence_end = min([i for i in (text.find(ch, after.end()) for ch in "。；\n") if i != -1] or [len(text)])
        purpose = _PURPOSE.search(text, after.end(), sentence_end + 1) if sentence_end + 1 <= len(text) else None
        if purpose is None:
            # 主要用于 often starts the next sentence: "…67.74万元。主要用于：…"
            purpose = _PURPOSE.match(text, sentence_end + 1) if text[sentence_end:sentence_end + 1] == "。" else None
        items.append(
            LineItemMatch(
                class_name=cls,
                segment_name=match["kuan"],
                item_name=match["xiang"],
                code=code,
                code_source=source,
                value=amount.value,
                unit=amount.unit,
                purpose=purpose["text"] if purpose else None,
                start=match.start(),
                end=after.end(),
            )
        )
    return items
