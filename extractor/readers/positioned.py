"""Web pages that are a PDF turned into absolutely positioned elements (a page ``<div>`` holding one ``<div>`` per
run of text at its ``top``/``left``, and thin ``<div>``s whose borders draw the table rules, as the converters
used by government sites write them; also ``pdftohtml -c``'s ``<p>`` per text run). Each page container becomes a
page of characters and rules at their coordinates, so the tables are found exactly as in the PDF."""

from __future__ import annotations

import io
import re
import unicodedata

from lxml import etree

from extractor.layout.grid import chars_to_lines
from extractor.model import Char, Line, Page, Rule

_LENGTH = re.compile(r"(-?[\d.]+)\s*(pt|px)?")
_CLASS_SIZE = re.compile(r"\.([\w-]+)\s*\{[^}]*font-size\s*:\s*([\d.]+)\s*(?:pt|px)", re.I)
_MIN_POSITIONED = 50
# advance of a character in font sizes; kept a little short so that a run's last character stays in its cell
_WIDE, _NARROW = 0.95, 0.42
_RULE_THICK = 3.0


def positioned_pages(root: etree._Element, css: str) -> tuple[Page, ...] | None:
    """The pages, when the document is laid out with absolute positions; None for an ordinary web page."""
    positioned = root.xpath('//*[contains(translate(@style, " ", ""), "position:absolute")]')
    if len(positioned) < _MIN_POSITIONED:
        return None
    sizes = {name: float(size) for name, size in _CLASS_SIZE.findall(css)}
    containers = []
    for element in positioned:
        parent = element.getparent()
        if parent is not None and parent not in containers:
            containers.append(parent)
    pages = [_page(container, number, sizes) for number, container in enumerate(containers, start=1)]
    return tuple(p for p in pages if p.chars or p.rules) or None


def _style(element: etree._Element) -> dict[str, str]:
    out = {}
    for part in (element.get("style") or "").split(";"):
        if ":" in part:
            key, value = part.split(":", 1)
            out[key.strip().lower()] = value.strip()
    return out


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    return float(match.group(1)) if match else None


def _page(container: etree._Element, number: int, sizes: dict[str, float]) -> Page:
    style = _style(container)
    chars: list[Char] = []
    rules: list[Rule] = []
    for element in container:
        if not isinstance(element.tag, str):
            continue
        s = _style(element)
        left, top = _length(s.get("left")), _length(s.get("top"))
        if left is None or top is None:
            continue
        text = "".join(element.itertext()).replace("\xa0", " ")
        if text.strip():
            size = _length(s.get("font-size")) or next((sizes[c] for c in (element.get("class") or "").split() if c in sizes), 12.0)
            chars.extend(_chars(text, left, top, size))
        else:
            rules.extend(_rules(s, left, top))
    width = _length(style.get("width")) or max((c.x1 for c in chars), default=595.0)
    rules.extend(_image_rules(container, width))
    height = _length(style.get("height")) or max((c.bottom for c in chars), default=842.0)
    lines = tuple(Line(line.text, line.bbox) for line in chars_to_lines(chars))
    return Page(number=number, width=width, height=height, lines=lines, chars=tuple(chars), rules=tuple(rules))


def _chars(text: str, left: float, top: float, size: float) -> list[Char]:
    out = []
    x = left
    for ch in text:
        advance = size * (_WIDE if unicodedata.east_asian_width(ch) in ("W", "F") else _NARROW)
        if not ch.isspace():
            out.append(Char(ch, round(x, 2), round(top, 2), round(x + advance * 0.95, 2), round(top + size, 2)))
        x += advance
    return out


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


_MIN_RUN = 15  # pixels: a dark run at least this long in a background picture is a ruling line
_DARK = 128


def _image_rules(container: etree._Element, page_width: float) -> list[Rule]:
    """Ruling lines drawn in an inlined background picture (``pdftohtml -c -dataurls`` draws the tables' rules there)."""
    rules: list[Rule] = []
    for img in container.iter("img"):
        src = img.get("src") or ""
        if not src.startswith("data:image/"):
            continue
        try:
            import base64

            from PIL import Image

            picture = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("L")
        except (ValueError, OSError, IndexError):
            continue
        scale = page_width / picture.width if picture.width else 1.0
        rules.extend(_runs(picture, scale))
    return rules


def _runs(picture: object, scale: float) -> list[Rule]:
    import numpy as np

    dark = np.asarray(picture) < _DARK
    rules: list[Rule] = []
    for horizontal, grid in ((True, dark), (False, dark.T)):
        for index in np.flatnonzero(grid.sum(axis=1) >= _MIN_RUN):
            line = np.concatenate(([0], grid[index].astype(np.int8), [0]))
            edges = np.flatnonzero(np.diff(line))
            for start, end in zip(edges[::2], edges[1::2], strict=False):
                if end - start >= _MIN_RUN:
                    a, b, at = start * scale, end * scale, (index + 0.5) * scale
                    rules.append(Rule(round(a, 2), round(at, 2), round(b, 2), round(at, 2)) if horizontal
                                 else Rule(round(at, 2), round(a, 2), round(at, 2), round(b, 2)))
    return rules
