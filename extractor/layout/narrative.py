"""The narrative as one text stream: lines joined into paragraphs, whitespace dropped, with a map
back to the page and line box of every character (for provenance)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from extractor.domain.labels import normalise_text
from extractor.geometry import Box, union
from extractor.layout.sections import Section, is_table_page, toc_pages
from extractor.layout.settings import TOLERANCES as TOL
from extractor.model import Page

_WIDE_DIGITS = str.maketrans("０１２３４５６７８９．，", "0123456789.,")
_PARAGRAPH_END = re.compile(r"[。；;！？：:]$")


@dataclass(frozen=True)
class Narrative:
    """``text`` is the joined narrative; ``starts[i]`` is the offset where ``lines[i]`` begins."""

    text: str
    starts: tuple[int, ...]
    lines: tuple[tuple[int, Box], ...]  # (page number, line box)
    section_at: tuple[tuple[int, str], ...]  # (offset, section key), sorted

    def locate(self, start: int, end: int) -> tuple[int, Box]:
        """Page and box of the text between two offsets (the union of the boxes of its lines)."""
        first = max(bisect.bisect_right(self.starts, start) - 1, 0)
        last = max(bisect.bisect_right(self.starts, max(end - 1, start)) - 1, first)
        page = self.lines[first][0]
        return page, union([box for number, box in self.lines[first : last + 1] if number == page])

    def section(self, offset: int) -> str | None:
        """Key of the section the offset lies in."""
        index = bisect.bisect_right([o for o, _ in self.section_at], offset) - 1
        return self.section_at[index][1] if index >= 0 else None


_PAGE_NUMBER = re.compile(r"^(?:[-—–－]*\d{1,4}[-—–－]*|第\d{1,4}页(?:[,，/共]+\d{1,4}页?)?|\d{1,4}/\d{1,4})$")


def _stands_alone(text: str, title: str | None) -> bool:
    """A heading line that holds only its heading ends its paragraph; a run-in one (（三）公务用车购置和运行维护费。
    2026 年预算数 / 121.81 万元) goes on into its sentence."""
    return title is not None and normalise_text(text).rstrip("。:：").endswith(normalise_text(title))


def build_narrative(pages: Sequence[Page], sections: Sequence[Section]) -> Narrative:
    """Join the body's lines (table of contents and table pages left out) into one stream."""
    skip = toc_pages(pages)
    parts: list[str] = []
    starts: list[int] = []
    lines: list[tuple[int, Box]] = []
    titles = {(s.page, s.bbox): s.title for s in sections}
    section_marks: list[tuple[int, str]] = []
    keys = {(s.page, s.bbox): s.key for s in sections}
    offset = 0
    for page in pages:
        if page.number in skip or is_table_page(page):
            continue
        right = max((line.bbox.x1 for line in page.lines), default=0.0)
        uniform = len({line.bbox.x1 for line in page.lines}) <= 1
        for index, line in enumerate(page.lines):
            text = "".join(line.text.translate(_WIDE_DIGITS).split())  # str.split drops the characters \s matches
            if not text or (index in (0, len(page.lines) - 1) and _PAGE_NUMBER.match(text)):
                continue  # a page number between two pages would split the word it falls in
            if (page.number, line.bbox) in keys:
                section_marks.append((offset, keys[(page.number, line.bbox)]))
            starts.append(offset)
            lines.append((page.number, line.bbox))
            ends_paragraph = (
                uniform
                or _PARAGRAPH_END.search(text) is not None
                or _stands_alone(line.text, titles.get((page.number, line.bbox)))
                or line.bbox.x1 < right - TOL.short_line
            ) and not text[-1].isdigit()  # a number runs on to its unit on the next line
            chunk = text + ("\n" if ends_paragraph else "")
            parts.append(chunk)
            offset += len(chunk)
    return Narrative("".join(parts), tuple(starts), tuple(lines), tuple(section_marks))
