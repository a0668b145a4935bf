"""Readers: one module per input format, each turning bytes into the neutral page model.

The registry maps a sniffed :class:`~extractor.model.InputFormat` to a reader; a format without a
reader gets :class:`~extractor.errors.UnsupportedFormatError` naming the format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from extractor.errors import CorruptInputError, EmptyInputError, ExtractorError, NotTheDocumentError, UnsupportedFormatError
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


_REDIRECT = re.compile(rb"""(?:url\s*=\s*|location(?:\.href)?\s*=\s*|location\.replace\(\s*)['"]?([^'"\s>)]+)""", re.I)
# U+FFFD in UTF-8: what a crawler leaves of a PDF's binary streams when it saves the response as text
_REPLACEMENT = b"\xef\xbf\xbd"


def _refuse_stand_ins(data: bytes, name: str, fmt: InputFormat) -> None:
    """A text copy of a PDF, or plain text under a .pdf name, is named for what it is."""
    replaced = data.count(_REPLACEMENT) if fmt is InputFormat.PDF else 0
    if replaced * 3 > len(data) // 20:
        raise NotTheDocumentError(f"a PDF saved as text: {replaced:,} of its bytes were replaced by U+FFFD, so its "
                                  "binary streams are lost; download it again as binary", path=name)
    if fmt is InputFormat.TEXT and name.lower().endswith(".pdf"):
        start = data[:60].decode("utf-8", "replace").split("\n")[0].strip()
        raise NotTheDocumentError(f"named .pdf but holds plain text ({len(data):,} bytes, starting {start!r}), not a PDF; "
                                  "rename it .txt to read it as text", path=name)


def read_source(data: bytes, name: str, settings: ReaderSettings | None = None) -> SourceDocument:
    """Sniff ``data``'s format and read it with the matching reader."""
    settings = settings or ReaderSettings()
    if not data:
        raise EmptyInputError("file is empty (0 bytes)", path=name)
    fmt = sniff_format(data)
    _refuse_stand_ins(data, name, fmt)
    reader = READERS.get(fmt)
    if reader is None:
        raise UnsupportedFormatError(f"unsupported format: {_FORMAT_NAMES.get(fmt, fmt.value)}", path=name)
    try:
        pages = reader.read(data, settings)
    except CorruptInputError as e:
        if fmt is InputFormat.PDF and b"%%EOF" not in data[-2048:]:
            raise CorruptInputError(f"the PDF ends after {len(data):,} bytes without its end marker (%%EOF): a truncated download; "
                                    "fetch it again", path=name) from None
        e.path = e.path or name
        raise
    except ExtractorError as e:
        e.path = e.path or name  # readers work on bytes; name the file for the message
        raise
    if fmt is InputFormat.HTML and not any(p.has_text for p in pages):
        target = _REDIRECT.search(data[:20000])
        where = f" redirecting to {target.group(1).decode('utf-8', 'replace')}" if target else ""
        raise NotTheDocumentError(f"a web page of {len(data):,} bytes with no text{where}: not the document; fetch the page it points to",
                                  path=name)
    found = html.inventory(data) if fmt is InputFormat.HTML else html.Inventory([], [])
    ocr_used = any(p.ocr for p in pages)
    return SourceDocument(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        format=fmt,
        reader=f"{reader.name}+{ocr.NAME}" if ocr_used and ocr.NAME not in reader.name else reader.name,
        pages=pages,
        attachments=tuple(found.attachments),
        pictures=tuple(found.pictures),
    )
