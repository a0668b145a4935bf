"""The neutral page model every reader produces.

Nothing downstream of the readers knows which format a page came from: a page is text lines with
their boxes. Coordinates are in points with the origin at the top-left corner of the page
(pdfplumber's convention): ``(x0, top, x1, bottom)``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

BBox = tuple[float, float, float, float]


class InputFormat(enum.Enum):
    """Formats recognised from a file's first bytes."""

    PDF = "pdf"
    TEXT = "text"
    HTML = "html"
    XLSX = "xlsx"
    DOCX = "docx"
    ZIP = "zip"
    OLE = "ole"  # legacy .xls / .doc
    JSON = "json"
    IMAGE = "image"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Line:
    """One printed line of text, as the reader found it, with its box on the page."""

    text: str
    bbox: BBox


@dataclass(frozen=True)
class Page:
    """One page: its 1-based number, size in points and text lines in reading order."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def has_text(self) -> bool:
        return any(line.text.strip() for line in self.lines)


@dataclass(frozen=True)
class SourceDocument:
    """What a reader returns: the pages plus where they came from."""

    name: str
    sha256: str
    size_bytes: int
    format: InputFormat
    reader: str
    pages: tuple[Page, ...]
