"""Reader for disclosures published as web pages (lxml): the page's main content as lines and ruled tables.

- Encoding: a byte-order mark, then the declared charset (``<meta charset>``, ``http-equiv``) when the bytes
  decode with it, then UTF-8, then GB18030 — GBK pages are often mislabelled or say nothing.
- The main content: from ``<body>`` down into the child that holds most of the page's Chinese text, so site menus
  and footers stay out.
- ``<table>`` with ``rowspan``/``colspan`` (Word- and Excel-exported markup included) becomes a ruled grid on a
  virtual page; paragraphs, headings, list items and ``<br>`` breaks become lines.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import lxml.html
from lxml import etree

from extractor.errors import CorruptInputError
from extractor.model import Page
from extractor.readers.positioned import positioned_pages
from extractor.readers.virtual import CellSpec, VirtualPage

NAME = "lxml-html"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "blockquote", "pre", "dd", "dt", "center"}
_DROP = ("script", "style", "noscript", "template", "svg", "head", "iframe", "select", "button")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CONCENTRATED = 0.7
ATTACHMENT = re.compile(r"\.(?:pdf|xlsx?|docx?|zip|rar|wps|et)(?:$|[?#])", re.I)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def decode_html(data: bytes) -> str:
    """The page's text, whatever its declared or actual encoding, without the control characters XML forbids."""
    return _CONTROL.sub("", _decode(data))


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    declared = _CHARSET.search(data[:4096])
    candidates = [declared.group(1).decode("ascii").lower()] if declared else []
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        encoding = "gb18030" if encoding in ("gb2312", "gbk", "x-gbk") else encoding
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("gb18030", "replace")


def parse(data: bytes) -> tuple[etree._Element, str, str]:
    """The page's tree without scripts, styles and the like, its ``<title>``, and its style sheets' text."""
    text = decode_html(data)
    try:
        # huge_tree: libxml2's limits raised (2,048 nested elements instead of 256, text nodes past 10 MB)
        root = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError) as e:
        raise CorruptInputError(f"HTML cannot be parsed ({e})") from e
    _check_whole(text, root)
    title = " ".join((root.findtext(".//title") or "").split())
    css = " ".join(root.xpath("//style/text()"))
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP)):
        element.drop_tree()
    return root, title, css


_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SPACE = re.compile(r"\s+")


def _check_whole(text: str, root: etree._Element) -> None:
    """Refuse a page the parser did not read whole (libxml2 drops what lies past its limits without a word)."""
    raw = len(_SPACE.sub("", html.unescape(_TAG.sub("", _COMMENT.sub("", text)))))
    parsed = len(_SPACE.sub("", root.text_content()))
    if raw >= 1000 and parsed < 0.9 * raw:
        raise CorruptInputError(f"the page could not be read whole ({parsed} of {raw} characters of text): it nests deeper than the "
                                "HTML parser's limit of 2,048 elements")


def main_content(root: etree._Element) -> etree._Element:
    """Descend from ``<body>`` while one child holds most of the Chinese text below it."""
    node = root.find("body") if root.find("body") is not None else root
    while True:
        total = _cjk(node)
        children = [c for c in node if isinstance(c.tag, str)]
        best = max(children, key=_cjk, default=None)
        if best is None or total == 0 or _cjk(best) < _CONCENTRATED * total or best.tag == "table":
            return node
        node = best


def _cjk(element: etree._Element) -> int:
    return len(_CJK.findall(element.text_content())) if isinstance(element.tag, str) else 0


def read_html(data: bytes) -> tuple[Page, ...]:
    """The page's main content as one virtual page of lines and ruled tables; a PDF turned into absolutely
    positioned elements as its pages, at their coordinates."""
    root, title, css = parse(data)
    pages = positioned_pages(root, css)
    if pages is not None:
        return pages
    page = VirtualPage()
    content = main_content(root)
    inside = content.text_content()
    # the page's own heading often sits outside the content block (and the <title> adds the site's name)
    heading = next((" ".join(h.text_content().split()) for h in reversed(content.xpath("preceding::h1|preceding::h2|preceding::h3"))
                    if _CJK.search(h.text_content())), "")
    for line in (title, heading):
        if line and line not in inside:
            page.add_line(line)
    for kind, payload in _blocks(content):
        if kind == "table":
            page.add_table(payload)  # type: ignore[arg-type]
        else:
            page.add_line(payload)  # type: ignore[arg-type]
    return (page.page(),)


def inventory(data: bytes) -> tuple[list[tuple[str, str]], int]:
    """Links to attached files (.pdf, .xls, .doc …) as (address, link text), and how many images the main
    content holds (a table published as a picture is one)."""
    root, _, _ = parse(data)
    links = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if ATTACHMENT.search(href):
            links.append((href, " ".join(a.text_content().split())))
    return links, len(main_content(root).xpath(".//img"))


def _blocks(element: etree._Element) -> Iterator[tuple[str, object]]:
    """Lines of text and tables, in reading order."""
    buffer: list[str] = []

    def flush() -> Iterator[tuple[str, object]]:
        text = "".join(buffer).strip()
        buffer.clear()
        for line in text.split("\n"):
            if line.strip():
                yield "line", line.strip()

    def walk(top: etree._Element) -> Iterator[tuple[str, object]]:
        """Depth first with a stack of its own, not Python's: a page may nest thousands deep."""
        stack: list[tuple[etree._Element, bool]] = [(top, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                if node.tag in _BLOCKS:
                    buffer.append("\n")
                if node.tail:
                    buffer.append(node.tail)
                continue
            if not isinstance(node.tag, str):
                continue
            if node.tag == "table":
                yield from flush()
                yield "table", _table(node)
                if node.tail:
                    buffer.append(node.tail)
                continue
            if node.tag in _BLOCKS or node.tag == "br":
                buffer.append("\n")
            if node.text:
                buffer.append(node.text)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(list(node)))

    yield from walk(element)
    yield from flush()


def _table(table: etree._Element) -> list[list[CellSpec]]:
    rows = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells = []
        for cell in tr.xpath("./td|./th"):
            if cell.xpath(".//table"):
                text = " ".join(" ".join(t.split()) for t in cell.itertext())
            else:
                text = "".join(cell.itertext())
            cells.append(CellSpec(" ".join(text.replace("\xa0", " ").split()), _span(cell.get("rowspan")), _span(cell.get("colspan"))))
        rows.append(cells)
    return rows


def _span(value: str | None) -> int:
    try:
        return min(max(int((value or "1").strip()), 1), 1000)
    except ValueError:
        return 1
