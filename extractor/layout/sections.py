"""Numbered narrative sections: 第一部分 …, 一、…, （一）…, with table-of-contents pages skipped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.domain.labels import normalise_text
from extractor.domain.section_keys import section_key
from extractor.model import BBox, Page

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_PART = re.compile(r"^第(?P<num>[一二三四五六七八九十]{1,3})部分[:：、\s]*(?P<title>.*)$")
_NUMBERED = re.compile(r"^(?P<num>[一二三四五六七八九十]{1,3})[、.．]\s*(?P<title>.+)$")
_SUB = re.compile(r"^[（(](?P<num>[一二三四五六七八九十]{1,3})[)）]\s*(?P<title>.+)$")
_LEADER = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|-{6,})")
_TITLE_END = re.compile(r"[。：:]")
# 目录, 目录：, 报表目录, 公开目录 — not a 指导性目录 column header
_CONTENTS = re.compile(r"^(?:.{0,4}(?:报表|公开|预算|决算))?目录(?:[:：].*)?$")
_MAX_TITLE = 40
_BARE_AMOUNT = re.compile(r"\d[\d,]*\.\d+(?![\d万元亿%％])(?!\s*(?:万元|元|亿元|%|％))")
_INHERITING = {"glossary", "functions", "organisation"}


@dataclass(frozen=True)
class Section:
    """A numbered heading found in the body (not in the table of contents)."""

    key: str
    number: str
    title: str
    level: int  # 1 = 第X部分, 2 = 一、, 3 = （一）
    page: int
    bbox: BBox
    parent: int | None  # index of the enclosing section in the list


def cn_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20."""
    if text.startswith("十"):
        return 10 + (_CN_DIGITS.get(text[1:], 0) if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)


def toc_pages(pages: Sequence[Page]) -> set[int]:
    """Pages holding the table of contents: a 目录 heading and the list pages that follow it."""
    found: set[int] = set()
    for index, page in enumerate(pages):
        heads = [normalise_text(line.text) for line in page.lines[:6]]
        if not any(_CONTENTS.match(h) for h in heads):
            continue
        found.add(page.number)
        for following in pages[index + 1 : index + 3]:
            if _looks_like_list(following):
                found.add(following.number)
            else:
                break
    return found


def _looks_like_list(page: Page) -> bool:
    texts = [normalise_text(line.text) for line in page.lines if normalise_text(line.text)]
    texts = [t for t in texts if not re.fullmatch(r"[-－\d\s]*", t)]
    if not texts:
        return False
    listed = sum(1 for t in texts if _LEADER.search(t) or _heading_match(t) or re.match(r"^\d+[、.．]", t))
    return listed / len(texts) >= 0.7 and all(len(t) <= 60 for t in texts)


def _heading_match(text: str) -> tuple[int, re.Match[str]] | None:
    for level, pattern in ((1, _PART), (2, _NUMBERED), (3, _SUB)):
        match = pattern.match(text)
        if match:
            return level, match
    return None


def _title_of(level: int, raw_title: str) -> str | None:
    title = raw_title
    end = _TITLE_END.search(title)
    if end:
        title = title[: end.start()]
    if _BARE_AMOUNT.search(title) or re.search(r"\d[、.．]|[一二三四五六七八九十][、.．]", title[1:]):
        return None  # a table row such as 一、预算拨款 16,410.71 一、一般公共服务支出 …
    if level == 1:
        return title.strip(":：") or None
    if not title or len(title) > _MAX_TITLE:
        return None
    if level == 2 and not end and len(raw_title) > _MAX_TITLE:
        return None
    return title


def is_table_page(page: Page) -> bool:
    """A page whose lines are mostly rows of bare amounts (a printed table)."""
    texts = [line.text for line in page.lines if line.text.strip()]
    if len(texts) < 4:
        return False
    rows = sum(1 for t in texts if len(_BARE_AMOUNT.findall(t)) >= 2 or _BARE_AMOUNT.fullmatch(t.strip()))
    return rows / len(texts) >= 0.3


def toc_entries(pages: Sequence[Page], toc: set[int]) -> list[tuple[int, str, str]]:
    """(level, number, title) of each numbered entry of the table of contents."""
    entries = []
    for page in pages:
        if page.number not in toc:
            continue
        for line in page.lines:
            text = _LEADER.split(normalise_text(line.text))[0]
            text = re.sub(r"[.…·]*\d*$", "", text)
            found = _heading_match(text)
            if found and found[0] < 3:
                entries.append((found[0], found[1]["num"], found[1]["title"]))
    return entries


def _core(title: str) -> str:
    return re.sub(r"^(?:部门|单位|本部门|本单位)", "", title)


def find_sections(pages: Sequence[Page]) -> list[Section]:
    """Find the numbered headings of the body, in order, checking that their numbers run in sequence.

    Where the body prints a heading without its number (Shanghai: ``上海市普陀区财政局主要职能`` for the
    contents' ``一、部门主要职能``), the table of contents supplies it.
    """
    skip = toc_pages(pages)
    sections = _numbered_sections(pages, skip)
    found_titles = {s.title for s in sections}
    entries = [e for e in toc_entries(pages, skip) if e[0] == 2 and e[2] not in found_titles]
    if entries and not any(s.level == 2 for s in sections[:3]):
        sections = _sections_from_toc(pages, skip, entries) + sections
        sections.sort(key=lambda s: (s.page, s.bbox[1]))
    return _inherit_keys(sections)


def _sections_from_toc(pages: Sequence[Page], skip: set[int], entries: list[tuple[int, str, str]]) -> list[Section]:
    found = []
    remaining = list(entries)
    for page in pages:
        if page.number in skip or not remaining:
            continue
        for line in page.lines:
            text = normalise_text(line.text)
            if not remaining or len(text) > _MAX_TITLE:
                continue
            level, number, title = remaining[0]
            if text.endswith(_core(title)) and not _heading_match(text):
                found.append(Section(section_key(title), number, text, level, page.number, line.bbox, None))
                remaining.pop(0)
    return found


def _inherit_keys(sections: list[Section]) -> list[Section]:
    """Set each section's parent from the order and levels, and let items of a glossary or of a
    list of functions take their parent's key."""
    out: list[Section] = []
    open_at: dict[int, int] = {}
    for section in sections:
        parents = [index for level, index in open_at.items() if level < section.level]
        parent_index = max(parents) if parents else None
        key = section.key
        if parent_index is not None and (out[parent_index].key in _INHERITING or key == "other"):
            key = out[parent_index].key
        out.append(Section(key, section.number, section.title, section.level, section.page, section.bbox, parent_index))
        open_at = {level: index for level, index in open_at.items() if level < section.level}
        open_at[section.level] = len(out) - 1
    return out


def _numbered_sections(pages: Sequence[Page], skip: set[int]) -> list[Section]:
    sections: list[Section] = []
    last_number = {1: 0, 2: 0, 3: 0}
    parents: dict[int, int | None] = {1: None, 2: None, 3: None}
    part_since_numbered = True
    for page in pages:
        if page.number in skip:
            continue
        table_page = is_table_page(page)
        for line in page.lines:
            text = normalise_text(line.text)
            if _LEADER.search(text):
                continue
            found = _heading_match(text)
            if not found or (table_page and found[0] > 1):
                continue
            level, match = found
            title = _title_of(level, match["title"])
            if title is None or (level > 1 and title.endswith("表")):
                continue  # a sentence that starts with a number, or a table's title
            number = cn_number(match["num"])
            expected = last_number[level] + 1
            restart = number == 1 and (level == 3 or part_since_numbered or last_number[level] == 0)
            if number != expected and not restart:
                continue
            parent = parents[level - 1] if level > 1 else None
            if level == 2 and parent is None:
                parent = parents[1]
            sections.append(
                Section(
                    key=section_key(title),
                    number=match["num"],
                    title=title,
                    level=level,
                    page=page.number,
                    bbox=line.bbox,
                    parent=parent,
                )
            )
            index = len(sections) - 1
            last_number[level] = number
            parents[level] = index
            if level == 1:
                last_number[2] = last_number[3] = 0
                parents[2] = parents[3] = None
                part_since_numbered = True
            elif level == 2:
                last_number[3] = 0
                parents[3] = None
                part_since_numbered = False
    return sections
