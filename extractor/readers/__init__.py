"""Readers: one module per input format, each turning bytes into the neutral page model.

The registry maps a sniffed :class:`~extractor.model.InputFormat` to a reader; a format without a
reader gets :class:`~extractor.errors.UnsupportedFormatError` naming the format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from extractor.errors import EmptyInputError, ExtractorError, UnsupportedFormatError
from extractor.model import InputFormat, Page, SourceDocument
from extractor.readers import excel, html, image, legacy, ocr, pdf, text, word
from extractor.readers.sniff import sniff_format

__all__ = ["ReaderSettings", "read_source", "sniff_format", "READERS"]


@dataclass(frozen=True)
class ReaderSettings:
    """Options that reach the readers."""

    password: str | None = None
    ocr: str = "auto"  # auto | always | never: which PDF pages are recognised from their image
    max_pages: int | None = None  # OCR no further (PDF): it is slow
    pages: frozenset[int] | None = None  # OCR only these (PDF); the others are still read from their text layer


@dataclass(frozen=True)
class Reader:
    name: str
    read: Callable[[bytes, ReaderSettings], tuple[Page, ...]]


READERS: dict[InputFormat, Reader] = {
    InputFormat.PDF: Reader(pdf.NAME, lambda data, s: pdf.read_pdf(data, s.password, s.ocr, s.max_pages, s.pages)),
    InputFormat.TEXT: Reader(text.NAME, lambda data, s: text.read_text(data)),
    InputFormat.HTML: Reader(html.NAME, lambda data, s: html.read_html(data)),
    InputFormat.XLSX: Reader(excel.NAME, lambda data, s: excel.read_xlsx(data)),
    InputFormat.DOCX: Reader(word.NAME, lambda data, s: word.read_docx(data)),
    InputFormat.OLE: Reader(legacy.NAME, lambda data, s: legacy.read_legacy(data)),
    InputFormat.IMAGE: Reader(image.NAME, lambda data, s: image.read_image(data, s.ocr, s.max_pages)),
}

_FORMAT_NAMES = {
    InputFormat.HTML: "HTML",
    InputFormat.XLSX: "Excel (.xlsx)",
    InputFormat.DOCX: "Word (.docx)",
    InputFormat.OLE: "legacy Office (.xls/.doc)",
    InputFormat.ZIP: "zip archive",
    InputFormat.JSON: "JSON",
    InputFormat.UNKNOWN: "unrecognised binary data",
}


def read_source(data: bytes, name: str, settings: ReaderSettings | None = None) -> SourceDocument:
    """Sniff ``data``'s format and read it with the matching reader."""
    settings = settings or ReaderSettings()
    if not data:
        raise EmptyInputError("file is empty (0 bytes)", path=name)
    fmt = sniff_format(data)
    reader = READERS.get(fmt)
    if reader is None:
        raise UnsupportedFormatError(f"unsupported format: {_FORMAT_NAMES.get(fmt, fmt.value)}", path=name)
    try:
        pages = reader.read(data, settings)
    except ExtractorError as e:
        e.path = e.path or name  # readers work on bytes; name the file for the message
        raise
    links, images = html.inventory(data) if fmt is InputFormat.HTML else ([], 0)
    ocr_used = any(p.ocr for p in pages)
    return SourceDocument(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        format=fmt,
        reader=f"{reader.name}+{ocr.NAME}" if ocr_used and ocr.NAME not in reader.name else reader.name,
        pages=pages,
        attachments=tuple(links),
        images=images,
    )
