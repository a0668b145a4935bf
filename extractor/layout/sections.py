"""Numbered narrative sections: 第一部分 …, 一、…, （一）…, at the ranks the document itself uses.

A heading is a line that opens with a number (第一部分, 一、, （一）) and a short title, in the body (the
contents pages are left out, and so is everything inside or over a table). Three things separate headings
from the numbered items of running text that look the same (duties, tasks, glossary definitions, breakdowns
of an amount): the numbers of headings of one rank run in sequence under their parent; a heading's title is
a phrase, not a clause of a sentence (no comma before its first full stop or colon, no definition after the
colon, no text running on to the next line); and items come in runs where most members read as sentences,
definitions or amounts. The table of contents, when there is one, supplies the numbers of the top-rank
headings the body prints without them (Shanghai's template), numbers a part the body titles without its number
at the top of its first page (a part of tables whose title stands above the first table), and confirms a part the
body skips (第二部分 of tables only); it never adds a heading the body lacks. Ranks are the document's own: 一、 is level 1 where
the document has no 第X部分.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from extractor.domain.labels import normalise_text, printed_text
from extractor.domain.section_keys import section_key
from extractor.geometry import Box
from extractor.layout.settings import TOLERANCES as TOL
from extractor.model import Line, Page

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_NUM = r"[一二三四五六七八九十]{1,3}"
_PART = re.compile(rf"^第(?P<num>{_NUM})部分[:：、.．]*(?P<title>.*)$")
_NUMBERED = re.compile(rf"^(?P<num>{_NUM})[、.．](?P<title>.*)$")
_SUB = re.compile(rf"^[（(](?P<num>{_NUM})[)）][、.．]?(?P<title>.*)$")
_ARABIC = re.compile(r"^(?P<num>\d{1,2})[、.．](?!\d)(?P<title>.*)$")  # 1.一般公共预算当年拨款规模变化情况, 1、政府采购情况; not 92.2%
_ARABIC_RANK = 4.0
_PATTERNS = ((1.0, _PART), (2.0, _NUMBERED), (3.0, _SUB), (_ARABIC_RANK, _ARABIC))
_LEADER = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|-{6,}|—{4,})")
_TITLE_END = re.compile(r"[。：:]")
_CLAUSE = re.compile(r"[，,；;]")
_CODE_LED = re.compile(r"^\d{3,7}[-－—]")  # a budget line: （一）2080501-行政单位离退休 227.72 万元
_AMOUNT = re.compile(r"\d[\d,]*(?:\.\d+)?(?:万元|元|亿元)")
_DEFINITION = re.compile(r"^[:：](?:是指|系指|指|反映|是|即|主要(?:是|指))")
# 目录, 目录：, 报表目录, 公开目录 — not a 指导性目录 column header
_CONTENTS = re.compile(r"^(?:.{0,4}(?:报表|公开|预算|决算))?目录(?:[:：].*)?$")
_MAX_TITLE = 40
_BARE_AMOUNT = re.compile(r"\d[\d,]*\.\d+(?![\d万元亿%％])(?!\s*(?:万元|元|亿元|%|％))")
_SECOND_NUMBER = re.compile(rf"\d[、．]|\d\.(?!\d)|{_NUM}[、.．]")
_INHERITING = {"glossary", "functions", "organisation"}
# a heading that names no funding (2.支出按功能科目分类的明细情况) under one that does (（五）一般公共预算当年拨款情况)
# is of its parent's funding: its 基本支出 is the 一般公共预算's, any other subject its parent's key
_UNFUNDED = {"income_expenditure", "income", "expenditure", "basic_expenditure", "project_expenditure"}
_FUNDED = {
    "gpb_appropriation": {"basic_expenditure": "gpb_basic_expenditure"},
    "gpb_basic_expenditure": {},
    "fiscal_appropriation": {"basic_expenditure": "fiscal_basic_expenditure"},
    "fiscal_basic_expenditure": {},
}
_MIN_PART_TITLE = 6  # a contents title this long at least is looked for unnumbered in the body
_PART_LIKENESS = 0.85  # difflib's ratio between a part's title in the contents and as the body prints it
_TOC_PART = 0.5  # a contents entry's heading printed without its number ranks just above the numbered ones


@dataclass(frozen=True)
class Section:
    """A numbered heading found in the body (not in the table of contents)."""

    key: str
    number: str
    title: str
    level: int  # rank in the document's own hierarchy: 1 = its top rank (第X部分, or 一、 where parts are so numbered)
    page: int
    bbox: Box
    parent: int | None  # index of the enclosing section in the list


@dataclass(frozen=True)
class TableArea:
    """Where a table lies on a page, and its title, so that nothing in or over it is taken for a heading."""

    page: int
    bbox: Box
    title: str | None


@dataclass(frozen=True)
class _Candidate:
    rank: float  # 1 第X部分, 2 一、, 3 （一）, 4 1.; a contents-numbered heading 0.5 above its entry's rank
    num: str
    title: str
    page: int
    bbox: Box
    item_like: bool  # reads as an item of running text: a clause, a definition, a sentence running on
    sentence: bool  # the item is a sentence (…工作。) or runs in to one (负责节约用水工作。拟订…), as duties do
    ends_line: bool  # nothing follows the title on its line (a standalone heading)
    order: int  # position in reading order
    listed: bool = False  # numbered by the contents, not by the body
    stated: bool = False  # the title states an amount (本年财政拨款收入 29569.52 万元)
    tabular: bool = False  # the title names a table (…预算表): a table's title, unless the contents list it as a part
    announced: bool = False  # the line before ends with a colon (说明：, 具体包括：, 其中：)

    @property
    def number(self) -> int:
        return int(self.num) if self.num.isdigit() else cn_number(self.num)


def cn_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20."""
    if text.startswith("十"):
        return 10 + (_CN_DIGITS.get(text[1:], 0) if len(text) > 1 else 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text, 0)


def toc_pages(pages: Sequence[Page]) -> set[int]:
    """Pages holding the table of contents: a 目录 heading and the list pages that follow it, or, among the
    first three pages, a page that is nothing but a list of numbered parts and headings (a contents page whose
    目录 heading is not in the text layer)."""
    found: set[int] = set()
    for index, page in enumerate(pages):
        heads = [normalise_text(line.text) for line in page.lines[:6]]
        if not any(_CONTENTS.match(h) for h in heads) and not (index < 3 and _unlabelled_contents(page)):
            continue
        found.add(page.number)
        leaders = _leader_share(page) >= TOL.leader_share
        for following in pages[index + 1 : index + 3]:
            if _looks_like_list(following) and (not leaders or _leader_share(following) >= TOL.leader_share):
                found.add(following.number)
            else:
                break
    return found


def _unlabelled_contents(page: Page) -> bool:
    texts = [normalise_text(line.text) for line in page.lines if normalise_text(line.text)]
    parts = sum(1 for t in texts if _PART.match(t))
    numbered = sum(1 for t in texts if _heading_match(t))
    return parts >= 2 and numbered >= 6 and _looks_like_list(page)


def _leader_share(page: Page) -> float:
    """Share of the page's lines with dot leaders (a contents list printed with them continues with them)."""
    texts = [normalise_text(line.text) for line in page.lines if normalise_text(line.text)]
    return sum(1 for t in texts if _LEADER.search(t)) / len(texts) if texts else 0.0


def _looks_like_list(page: Page) -> bool:
    texts = [normalise_text(line.text) for line in page.lines if normalise_text(line.text)]
    texts = [t for t in texts if not re.fullmatch(r"[-－\d\s]*", t)]
    if not texts:
        return False
    listed = sum(1 for t in texts if (_LEADER.search(t) or _heading_match(t) or re.match(r"^\d+[、.．]", t)) and not re.search(r"[，。；]", t))
    return listed / len(texts) >= TOL.list_share and all(len(_LEADER.split(t)[0]) <= 60 for t in texts)


def _heading_match(text: str) -> tuple[float, re.Match[str]] | None:
    for rank, pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            return rank, match
    return None


def is_table_page(page: Page) -> bool:
    """A page whose lines are mostly rows of bare amounts (a printed table)."""
    texts = [line.text for line in page.lines if line.text.strip()]
    if len(texts) < 4:
        return False
    rows = sum(1 for t in texts if len(_BARE_AMOUNT.findall(t)) >= 2 or _BARE_AMOUNT.fullmatch(t.strip()))
    return rows / len(texts) >= TOL.table_page_share


def toc_entries(pages: Sequence[Page], toc: set[int]) -> list[tuple[int, str, str]]:
    """(level, number, title) of each numbered entry of the table of contents (level 1 第X部分, 2 一、)."""
    entries = []
    for page in pages:
        if page.number not in toc:
            continue
        for line in page.lines:
            text = _LEADER.split(normalise_text(line.text))[0]
            text = re.sub(r"[.…·]*\d*$", "", text)
            found = _heading_match(text)
            if found and found[0] < 3 and found[1]["title"]:
                entries.append((int(found[0]), found[1]["num"], found[1]["title"]))
    return entries


def find_sections(pages: Sequence[Page], tables: Sequence[TableArea] = ()) -> list[Section]:
    """Find the numbered headings of the body, in order, at the document's own ranks.

    ``tables`` are the tables found on the pages: their rows and titles are never headings.
    """
    skip = toc_pages(pages)
    lines = list(_body_lines(pages, skip, tables))
    candidates = [c for c in (_candidate(lines, i) for i in range(len(lines))) if c is not None]
    candidates = _without_contents_lists(candidates)
    entries = toc_entries(pages, skip)
    candidates = [replace(c, listed=True) if _in_contents(c, entries) else c for c in candidates]
    candidates = [c for c in candidates if c.listed or not c.tabular]
    candidates = sorted(candidates + _from_contents(lines, candidates, entries), key=lambda c: c.order)
    candidates = sorted(candidates + _unnumbered_parts(lines, candidates, entries), key=lambda c: c.order)
    candidates = _without_bare_items(candidates, len(lines))
    accepted = _in_sequence(candidates)
    kept = _without_running_items(accepted)
    return _ranked(kept)


@dataclass(frozen=True)
class _BodyLine:
    page: Page
    line: Line
    text: str  # as printed, whitespace dropped (quotes kept: titles keep them)
    order: int
    right: float  # the right edge of the page's text
    left: float  # the left edge of the page's running text
    in_table: bool  # the page is mostly rows of amounts: only a part's heading (第X部分) stands on it


def _body_lines(pages: Sequence[Page], skip: set[int], tables: Sequence[TableArea]) -> Iterator[_BodyLine]:
    """The body's lines in reading order, without the contents pages and what lies in or over a table."""
    areas: dict[int, list[TableArea]] = {}
    for table in tables:
        areas.setdefault(table.page, []).append(table)
    order = 0
    for page in pages:
        if page.number in skip:
            continue
        right = max((line.bbox.x1 for line in page.lines), default=0.0) if page.chars else 0.0  # 0: no positions
        left = _left_edge(page)
        on_page = areas.get(page.number, [])
        over = _titles_over_tables(page, on_page)
        table_page = is_table_page(page)
        for line in page.lines:
            if line in over or any(a.bbox.holds_centre_of(line.bbox, TOL.table_area_margin) for a in on_page):
                continue
            text = printed_text(line.text)
            if not text:
                continue
            yield _BodyLine(page, line, text, order, right, left, table_page)
            order += 1


def _left_edge(page: Page) -> float:
    """Where the running text's lines start: the commonest start of the page's longer lines (running heads and
    indented first lines are fewer)."""
    width = TOL.left_edge_bucket
    starts = Counter(round(line.bbox.x0 / width) for line in page.lines if len(line.text.strip()) > 10)
    if not starts:
        return 0.0
    bucket = starts.most_common(1)[0][0]
    return min(line.bbox.x0 for line in page.lines if len(line.text.strip()) > 10 and round(line.bbox.x0 / width) == bucket)


def _titles_over_tables(page: Page, areas: Sequence[TableArea]) -> set[Line]:
    """The lines that print a table's title right over it: only captions (unit, 表N) between the two, no
    sentence (a heading that a sentence introduces before its table stays a heading)."""
    found: set[Line] = set()
    for area in areas:
        title = normalise_text(area.title)
        if not title:
            continue
        above = [line for line in page.lines if line.bbox.bottom <= area.bbox.top + TOL.title_over_table]
        for index, line in enumerate(above):
            text = normalise_text(line.text)
            if text == title or (text.endswith(title) and len(text) - len(title) <= 8):
                between = [normalise_text(b.text) for b in above[index + 1 :] if b.bbox.top >= line.bbox.bottom - TOL.between_slack]
                if not any(_CLAUSE.search(b) or b.endswith(("。", "：", ":")) for b in between):
                    found.add(line)
    return found


def _candidate(lines: Sequence[_BodyLine], index: int) -> _Candidate | None:
    here = lines[index]
    found = _heading_match(here.text)
    if not found or _LEADER.search(here.text):
        return None
    rank, match = found
    if rank > 1 and here.in_table:
        return None
    raw = match["title"]
    last = here  # the last line the title takes
    follows = _next_on_page(lines, index)
    if not raw:  # the number on a line of its own, the title below it (a separator page: 第二部分 / 2026年部门预算表)
        raw, last = _title_below(lines, index)
        follows = _next_on_page(lines, last.order)
    elif rank == 1 and follows is not None and _continues_centred(here, follows):
        raw += follows.text  # a part's title over two centred lines (第三部分 江苏省高级人民法院 2017 年度 / 部门预算情况说明)
        last, follows = follows, _next_on_page(lines, follows.order)
    end = _TITLE_END.search(raw)
    runs_on = False
    if end is None and follows is not None and _wraps(last, follows):
        # the title goes on to the next line: a heading's last words (…绩效目标情 / 况说明), or a sentence
        runs_on = _wraps(follows, _next_on_page(lines, follows.order))  # order is the index in lines
        raw += follows.text
        end = _TITLE_END.search(raw)
    title = raw[: end.start()] if end else raw
    if not title or _BARE_AMOUNT.search(title) or _SECOND_NUMBER.search(title[1:]):
        return None  # a table row such as 一、预算拨款 16,410.71 一、一般公共服务支出 …
    tabular = rank > 1 and title.endswith("表")  # a table's title, unless the contents list it as a part
    stated = bool(_AMOUNT.search(title))  # the item states an amount
    item_like = rank > 1 and (
        len(title) > _MAX_TITLE
        or runs_on
        or bool(_CLAUSE.search(title))
        or bool(_CODE_LED.match(title))
        or bool(end and _DEFINITION.match(raw[end.start() :]))
        or bool(stated and end and raw[end.end() :])  # an amount, then the sentence goes on: 人员经费 N 万元。主要包括…
    )
    sentence = rank > 1 and end is not None and raw[end.start()] == "。"
    return _Candidate(
        rank=rank, num=match["num"], title=title, page=here.page.number, bbox=here.line.bbox, item_like=item_like,
        sentence=sentence, ends_line=end is None and not runs_on, order=here.order, stated=stated, tabular=tabular,
        announced=index > 0 and lines[index - 1].text.endswith(("：", ":")),
    )


def _continues_centred(line: _BodyLine, follows: _BodyLine) -> bool:
    """A short line centred under a heading, not itself numbered: the rest of the heading's title."""
    centred = abs(line.line.bbox.middle_x - follows.line.bbox.middle_x) <= TOL.centred_offset
    return len(follows.text) <= 20 and centred and not _heading_match(follows.text) and not _TITLE_END.search(line.text)


def _title_below(lines: Sequence[_BodyLine], index: int) -> tuple[str, _BodyLine]:
    """The title under a number printed alone: the next line, or on a separator page (the number and a few short
    lines, nothing else) all of them (第二部分 / 2026年度 / 无锡市商务局 / 部门预算表)."""
    rest = []
    follows = _next_on_page(lines, index)
    while follows is not None:
        rest.append(follows)
        follows = _next_on_page(lines, follows.order)
    short = [line for line in rest[:4] if len(line.text) <= _MAX_TITLE and not _heading_match(line.text)]
    if not short or short[0] is not rest[0]:
        return "", lines[index]
    taken = short if len(rest) == len(short) and sum(len(line.text) for line in short) <= _MAX_TITLE else short[:1]
    return "".join(line.text for line in taken), taken[-1]


def _next_on_page(lines: Sequence[_BodyLine], index: int) -> _BodyLine | None:
    if 0 <= index + 1 < len(lines) and lines[index + 1].page is lines[index].page:
        return lines[index + 1]
    return None


def _wraps(line: _BodyLine, follows: _BodyLine | None) -> bool:
    """The line fills the measure and the text goes on at the paragraph's left edge below it (lines with no
    positions, from plain text, never wrap)."""
    return (follows is not None and line.right > 0 and line.line.bbox.x1 >= line.right - TOL.wrap_right
            and follows.line.bbox.x0 <= line.left + TOL.wrap_left)


def _without_contents_lists(candidates: list[_Candidate]) -> list[_Candidate]:
    """Leave out an unlabelled contents list in the body: three or more headings of one rank, numbered in
    sequence, on consecutive lines with no text between them."""
    drop: set[int] = set()
    run: list[_Candidate] = []
    for candidate in [*candidates, None]:
        if (
            candidate is not None
            and run
            and candidate.rank == run[-1].rank
            and candidate.order == run[-1].order + 1
            and candidate.number == run[-1].number + 1
            and candidate.ends_line
        ):
            run.append(candidate)
            continue
        if len(run) >= 3 and run[0].number == 1:
            drop.update(c.order for c in run)
        run = [candidate] if candidate is not None and candidate.ends_line else []
    return [c for c in candidates if c.order not in drop]


def _without_bare_items(candidates: list[_Candidate], count: int) -> list[_Candidate]:
    """Leave out the arabic-numbered lines with no text of their own: the next line is the next heading or item of
    the same or a higher rank, or the document ends (具体包括： / 1.财政局本部 / then the next part). Arabic numbers
    mostly list things (units, offices, amounts); a heading numbered so has its paragraph."""
    at = {c.order: c for c in candidates}
    return [
        c for c in candidates
        if c.rank < _ARABIC_RANK or not (c.order + 1 == count or (c.order + 1 in at and at[c.order + 1].rank <= c.rank))
    ]


def _core(title: str) -> str:
    return re.sub(r"^(?:部门|单位|本部门|本单位)", "", title)


def _from_contents(lines: Sequence[_BodyLine], candidates: list[_Candidate], entries: list[tuple[int, str, str]]) -> list[_Candidate]:
    """Headings the body prints without the number its contents give them (上海市普陀区财政局主要职能 for
    一、部门主要职能): taken only when the body prints hardly any of the contents' top-rank entries numbered."""
    if not entries:
        return []
    top = min(level for level, _, _ in entries)
    listed = [(number, title) for level, number, title in entries if level == top]
    printed = sum(1 for number, title in listed if any(c.num == number and _same_title(c.title, title) for c in candidates))
    if printed * 2 >= len(listed):
        return []
    found: list[_Candidate] = []
    start = 0
    for number, title in listed:
        core = _core(title)
        for position in range(start, len(lines)):
            body = lines[position]
            plain = normalise_text(body.text)
            if len(core) >= 2 and plain.endswith(core) and len(body.text) <= _MAX_TITLE and not _heading_match(body.text):
                found.append(_Candidate(
                    rank=top - _TOC_PART, num=number, title=body.text, page=body.page.number, bbox=body.line.bbox,
                    item_like=False, sentence=False, ends_line=True, order=body.order, listed=True,
                ))
                start = position + 1
                break
    return found


def _unnumbered_parts(lines: Sequence[_BodyLine], candidates: list[_Candidate], entries: list[tuple[int, str, str]]) -> list[_Candidate]:
    """Parts of the contents the body prints without their number while it numbers the parts around them: a part of
    tables titled at the top of its first table page (上海市某局2024年度部门决算表 above 收入支出决算总表, listed
    as 第二部分 between a numbered 第一部分 and 第三部分). The title is looked for between the parts printed before
    and after it, as the first line of a page (a part opens its page) that is no numbered heading, printed as the
    contents word it or nearly so (a department's name shortened on the page); the contents give its number."""
    parts = [(number, title) for level, number, title in entries if level == 1]
    printed = {c.num: c.order for c in candidates if c.rank == 1.0}
    if not parts or not printed:
        return []
    found: list[_Candidate] = []
    for index, (number, title) in enumerate(parts):
        if number in printed or len(normalise_text(title)) < _MIN_PART_TITLE:
            continue
        after = max((printed[n] for n, _ in parts[:index] if n in printed), default=-1)
        before = min((printed[n] for n, _ in parts[index + 1 :] if n in printed), default=len(lines))
        for position in range(after + 1, before):
            body = lines[position]
            opens_page = position == 0 or lines[position - 1].page is not body.page
            if opens_page and len(body.text) <= _MAX_TITLE and not _heading_match(body.text) and _printed_as(body.text, title):
                found.append(_Candidate(
                    rank=1.0, num=number, title=body.text, page=body.page.number, bbox=body.line.bbox,
                    item_like=False, sentence=False, ends_line=True, order=body.order, listed=True,
                ))
                break
    return found


def _printed_as(text: str, title: str) -> bool:
    """The body's line prints the contents' title: the same characters in the same order, all but a few (a name
    shortened on the page, a title the contents wrap before its last word)."""
    a, b = normalise_text(text), normalise_text(title)
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= _PART_LIKENESS


def _in_contents(candidate: _Candidate, entries: list[tuple[int, str, str]]) -> bool:
    """The contents list this heading at their top rank (第X部分, or 一、 where that is the top) with its number and
    title: so its number stands even where the body skips one (a part of tables only, 第二部分, that the body never
    heads), and a part titled as a table (四、2026年预算公开表) is a part."""
    top = min((level for level, _, _ in entries), default=0)
    return candidate.rank == top and any(
        level == top and number == candidate.num and _same_title(candidate.title, title) for level, number, title in entries
    )


def _same_title(a: str, b: str) -> bool:
    a, b = normalise_text(a), normalise_text(b)
    return a.startswith(b[:4]) or b.startswith(a[:4]) or _core(a).startswith(_core(b)[:4])


def _in_sequence(candidates: list[_Candidate]) -> list[tuple[_Candidate, int | None]]:
    """Keep the candidates whose numbers run in sequence under their parent (or on from the previous parent's, as
    where 一…四 head part one and 五 part two), each with its parent's index."""
    accepted: list[tuple[_Candidate, int | None]] = []
    last: dict[float, int] = {}
    running: dict[float, int] = {}  # the last number of each rank over the whole document: some number on across parts
    open_at: dict[float, int] = {}
    # the deepest of the Chinese-numbered ranks: a list there may number from 1 again under its heading; arabic
    # items, deeper still, do so under any heading
    deepest = max((c.rank for c in candidates if c.rank < _ARABIC_RANK), default=0.0)
    for candidate in candidates:
        rank = candidate.rank
        number = candidate.number
        expected = last.get(rank, 0) + 1
        if (
            number != expected
            and not (number == 1 and rank >= deepest)
            and not (candidate.listed and number > expected)
            and not (expected == 1 and number == running.get(rank, 0) + 1 and rank < deepest)
        ):
            continue
        running[rank] = number
        parents = [index for level, index in open_at.items() if level < rank]
        accepted.append((candidate, max(parents) if parents else None))
        last = {level: n for level, n in last.items() if level < rank}
        last[rank] = number
        open_at = {level: index for level, index in open_at.items() if level < rank}
        open_at[rank] = len(accepted) - 1
    return accepted


def _without_running_items(accepted: list[tuple[_Candidate, int | None]]) -> list[tuple[_Candidate, int | None]]:
    """Drop the items of running text: each run of siblings that :func:`_items_of_text` calls so, any single item
    that reads as a clause or definition, and everything nested under a dropped item. At the arabic rank, where
    numbers mostly list things, a whole run goes when one member reads so or a colon announces it (说明：/ 1、…)."""
    runs: dict[tuple[float, int | None, int], list[int]] = {}
    run_of: dict[tuple[float, int | None], int] = {}
    for index, (candidate, parent) in enumerate(accepted):
        slot = (candidate.rank, parent)
        if candidate.number == 1:
            run_of[slot] = index
        runs.setdefault((candidate.rank, parent, run_of.get(slot, index)), []).append(index)
    dropped: set[int] = set()
    for (_, parent, _), members in runs.items():
        run = [accepted[i][0] for i in members]
        if _items_of_text(run, accepted[parent][0].title if parent is not None else None):
            dropped.update(members)
        if run[0].rank == _ARABIC_RANK and (run[0].announced or any(c.item_like for c in run)):
            dropped.update(members)  # arabic numbers list things: a run that a colon announces, or with one item of running text
        dropped.update(i for i in members if accepted[i][0].item_like)
    kept: list[tuple[_Candidate, int | None]] = []
    new_index: dict[int, int] = {}
    for index, (candidate, parent) in enumerate(accepted):
        if index in dropped or (parent is not None and parent in dropped):
            dropped.add(index)
            continue
        new_index[index] = len(kept)
        kept.append((candidate, new_index.get(parent) if parent is not None else None))
    return kept


def _items_of_text(run: list[_Candidate], parent_title: str | None) -> bool:
    """A run of siblings (one rank, one parent) is a list in running text, not headings, when: it holds the terms
    under 名词解释; at least half its members read as clauses or definitions; under a heading of duties or tasks
    (主要职责, 主要工作) or of the offices (机构设置, each listed with its remit), at least half are sentences; or most
    state amounts and one reads as a clause (a breakdown: （一）人员经费 N 万元。主要包括…); or each member is a
    sentence stating an amount (1.一般公共预算拨款收入 N 万元。2.政府性基金预算拨款收入 0 万元。)."""
    under = section_key(parent_title) if parent_title is not None else None
    items = sum(1 for c in run if c.item_like)
    sentences = sum(1 for c in run if c.item_like or c.sentence)
    amounts = sum(1 for c in run if c.stated)
    return (
        under == "glossary"
        or items * 2 >= len(run)
        or (under in ("functions", "organisation") and sentences * 2 >= len(run))
        or (items > 0 and amounts * 2 > len(run))
        or (len(run) > 1 and all(c.stated and c.sentence for c in run))
    )


def _ranked(kept: list[tuple[_Candidate, int | None]]) -> list[Section]:
    """Sections at the document's own ranks (1 its top one), each with its key, parent and inherited key (or its
    parent's funding)."""
    ranks = {rank: level for level, rank in enumerate(sorted({c.rank for c, _ in kept}), start=1)}
    out: list[Section] = []
    for candidate, parent in kept:
        key = section_key(candidate.title)
        if parent is not None and (out[parent].key in _INHERITING or key == "other"):
            key = out[parent].key
        elif parent is not None and out[parent].key in _FUNDED and key in _UNFUNDED:
            key = _FUNDED[out[parent].key].get(key, out[parent].key)
        out.append(Section(key, candidate.num, candidate.title, ranks[candidate.rank], candidate.page, candidate.bbox, parent))
    return out
