"""The neutral page model every reader produces.

Nothing downstream of the readers knows which format a page came from: a page is text lines with
their boxes. Coordinates are in points with the origin at the top-left corner of the page
(pdfplumber's convention): ``(x0, top, x1, bottom)``.
"""

from __future__ import annotations

import enum
import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, overload

if TYPE_CHECKING:
    import numpy as np

# BBox, the plain tuple the records hold, is re-exported from here where the records have always found it
from extractor.geometry import BBox as BBox
from extractor.geometry import Box


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
    bbox: Box


class Char(NamedTuple):
    """One printed character with its box (a tuple: pages hold thousands)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


class Chars(Sequence[Char]):
    """A page's characters held as arrays, as the PDF reader finds them: each character's text, and an (n, 4) array
    of their boxes (left, top, right, bottom). A page has thousands of characters, and the table finder reads them
    as arrays: a :class:`Char` is made only for one asked for (``chars[i]``, iterating), with the same figures."""

    __slots__ = ("boxes", "texts")

    def __init__(self, texts: Sequence[str], boxes: np.ndarray) -> None:
        if len(texts) != len(boxes):
            raise ValueError("one box for each character")
        self.texts = texts
        self.boxes = boxes

    def __len__(self) -> int:
        return len(self.texts)

    @overload
    def __getitem__(self, index: int) -> Char: ...

    @overload
    def __getitem__(self, index: slice) -> Chars: ...

    def __getitem__(self, index: int | slice) -> Char | Chars:
        if isinstance(index, slice):
            return Chars(self.texts[index], self.boxes[index])
        return Char(self.texts[index], *self.boxes[index].tolist())

    def __iter__(self) -> Iterator[Char]:
        return map(Char._make, zip(self.texts, *self.boxes.T.tolist(), strict=True)) if len(self.texts) else iter(())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Chars({len(self)} characters)"

    def __reduce__(self) -> tuple[Any, ...]:
        return Chars, (self.texts, self.boxes)

    @classmethod
    def of(cls, chars: Sequence[Char]) -> Chars:
        """Characters made one by one, held as arrays: their texts as one string when each is one code point."""
        texts = [c.text for c in chars]
        return cls("".join(texts) if all(len(t) == 1 for t in texts) else texts, char_boxes(chars))


def char_boxes(chars: Sequence[Char]) -> np.ndarray:
    """The characters' boxes as an (n, 4) array: left, top, right, bottom."""
    import numpy as np

    flat = itertools.chain.from_iterable(map(_BOX, chars))
    return np.fromiter(flat, dtype=np.float64, count=4 * len(chars)).reshape(len(chars), 4)


_BOX = operator.itemgetter(1, 2, 3, 4)  # a Char's left, top, right, bottom


class Rule(NamedTuple):
    """One ruling line, horizontal (``top == bottom``) or vertical (``x0 == x1``)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def horizontal(self) -> bool:
        return self.x1 - self.x0 >= self.bottom - self.top


@dataclass(frozen=True)
class Page:
    """One page: its 1-based number, size in points, text lines in reading order.

    Readers that know positions also give every character and every ruling line, from which the
    table finder builds cell grids; readers without them (plain text) leave both empty.
    """

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    chars: Sequence[Char] = ()  # a tuple, or the PDF reader's :class:`Chars`
    rules: tuple[Rule, ...] = ()
    unreadable: bool = False  # the reader could not load this page (a corrupt page object)
    ocr: bool = False  # the text was recognised from the page's image
    confidence: tuple[float, ...] = ()  # OCR pages: each character's recognition confidence, parallel to chars
    turned: int = 0  # OCR pages: degrees the image was turned clockwise to stand upright (coordinates are of the upright page)
    skew: float = 0.0  # OCR pages: degrees of skew straightened before reading
    heading: str | None = None  # a web page's own title (from <title> and its main heading, not its navigation)
    published: str | None = None  # the publication date a web page prints (发布日期 2026-02-12), as YYYY-MM-DD
    laid_out: bool = False  # laid out by the reader from a web page's, Word document's or sheet's cells, not printed

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
    attachments: tuple[tuple[str, str], ...] = ()  # links to attached files: (address, link text)
    pictures: tuple[str, ...] = ()  # addresses of the pictures of a web page that may carry the report

    @property
    def images(self) -> int:
        return len(self.pictures)
