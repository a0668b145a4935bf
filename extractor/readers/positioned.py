"""Web pages that are a PDF turned into absolutely positioned elements (a page ``<div>`` holding one ``<div>`` per
run of text at its ``top``/``left``, and thin ``<div>``s whose borders draw the table rules, as the converters
used by government sites write them; also ``pdftohtml -c``'s ``<p>`` per text run). Each page container becomes a
page of characters and rules at their coordinates, so the tables are found exactly as in the PDF."""

from __future__ import annotations

import base64
import bisect
import io
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from lxml import etree
from PIL import Image

from extractor.errors import CorruptInputError
from extractor.layout.grid import chars_to_lines
from extractor.model import Char, Line, Page, Rule

# a number with at most one decimal point (``1.2.3px`` is no length); a unit after it is not checked
_LENGTH = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?![\d.])")
_MAX_LENGTH = 1e6  # points or pixels (350 m): a larger top, left or size is damage, read as no value
_CLASS_SIZE = re.compile(r"\.([\w-]+)\s*\{[^}]*font-size\s*:\s*([\d.]+)\s*(?:pt|px)", re.I)
_CLASS_FONT = re.compile(r"\.([\w-]+)\s*\{[^}]*font-family\s*:\s*([^;}]+)", re.I)
_MIN_POSITIONED = 50
_MAX_ELEMENTS = 20_000  # positioned elements in one page container; the corpus's densest page has 1,555
# advance of a character in font sizes; kept a little short so that a run's last character stays in its cell
_WIDE, _NARROW = 0.95, 0.42
_RULE_THICK = 3.0
# a word's true width may be this share shorter or longer than estimated; words are at least this share of a
# font size from a cell border
_SHORT, _LONG, _GAP = 0.1, 0.3, 0.1
_AMOUNT = re.compile(r"^[-(（]?\d{1,3}(?:,\d{3})*(?:\.\d+)?[)）]?$|^[-(（]?\d+\.\d+[)）]?$")
_REACH = 3.0  # a rule this close to a run's middle still crosses it
_FIT = 0.1  # a run may overlap the rules of its row by this share of a font size


class _Run(NamedTuple):
    """One positioned text element: its text (``\\n`` at each ``<br>``), place, font size and font."""

    text: str
    left: float
    top: float
    size: float
    font: str


class _Layout(NamedTuple):
    """One page container as read, before the characters are placed."""

    runs: list[_Run]
    rules: list[Rule]
    width: float | None
    height: float | None


def positioned_pages(root: etree._Element, css: str) -> tuple[Page, ...] | None:
    """The pages, when the document is laid out with absolute positions; None for an ordinary web page."""
    positioned = root.xpath('//*[contains(translate(@style, " ", ""), "position:absolute")]')
    if len(positioned) < _MIN_POSITIONED:
        return None
    sizes = {name: size for name, value in _CLASS_SIZE.findall(css) if (size := _size(value)) is not None}
    fonts = {name: family.strip() for name, family in _CLASS_FONT.findall(css)}
    layouts = [_layout(container, sizes, fonts) for container in _containers(positioned)]
    shifts = _font_shifts(layouts)
    pages = [_page(layout, number, shifts) for number, layout in enumerate(layouts, start=1)]
    return tuple(p for p in pages if p.chars or p.rules) or None


def _containers(positioned: Sequence[etree._Element]) -> list[etree._Element]:
    """The page containers (the positioned elements' parents) in order of first appearance; a page of more than
    ``_MAX_ELEMENTS`` is refused, which bounds the work of every later stage on one page."""
    counts: dict[etree._Element, int] = {}  # a dict: a list's ``in`` grew with elements times pages
    for element in positioned:
        parent = element.getparent()
        if parent is not None:
            counts[parent] = counts.get(parent, 0) + 1
    for number, count in enumerate(counts.values(), start=1):
        if count > _MAX_ELEMENTS:
            raise CorruptInputError(f"page {number} of the positioned HTML has {count:,} positioned elements, more than the "
                                    f"{_MAX_ELEMENTS:,} a page is read with")
    return list(counts)


def _style(element: etree._Element) -> dict[str, str]:
    out = {}
    for part in (element.get("style") or "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip().lower()] = value.strip()
    return out


def _length(value: str | None) -> float | None:
    """A style's length in points or pixels; None for no value, a damaged one (``1.2.3px``, 400 digits) or one
    no page could have, so that one bad element is skipped rather than the file failing."""
    match = _LENGTH.match(value or "")
    number = float(match.group()) if match else None
    return number if number is not None and abs(number) <= _MAX_LENGTH else None


def _size(value: str | None) -> float | None:
    """A font size, width or height: a length above zero (a zero font size would give characters no width)."""
    length = _length(value)
    return length if length is not None and length > 0 else None


def _layout(container: etree._Element, sizes: dict[str, float], fonts: dict[str, str]) -> _Layout:
    style = _style(container)
    runs: list[_Run] = []
    rules: list[Rule] = []
    for element in container:
        if not isinstance(element.tag, str):
            continue
        s = _style(element)
        left, top = _length(s.get("left")), _length(s.get("top"))
        if left is None or top is None:
            continue
        text = _text(element).replace("\xa0", " ")
        if text.strip():
            classes = (element.get("class") or "").split()
            size = _size(s.get("font-size")) or next((sizes[c] for c in classes if c in sizes), 12.0)
            font = s.get("font-family") or next((fonts[c] for c in classes if c in fonts), "")
            runs.append(_Run(text, left, top, size, font))
        else:
            rules.extend(_rules(s, left, top))
    width = _size(style.get("width"))
    rules.extend(_image_rules(container, width))
    # a run repeated at its own place (same text, size and font) is printed once: no converter writes one twice, and
    # thousands of copies would make one line of thousands of characters for every later stage to search
    return _Layout(list(dict.fromkeys(runs)), rules, width, _size(style.get("height")))


def _page(layout: _Layout, number: int, shifts: dict[str, float]) -> Page:
    walls = _walls(layout.rules)
    chars = [ch for run in layout.runs
             for ch in _chars(run.text, run.left, run.top + shifts.get(run.font, 0.0) * run.size, run.size, walls)]
    width = layout.width or max((c.x1 for c in chars), default=595.0)
    height = layout.height or max((c.bottom for c in chars), default=842.0)
    lines = tuple(Line(line.text, line.bbox) for line in chars_to_lines(chars))
    return Page(number=number, width=width, height=height, lines=lines, chars=tuple(chars), rules=tuple(layout.rules))


# Where a font's text is placed, in font sizes: pdftohtml puts a run's top at its baseline less the font's
# ascent, and a font that declares no ascent (a broken embedded subset) has its text a line too low.
_SHIFTS = (0.0, -0.1, -0.2, -0.3, -0.4, -0.5, -0.6, -0.7, -0.8, -0.9)


def _font_shifts(layouts: Sequence[_Layout]) -> dict[str, float]:
    """Per font, the vertical shift that puts most of its runs inside a table row (between two rules) rather
    than across one; 0 unless another shift fits more runs. Runs outside tables do not count."""
    fits: dict[str, list[int]] = {}
    for layout in layouts:
        for run, ys in _rules_across(layout):
            height = run.size * (run.text.count("\n") + 1)
            if not ys or not ys[0] < run.top + height / 2 < ys[-1]:
                continue
            counts = fits.setdefault(run.font, [0] * len(_SHIFTS))
            for i, shift in enumerate(_SHIFTS):
                top = run.top + shift * run.size
                inside = bisect.bisect_right(ys, top + _FIT * run.size) == bisect.bisect_left(ys, top + height - _FIT * run.size)
                counts[i] += inside
    return {font: _SHIFTS[counts.index(max(counts))] for font, counts in fits.items()}


def _rules_across(layout: _Layout) -> Iterator[tuple[_Run, list[float]]]:
    """Each run with the sorted tops of the horizontal rules that reach its middle (within ``_REACH``), in one sweep
    from left to right: a rule joins at its left end and leaves past its right end, so the work grows with the
    elements rather than with runs times rules (issue 30: 30,000 elements took 43 s). The list is the sweep's own:
    read it before taking the next run."""
    events: list[tuple[float, int, float]] = []  # at x: a rule's top joins (0), a run is asked (1), a top leaves (2)
    for r in layout.rules:
        if r.horizontal and r.x0 - _REACH <= r.x1 + _REACH:
            events += [(r.x0 - _REACH, 0, r.top), (r.x1 + _REACH, 2, r.top)]
    for index, run in enumerate(layout.runs):
        events.append((run.left + sum(_advance(ch, run.size) for ch in run.text.split("\n")[0]) / 2, 1, index))
    ys: list[float] = []
    for _, kind, value in sorted(events):
        if kind == 0:
            bisect.insort(ys, value)
        elif kind == 2:
            del ys[bisect.bisect_left(ys, value)]
        else:
            yield layout.runs[int(value)], ys


def _text(element: etree._Element) -> str:
    """The element's text with a line break for each ``<br>``. A positioned element inside it (damaged markup nests
    them) is a run of its own: its text is left out here, else a nest of thousands is read once per ancestor."""
    pieces: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(element, False)]  # (node, its tail is next)
    while stack:
        node, tail = stack.pop()
        if tail:
            pieces.append(node.tail or "")
        elif node is element or not _positioned(node):
            pieces.append("\n" if node.tag == "br" else "")
            pieces.append((node.text or "") if isinstance(node.tag, str) else "")
            for child in reversed(node):
                stack += [(child, True), (child, False)]
    return "".join(pieces)


def _positioned(element: etree._Element) -> bool:
    """As the page's ``position:absolute`` search finds elements."""
    return "position:absolute" in (element.get("style") or "").replace(" ", "")


def _advance(ch: str, size: float) -> float:
    return size * (_WIDE if unicodedata.east_asian_width(ch) in ("W", "F") else _NARROW)


def _chars(text: str, left: float, top: float, size: float, walls: _Walls) -> list[Char]:
    """A run's characters at estimated advances, one line per ``<br>`` (at the same left).

    ``pdftohtml`` joins the texts of neighbouring cells into one run with a space between them; where a
    vertical rule lies in such a gap, the words before it are kept left of it and the rest start after it.
    """
    out = []
    for row, line in enumerate(text.split("\n")):
        y = top + row * size
        pieces: list[tuple[str, float, float, float]] = []  # text, x, width, width at estimated advances
        previous = 0
        for match in re.finditer(r"\S+", line):
            word = match.group()
            natural = width = sum(_advance(ch, size) for ch in word)
            if not pieces:
                x = left + match.start() * _NARROW * size
            else:
                text0, x0, width0, natural0 = pieces[-1]
                x = x0 + width0 + (match.start() - previous) * _NARROW * size
                wall = _wall(walls, y + size / 2, x0 + width0 - _SHORT * width0, x0 + width0 + size + _LONG * width0)
                if wall is None and _AMOUNT.match(text0) and _AMOUNT.match(word):
                    # two amounts are two cells, however wrong the estimated widths (a font's size misstated)
                    wall = _wall(walls, y + size / 2, x0 + size * _GAP, x0 + width0 + size + 2 * width0)
                if wall is not None:
                    pieces[-1] = (text0, x0, min(width0, wall - size * _GAP - x0), natural0)
                    x = max(x, wall + size * _GAP)
            pieces.append((word, x, width, natural))
            previous = match.end()
        for word, x, width, natural in pieces:
            for ch in word:
                advance = _advance(ch, size) * width / natural
                out.append(Char(ch, round(x, 2), round(y, 2), round(x + advance * 0.95, 2), round(y + size, 2)))
                x += advance
    return out


class _Walls(NamedTuple):
    """A page's vertical rules by their ``x0``, so that a word looks only at those between it and the next word."""

    xs: list[float]
    rules: list[Rule]


def _walls(rules: Sequence[Rule]) -> _Walls:
    walls = sorted({r for r in rules if not r.horizontal})  # by x0; a rule repeated is looked at once
    return _Walls([r.x0 for r in walls], walls)


def _wall(walls: _Walls, y: float, low: float, high: float) -> float | None:
    """The leftmost vertical rule crossing line ``y`` between ``low`` and ``high``: where a word ending near
    ``low`` may be followed by a cell border (pdftohtml joins words less than a font size apart, and the
    estimated width may be short)."""
    for index in range(bisect.bisect_right(walls.xs, low), len(walls.xs)):
        r = walls.rules[index]
        if r.x0 >= high:
            return None
        if r.top - 2 <= y <= r.bottom + 2:
            return r.x0
    return None


def _rules(s: dict[str, str], left: float, top: float) -> list[Rule]:
    """A thin element with a border is a rule: horizontal when it has no height, vertical when it has no width."""
    width, height = _length(s.get("width")) or 0.0, _length(s.get("height")) or 0.0
    if not any(k.startswith("border") for k in s):
        return []
    if height <= _RULE_THICK and width > _RULE_THICK:
        y = round(top + height, 2)
        return [Rule(round(left, 2), y, round(left + width, 2), y)]
    if width <= _RULE_THICK and height > _RULE_THICK:
        x = round(left + width, 2)
        return [Rule(x, round(top, 2), x, round(top + height, 2))]
    return []


_MIN_RUN = 15  # pixels: a boundary at least this long in a background picture is a ruling line
_STEP = 10  # grey levels: neighbouring pixels this different lie on two sides of a boundary
_THIN_PX = 4  # pixels: the two boundaries of a line this thin (or of a gap between two boxes) are one rule


def _image_rules(container: etree._Element, page_width: float | None) -> list[Rule]:
    """Ruling lines drawn in an inlined background picture (``pdftohtml -c -dataurls`` draws the tables' rules there)."""
    rules: list[Rule] = []
    for img in container.iter("img"):
        picture = _picture(img.get("src") or "")
        if picture is None:
            continue
        shown = _size(img.get("width")) or page_width
        scale = shown / picture.width if shown and picture.width else 1.0
        rules.extend(_boundaries(picture, scale))
    return rules


_MAX_PICTURE = 40_000_000  # pixels of a background picture decoded to find its rules


def _picture(src: str) -> Image.Image | None:
    """An inlined picture in grey, or None: not inlined, too large to decode (its rules are not read), or damaged.
    A damaged picture costs only its rules: the page's text is read all the same."""
    if not src.startswith("data:image/"):
        return None
    try:
        opened = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
        if opened.width * opened.height > _MAX_PICTURE:
            return None  # a background of 400 megapixels is not decoded
        return opened.convert("L")
    except _PICTURE_ERRORS:
        return None


# what Pillow raises on a damaged or hostile picture: bad base64 (binascii.Error is a ValueError), an unknown or
# truncated file (OSError), a broken PNG chunk or checksum (SyntaxError), a short header (struct.error, EOFError),
# a declared size past its bomb limit
_PICTURE_ERRORS = (ValueError, OSError, IndexError, SyntaxError, EOFError, struct.error, zlib.error, Image.DecompressionBombError)


def _boundaries(picture: object, scale: float) -> list[Rule]:
    """Rules where the shade changes along a long straight run, as PDF readers take the edges of filled boxes:
    a thin line (a dark one, or a light grey one) and the edges of a shaded box alike. The two edges of a thin
    line, or of a narrow white gap between two shaded boxes, are one rule at its middle."""
    import numpy as np

    grey = np.asarray(picture).astype(np.int16)
    rules: list[Rule] = []
    for horizontal, grid in ((True, grey), (False, grey.T)):
        edges = np.abs(np.diff(grid, axis=0)) >= _STEP  # edges[i]: between pixel rows i and i + 1
        found: list[tuple[float, int, int]] = []
        for index in np.flatnonzero(edges.sum(axis=1) >= _MIN_RUN):
            line = np.concatenate(([0], edges[index].astype(np.int8), [0]))
            bounds = np.flatnonzero(np.diff(line))
            found.extend((index + 1.0, int(a), int(b)) for a, b in zip(bounds[::2], bounds[1::2], strict=False) if b - a >= _MIN_RUN)
        for at, a, b in _thin_merged(found):
            rules.append(Rule(round(a * scale, 2), round(at * scale, 2), round(b * scale, 2), round(at * scale, 2)) if horizontal
                         else Rule(round(at * scale, 2), round(a * scale, 2), round(at * scale, 2), round(b * scale, 2)))
    return rules


def _thin_merged(runs: list[tuple[float, int, int]]) -> list[tuple[float, int, int]]:
    """Runs (position, start, end) within a thin band of one another that overlap along their length merged."""
    merged: list[tuple[float, float, int, int]] = []  # first position, last position, start, end
    for at, a, b in sorted(runs):
        i = len(merged) - 1
        while i >= 0 and at - merged[i][0] <= _THIN_PX and not (a < merged[i][3] and b > merged[i][2]):
            i -= 1
        if i >= 0 and at - merged[i][0] <= _THIN_PX:
            first, _, start, end = merged[i]
            merged[i] = (first, at, min(a, start), max(b, end))
        else:
            merged.append((at, at, a, b))
    return [((first + last) / 2, start, end) for first, last, start, end in merged]
