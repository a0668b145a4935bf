"""A page rendered with what was found on it drawn over: tables by kind, cells, header rows, section headings,
and the figures of failed checks in red — the whole pipeline's debug view, like pdfplumber's table-finder one."""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from extractor.domain.table_kinds import TableKind
from extractor.errors import SettingsError
from extractor.geometry import Box
from extractor.model import BBox, Page
from extractor.readers.pdf import open_pdf
from extractor.records import Document

# one colour per table kind (RGB), from the kinds' description; read by the report too
KIND_COLOURS: dict[str, tuple[int, int, int]] = {kind.value: kind.info.colour for kind in TableKind}
FAILED = (214, 39, 40)
SECTION = (0, 90, 200)


@dataclass(frozen=True)
class Mark:
    """One box to draw: page, box in points, colour, line width, and what it is."""

    page: int
    bbox: BBox
    colour: tuple[int, int, int]
    width: int
    what: str  # table | header | cell | section | failed


def marks(doc: Document) -> Iterator[Mark]:
    """Everything the overlay draws, page by page, in drawing order (failures last, on top)."""
    for section in doc.sections:
        yield Mark(section.page, section.bbox, SECTION, 1, "section")
    for table in doc.tables:
        colour = KIND_COLOURS.get(table.kind, KIND_COLOURS["other"])
        for placement in table.placements:
            yield Mark(placement.page, placement.bbox, colour, 3, "table")
            rows = [Box(*r.bbox) for r in table.rows if r.page == placement.page]
            first = min((box.top for box in rows if box.bottom > box.top), default=None)
            x0, top, x1, _ = placement.bbox
            if first is not None and first - top > 2:  # the header rows above the first body row
                yield Mark(placement.page, Box(x0, top, x1, first), colour, 1, "header")
        for row in table.rows:
            for cell in row.cells:
                yield Mark(cell.page, cell.bbox, colour, 1, "cell")
    for check in doc.checks:
        if check.status == "mismatch":
            for evidence in check.evidence:
                if evidence.page and evidence.bbox:
                    yield Mark(evidence.page, evidence.bbox, FAILED, 3, "failed")


Origin = str | Path | bytes
_MAX_PIXELS = 40_000_000  # a rendered page larger than this is drawn at a smaller scale


def _bytes(origin: Origin) -> bytes:
    return origin if isinstance(origin, bytes) else Path(origin).read_bytes()


class PageImages:
    """The pages of one document as images, its source opened or read once however many pages are drawn: a PDF
    page as printed, any other format's virtual page (the layout its reader gives the pipeline: every character a
    grey box where it stands, every rule a line). Each image carries the scale it was drawn at in
    ``image.info["scale"]``: lower than asked where the page is huge."""

    def __init__(self, origin: Origin, pdf: bool, password: str | None = None) -> None:
        self.origin, self.password = origin, password
        self._pdf = open_pdf(_bytes(origin), password) if pdf else None
        self._virtual: tuple[Page, ...] | None = None

    def __enter__(self) -> PageImages:
        return self

    def __exit__(self, *_: object) -> None:
        if self._pdf is not None:
            self._pdf.close()

    def image(self, number: int, scale: float = 1.5) -> Image.Image:
        if self._pdf is not None:
            return self._printed(number, scale)
        return self._drawn(number, scale)

    def _printed(self, number: int, scale: float) -> Image.Image:
        pdf = self._pdf
        assert pdf is not None
        if not 1 <= number <= len(pdf):
            raise SettingsError(f"page {number} is not in the document (it has {len(pdf)} pages)")
        page = pdf[number - 1]
        try:
            width, height = page.get_size()
            used = _capped(scale, width, height)
            image = page.render(scale=used).to_pil().convert("RGB")
        finally:
            page.close()
        image.info["scale"] = used
        return image

    def _drawn(self, number: int, scale: float) -> Image.Image:
        if self._virtual is None:
            from extractor.readers import ReaderSettings, read_source

            name = str(self.origin) if not isinstance(self.origin, bytes) else "<bytes>"
            self._virtual = read_source(_bytes(self.origin), name, ReaderSettings(password=self.password, ocr="never")).pages
        if not 1 <= number <= len(self._virtual):
            raise SettingsError(f"page {number} is not in the document (it has {len(self._virtual)} pages)")
        page = self._virtual[number - 1]
        scale = _capped(scale, page.width, page.height)
        image = Image.new("RGB", (max(1, round(page.width * scale)), max(1, round(page.height * scale))), "white")
        pen = ImageDraw.Draw(image)
        for rule in page.rules:
            pen.line([(rule.x0 * scale, rule.top * scale), (rule.x1 * scale, rule.bottom * scale)], fill=(90, 90, 90), width=1)
        cjk = cjk_font_file()
        fonts: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
        for char in page.chars:
            size = max(6, round((char.bottom - char.top) * scale * 0.9))
            if char.text.isascii() or cjk:  # the figures always; Chinese where a font for it is installed
                if size not in fonts:
                    fonts[size] = ImageFont.truetype(cjk, size) if cjk else ImageFont.load_default(size)
                pen.text((char.x0 * scale, char.top * scale), char.text, font=fonts[size], fill=(40, 40, 40))
                continue
            pen.rectangle((char.x0 * scale + 1, char.top * scale + 1, max(char.x1 * scale - 1, char.x0 * scale + 1),
                           max(char.bottom * scale - 1, char.top * scale + 1)), fill=(200, 200, 200))
        if not page.chars:
            for line in page.lines:
                x0, top, x1, bottom = (v * scale for v in line.bbox)
                pen.rectangle((x0, top, max(x1, x0 + 1), max(bottom, top + 1)), fill=(215, 215, 215))
        image.info["scale"] = scale
        return image


_CJK_FONTS = (  # where Debian, Fedora, macOS and Windows keep a font with Chinese characters
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc", "/Library/Fonts/Arial Unicode.ttf", "C:/Windows/Fonts/msyh.ttc", "C:/Windows/Fonts/simsun.ttc",
)


@functools.cache
def cjk_font_file() -> str | None:
    """A font that draws Chinese, as fontconfig finds one or at a usual place; None where none is installed (the
    virtual page then draws its Chinese characters as grey boxes, its figures still as text)."""
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        found = ""
    candidates = ([found] if found else []) + list(_CJK_FONTS)
    for path in candidates:
        try:
            font = ImageFont.truetype(path, 12)
        except OSError:
            continue
        if _draws_chinese(font):
            return path
    return None


def _draws_chinese(font: ImageFont.FreeTypeFont) -> bool:
    """fc-match answers with some font even where none has Chinese: one that draws 财 and 政 alike (both blank, or
    both its box for a missing glyph) has none."""
    return bytes(font.getmask("财")) != bytes(font.getmask("政"))


def render_page(path: Origin, number: int, scale: float = 1.5, password: str | None = None) -> Image.Image:
    """The PDF page as an image, ``scale`` pixels per point (1.5 is 108 dpi)."""
    with PageImages(path, pdf=True, password=password) as pages:
        return pages.image(number, scale)


def render_virtual(origin: Origin, number: int, scale: float = 1.5, password: str | None = None) -> Image.Image:
    """The virtual page of a web page, workbook or Word file, drawn as :class:`PageImages` draws it."""
    with PageImages(origin, pdf=False, password=password) as pages:
        return pages.image(number, scale)


def _capped(scale: float, width: float, height: float) -> float:
    """The scale, lowered so that the image stays under :data:`_MAX_PIXELS`."""
    pixels = width * height * scale * scale
    return scale if pixels <= _MAX_PIXELS else scale * (_MAX_PIXELS / max(pixels, 1.0)) ** 0.5 * 0.999  # rounding up stays under


def draw(image: Image.Image, page_marks: list[Mark], scale: float) -> Image.Image:
    """The marks drawn over a copy of the page image; cells translucent, tables and failures solid."""
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    for mark in page_marks:
        x0, top, x1, bottom = (round(v * scale) for v in mark.bbox)
        alpha = 110 if mark.what == "cell" else 230
        fill = (*mark.colour, 40) if mark.what in ("cell", "failed", "header") else None
        pen.rectangle((x0, top, max(x1, x0 + 1), max(bottom, top + 1)), outline=(*mark.colour, alpha), width=mark.width, fill=fill)
    return Image.alpha_composite(base, layer).convert("RGB")


def show(path: Origin, doc: Document, number: int, scale: float = 1.5, password: str | None = None) -> Image.Image:
    """Page ``number`` of the document at ``path`` (or its bytes) with the extraction ``doc`` drawn over it and a
    legend below: a PDF page as printed, any other format's virtual page (the layout its reader gave)."""
    with PageImages(path, pdf=doc.source.format == "pdf", password=password) as pages:
        image = pages.image(number, scale)
    used = float(image.info["scale"])
    page_marks = [m for m in marks(doc) if m.page == number]
    return with_legend(draw(image, page_marks, used), page_marks, doc, number)


def with_legend(image: Image.Image, page_marks: list[Mark], doc: Document, number: int) -> Image.Image:
    """A strip under the image naming each colour on the page: the table kinds, headings, failed checks."""
    names: dict[tuple[int, int, int], str] = {}
    for table in doc.tables:
        if any(p.page == number for p in table.placements):
            names.setdefault(KIND_COLOURS.get(table.kind, KIND_COLOURS["other"]), f"{table.kind} {table.number or ''}".strip())
    if any(m.what == "section" for m in page_marks):
        names[SECTION] = "section heading"
    if any(m.what == "failed" for m in page_marks):
        names[FAILED] = "figure of a failed check"
    entries = list(names.items()) or [((255, 255, 255), "nothing found on this page")]
    row = 18
    strip = Image.new("RGB", (image.width, row * len(entries) + 8), "white")
    pen = ImageDraw.Draw(strip)
    for i, (colour, name) in enumerate(entries):
        top = 4 + i * row
        pen.rectangle((8, top + 2, 22, top + 14), fill=colour, outline=(60, 60, 60))
        pen.text((30, top + 2), "".join(c for c in name if ord(c) < 128).strip(), fill=(20, 20, 20))  # the bitmap font is ASCII
    legend = Image.new("RGB", (image.width, image.height + strip.height), "white")
    legend.paste(image, (0, 0))
    legend.paste(strip, (0, image.height))
    return legend
