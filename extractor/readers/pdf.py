"""Reader for PDFs with a text layer, on pypdfium2 (PDFium).

PDFium extracts text in reading order about 40 times faster than pdfminer on these documents, and
gives each character's box, from which each line's box is built.
"""

from __future__ import annotations

import logging

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw

from extractor.errors import CorruptInputError, PasswordRequiredError
from extractor.model import BBox, Line, Page

NAME = "pdfium"
logger = logging.getLogger(__name__)


def open_pdf(data: bytes, password: str | None = None) -> pdfium.PdfDocument:
    """Open a PDF from bytes, turning PDFium's error codes into the library's errors."""
    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == pdfium_raw.FPDF_ERR_PASSWORD:
            if password:
                raise PasswordRequiredError("wrong password for encrypted PDF") from e
            raise PasswordRequiredError("PDF is encrypted; give its password with --password") from e
        raise CorruptInputError("PDF is corrupt or truncated and cannot be opened") from e


def read_pdf(data: bytes, password: str | None = None) -> tuple[Page, ...]:
    """Return every page of the PDF as lines of text with their boxes."""
    document = open_pdf(data, password)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            try:
                pages.append(_read_page(page, index + 1))
            finally:
                page.close()
        return tuple(pages)
    finally:
        document.close()


def _read_page(page: pdfium.PdfPage, number: int) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        text = textpage.get_text_range() if count else ""
        lines = _text_to_lines(text, textpage, height) if len(text) == count else _lines_without_boxes(text, width)
    finally:
        textpage.close()
    return Page(number=number, width=float(width), height=float(height), lines=tuple(lines))


def _text_to_lines(text: str, textpage: pdfium.PdfTextPage, height: float) -> list[Line]:
    lines: list[Line] = []
    start = 0
    for end in [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]:
        segment = text[start:end].rstrip("\r")
        if segment.strip():
            lines.append(Line(text=segment, bbox=_segment_bbox(textpage, start, start + len(segment), height)))
        start = end + 1
    return lines


def _segment_bbox(textpage: pdfium.PdfTextPage, start: int, end: int, height: float) -> BBox:
    xs0, tops, xs1, bottoms = [], [], [], []
    for i in range(start, end):
        left, bottom, right, top = textpage.get_charbox(i)
        if right <= left:
            continue  # generated spaces and line breaks have empty boxes
        xs0.append(left)
        xs1.append(right)
        tops.append(height - top)
        bottoms.append(height - bottom)
    if not xs0:
        return (0.0, 0.0, 0.0, 0.0)
    return (round(min(xs0), 2), round(min(tops), 2), round(max(xs1), 2), round(max(bottoms), 2))


def _lines_without_boxes(text: str, width: float) -> list[Line]:
    # Characters outside the BMP make PDFium's text and char indices disagree; keep the text.
    logger.debug("text and character counts differ; line boxes span the page")
    return [Line(text=t.rstrip("\r"), bbox=(0.0, 0.0, float(width), 0.0)) for t in text.split("\n") if t.strip()]
