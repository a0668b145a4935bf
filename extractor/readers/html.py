"""Reader for disclosures published as web pages (lxml): the page's main content as lines and ruled tables.

- Encoding: a byte-order mark, then the declared charset (``<meta charset>``, ``http-equiv``) when the bytes
  decode with it, then UTF-8, then GB18030 — GBK pages are often mislabelled or say nothing. A page that is UTF-8
  but for a few stray bytes (``pdftohtml`` copies a PDF's GBK font names into its style sheet) stays UTF-8: under
  one undecodable byte in ``_STRAY_BYTES`` of its non-ASCII text, where a GBK page read as UTF-8 fails on most.
- The main content: from ``<body>`` down into the child that holds most of the page's Chinese text, so site menus
  and footers stay out.
- ``<table>`` with ``rowspan``/``colspan`` (Word- and Excel-exported markup included) becomes a ruled grid on a
  virtual page; paragraphs, headings, list items and ``<br>`` breaks become lines.
"""

from __future__ import annotations

import dataclasses
import html
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

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
_STRAY_BYTES = 100  # at most one undecodable character per this many non-ASCII ones: UTF-8 with stray bytes


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
            if encoding == "utf-8" and _mostly_utf8(data):
                return data.decode("utf-8", "replace")
    return data.decode("gb18030", "replace")


def _mostly_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", "replace")
    wide = sum(1 for ch in text if ord(ch) > 127)
    return text.count("\ufffd") * _STRAY_BYTES <= wide


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
    counts = _cjk_counts(node)
    while True:
        total = counts[node]
        children = [c for c in node if isinstance(c.tag, str)]
        best = max(children, key=counts.__getitem__, default=None)
        if best is None or total == 0 or counts[best] < _CONCENTRATED * total or best.tag == "table":
            return node
        node = best


def _cjk_counts(top: etree._Element) -> dict[etree._Element, int]:
    """The Chinese characters in each element's text (its ``text_content()``) below ``top``, counted once from the
    leaves up: an element's own text, and each child's count and the text after it (a comment's own text is not
    the page's). Counting each element's text anew at each level took minutes on a page nested thousands deep."""
    counts: dict[etree._Element, int] = {}
    for element in reversed([e for e in top.iter() if isinstance(e.tag, str)]):
        count = len(_CJK.findall(element.text or ""))
        for child in element:
            count += counts.get(child, 0) + len(_CJK.findall(child.tail or ""))
        counts[element] = count
    return counts


def read_html(data: bytes) -> tuple[Page, ...]:
    """The page's main content as one virtual page of lines and ruled tables; a PDF turned into absolutely
    positioned elements as its pages, at their coordinates."""
    root, title, css = parse(data)
    named, published = page_heading(root, title), published_date(root)  # the page's own title and date
    pages = positioned_pages(root, css)
    if pages is not None:  # a PDF's pages: its title page names it, as in the PDF (the <title> is the PDF's metadata)
        return (dataclasses.replace(pages[0], published=published), *pages[1:])
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
    return (dataclasses.replace(page.page(), heading=named, published=published),)


_SEPARATOR = re.compile(r"\s*(?:[-_|｜—–]+|\s{2,})\s*")
_KIND = re.compile(r"预算|决算")
_HEADING_PATH = "//h1|//h2|//h3|//*[contains(@class,'title') or contains(@id,'title') or contains(@class,'Title')]"


def page_heading(root: etree._Element, title: str) -> str | None:
    """The page's own title: the heading or the part of ``<title>`` that names a 预算/决算 (the article's, not the
    site's name after a ``-`` or ``_``), else the first part of ``<title>``; never navigation or news lists."""
    segments = [s for s in _SEPARATOR.split(title) if _CJK.search(s)]
    headings = []
    for element in root.xpath(_HEADING_PATH):
        text = " ".join(element.text_content().split())
        if _CJK.search(text) and 4 <= len(text) <= 80 and not element.xpath(".//a[count(*)=0]/..//a[2]"):
            headings.append(text)
    for index, text in enumerate(segments + headings):
        if _KIND.search(text) and _YEAR_IN.search(text):
            if index and index < len(segments) and _YEAR_FIRST.match(text):
                return segments[index - 1] + text  # 天津市商务局_2019年部门预算公开目录: the name is the part before
            return text
    return segments[0] if segments else (headings[0] if headings else None)


_YEAR_IN = re.compile(r"(?:19|20)\d{2}")
_YEAR_FIRST = re.compile(r"(?:19|20)\d{2}年")
_PUBLISHED = re.compile(r"(?:发布|发表|成文|更新)?(?:日期|时间)\s*[:：]\s*((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def published_date(root: etree._Element) -> str | None:
    """The publication date the page prints (发布日期：2026-02-12, 日期:2026-01-30 16:32), as YYYY-MM-DD."""
    match = _PUBLISHED.search(" ".join(root.text_content().split()))
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else None


@dataclass(frozen=True)
class Inventory:
    """What a web page points to, besides its own text: what a listing or landing page is made of."""

    attachments: list[tuple[str, str]]  # attached files, embedded viewers and links to disclosures: (address, text)
    pictures: list[str]  # addresses of pictures in the main content that may carry the report (not icons, logos or banners)


_VIEWER = re.compile(r"[?&]file=([^&#]+)", re.I)
_DISCLOSURE_LINK = re.compile(r"(?:预算|决算)")
_DECORATIVE = re.compile(r"logo|banner|icon|btn|button|share|qrcode|ewm|erweima|wza|jiucuo|dzjg|\.gif(?:$|\?)|"
                         r"(?:^|/)(?:images?|img|style|static|skin|template|theme|css)/", re.I)
_SMALL = 100  # pixels: a declared width or height under this is an icon, not a page of a report


def inventory(data: bytes) -> Inventory:
    """Links to attached files (.pdf, .xls, .doc …), embedded viewers (``<iframe>``, ``<embed>``, ``<object>``, a
    viewer address with ``file=``) and links whose text names a 预算/决算, as (address, text); and the pictures that
    could be a page of the report (not logos, icons, banners or the site's own images)."""
    root = lxml.html.document_fromstring(decode_html(data), parser=lxml.html.HTMLParser(huge_tree=True))
    found: list[tuple[str, str]] = []
    for element in root.xpath("//iframe|//embed|//object"):
        source = (element.get("src") or element.get("data") or "").strip()
        viewer = _VIEWER.search(source)
        if source and (viewer or ATTACHMENT.search(source)):
            found.append((urllib.parse.unquote(viewer.group(1)) if viewer else source, "(embedded viewer)"))
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP)):
        element.drop_tree()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        text = " ".join(a.text_content().split())
        # a link to a folder (../, /ysgk/) is the site's navigation, not a disclosure
        if ATTACHMENT.search(href) or (href and not href.endswith("/") and _DISCLOSURE_LINK.search(text) and len(text) <= 80):
            found.append((href, text))
    # the pictures of a report often sit in a block of their own, beside the text the main content is found by
    pictures = [img for img in root.iter("img") if not _decorative(img)]
    sources = [(img.get("src") or "").strip() for img in pictures]
    links: dict[str, str] = {}
    for href, text in found:  # one entry per address, with the longest text any of its links gives
        links[href] = max(links.get(href, ""), text, key=len)
    return Inventory(list(links.items()), list(dict.fromkeys(src for src in sources if src)))


def _decorative(img: etree._Element) -> bool:
    """A logo, banner, icon or button: by its address or its declared size."""
    if _DECORATIVE.search(img.get("src") or "") or _DECORATIVE.search(img.get("class") or ""):
        return True
    sizes = [int(v) for v in (img.get("width"), img.get("height")) if v and v.strip().isdigit()]
    return any(v < _SMALL for v in sizes)


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
