"""Reader for plain-text disclosures (UTF-8 or GB18030), one page per form feed."""

from __future__ import annotations

from extractor.errors import CorruptInputError
from extractor.geometry import Box
from extractor.model import Line, Page

NAME = "text"
# A nominal line height so that bboxes of text lines stay ordered and comparable.
_LINE_HEIGHT = 12.0
_PAGE_WIDTH = 595.0


def decode_text(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CorruptInputError("text is neither UTF-8 nor GB18030")


def read_text(data: bytes) -> tuple[Page, ...]:
    """Split the text into pages at form feeds and lines at line breaks."""
    pages = []
    for number, chunk in enumerate(decode_text(data).split("\f"), start=1):
        raw_lines = chunk.splitlines()
        lines = tuple(
            Line(text=text, bbox=Box(0.0, i * _LINE_HEIGHT, _PAGE_WIDTH, (i + 1) * _LINE_HEIGHT))
            for i, text in enumerate(raw_lines)
            if text.strip()
        )
        pages.append(Page(number=number, width=_PAGE_WIDTH, height=_LINE_HEIGHT * max(len(raw_lines), 1), lines=lines))
    return tuple(pages)
