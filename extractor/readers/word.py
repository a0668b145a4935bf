"""Reader for Word documents (.docx): paragraphs as lines and tables as ruled grids, in the body's order.

The document's XML is read directly (``word/document.xml`` with lxml): a paragraph is its runs' text; a table
cell spans ``w:gridSpan`` columns, and a ``w:vMerge`` cell continues the one above it (a row span).
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from extractor.errors import ZIP_ERRORS, CorruptInputError
from extractor.model import Page
from extractor.readers.virtual import CellSpec, VirtualPage

NAME = "docx-xml"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MAX_UNPACKED = 200 * 1024 * 1024


def read_docx(data: bytes) -> tuple[Page, ...]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > _MAX_UNPACKED:
                raise CorruptInputError("Word document unpacks to more than 200 MB")
            xml = archive.read("word/document.xml")
    except ZIP_ERRORS as e:
        raise CorruptInputError(f"Word document cannot be read ({type(e).__name__}: {e})") from e
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, huge_tree=False))
    except etree.XMLSyntaxError as e:
        raise CorruptInputError(f"Word document XML is broken ({e})") from e
    body = root.find(f"{_W}body")
    page = VirtualPage()
    for element in body if body is not None else []:
        if element.tag == f"{_W}p":
            page.add_line(_text(element))
        elif element.tag == f"{_W}tbl":
            page.add_table(_table(element))
    return (page.page(),)


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{_W}t"))


def _table(table: etree._Element) -> list[list[CellSpec]]:
    rows: list[list[CellSpec]] = []
    open_cells: dict[int, tuple[int, int]] = {}  # grid column -> (row index, cell index) of a cell still merging down
    for tr in table.iter(f"{_W}tr"):
        if tr.getparent() is not table:
            continue
        row: list[CellSpec] = []
        column = 0
        for tc in tr.findall(f"{_W}tc"):
            props = tc.find(f"{_W}tcPr")
            span = _int(props, "gridSpan")
            merge = props.find(f"{_W}vMerge") if props is not None else None
            text = " ".join(_text(p) for p in tc.findall(f"{_W}p")).strip()
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue" and column in open_cells:
                r, i = open_cells[column]
                cell = rows[r][i]
                rows[r][i] = CellSpec(cell.text, cell.rows + 1, cell.cols)
            else:
                row.append(CellSpec(text, 1, span))
                if merge is not None:
                    open_cells[column] = (len(rows), len(row) - 1)
                else:
                    open_cells.pop(column, None)
            column += span
        rows.append(row)
    return rows


def _int(props: etree._Element | None, name: str) -> int:
    element = props.find(f"{_W}{name}") if props is not None else None
    try:
        return max(int(element.get(f"{_W}val", "1")), 1) if element is not None else 1
    except ValueError:
        return 1
