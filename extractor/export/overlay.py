"""A page rendered with what was found on it drawn over: tables by kind, cells, header rows, section headings,
and the figures of failed checks in red — the whole pipeline's debug view, like pdfplumber's table-finder one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from extractor.errors import SettingsError
from extractor.model import BBox
from extractor.readers.pdf import open_pdf
from extractor.records import Document

# one colour per table kind (RGB), the rest grey
KIND_COLOURS: dict[str, tuple[int, int, int]] = {
    "summary": (31, 119, 180), "income": (23, 190, 207), "expenditure": (44, 160, 44), "fiscal_summary": (148, 103, 189),
    "fiscal_expenditure": (140, 86, 75), "gpb_expenditure": (255, 127, 14), "gpb_basic_expenditure": (227, 119, 194),
    "gpb_project_expenditure": (188, 189, 34), "three_public": (0, 128, 128), "gov_fund_expenditure": (128, 128, 0),
    "soc_expenditure": (70, 70, 160), "project_performance": (120, 120, 120), "dept_performance": (100, 100, 100),
    "other": (150, 150, 150),
}
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
            first = min((r.bbox[1] for r in table.rows if r.page == placement.page and r.bbox[3] > r.bbox[1]), default=None)
            if first is not None and first - placement.bbox[1] > 2:  # the header rows above the first body row
                x0, top, x1, _ = placement.bbox
                yield Mark(placement.page, (x0, top, x1, first), colour, 1, "header")
        for row in table.rows:
            for cell in row.cells:
                yield Mark(cell.page, cell.bbox, colour, 1, "cell")
    for check in doc.checks:
        if check.status == "mismatch":
            for evidence in check.evidence:
                if evidence.page and evidence.bbox:
                    yield Mark(evidence.page, evidence.bbox, FAILED, 3, "failed")


def render_page(path: str | Path, number: int, scale: float = 1.5, password: str | None = None) -> Image.Image:
    """The page as an image, ``scale`` pixels per point (1.5 is 108 dpi)."""
    pdf = open_pdf(Path(path).read_bytes(), password)
    try:
        if not 1 <= number <= len(pdf):
            raise SettingsError(f"page {number} is not in the document (it has {len(pdf)} pages)")
        page = pdf[number - 1]
        try:
            return page.render(scale=scale).to_pil().convert("RGB")
        finally:
            page.close()
    finally:
        pdf.close()


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


def show(path: str | Path, doc: Document, number: int, scale: float = 1.5, password: str | None = None) -> Image.Image:
    """Page ``number`` of the PDF at ``path`` with the extraction ``doc`` drawn over it."""
    if doc.source.format != "pdf":
        raise SettingsError(f"only PDF pages can be shown, not {doc.source.format}")
    image = render_page(path, number, scale, password)
    return draw(image, [m for m in marks(doc) if m.page == number], scale)
