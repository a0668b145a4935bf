"""Recognise an input's format from its first bytes, never from its file name.

Crawled archives hold HTML error pages saved as ``.pdf`` and PDFs saved as ``.html``; the suffix
is a hint at best.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import zipfile

from extractor.errors import ZIP_ERRORS
from extractor.model import InputFormat

_HTML_MARK = re.compile(rb"<(!doctype\s+html|html|head|body|meta|title|div|table|p)[\s>/]", re.I)
_IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")


def sniff_format(data: bytes) -> InputFormat:
    """Return the format of ``data`` judged from its content."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return InputFormat.PDF
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return InputFormat.OLE
    if head.startswith(_IMAGE_MAGIC):
        return InputFormat.IMAGE
    text_head = _strip_bom(head).lstrip()
    if _HTML_MARK.search(text_head[:2048]) and text_head.startswith((b"<", b"<!--")):
        return InputFormat.HTML
    if text_head[:1] in (b"{", b"[") and _is_json(data):
        return InputFormat.JSON
    if _looks_like_text(head):
        if _HTML_MARK.search(text_head[:2048]):
            return InputFormat.HTML
        return InputFormat.TEXT
    return InputFormat.UNKNOWN


def _strip_bom(data: bytes) -> bytes:
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if data.startswith(bom):
            return data[len(bom):]
    return data


def _sniff_zip(data: bytes) -> InputFormat:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except ZIP_ERRORS:
        return InputFormat.ZIP
    if any(n.startswith("xl/") for n in names):
        return InputFormat.XLSX
    if any(n.startswith("word/") for n in names):
        return InputFormat.DOCX
    return InputFormat.ZIP


def _is_json(data: bytes) -> bool:
    try:
        json.loads(_strip_bom(data).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return True


def _looks_like_text(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            # not final: the 4 KiB cut may split a multi-byte character at the end
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        return controls <= len(text) // 100
    return False
