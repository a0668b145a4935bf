"""Fixtures made at test time from the hand-verified truth (never from our own output): each truth document's
tables written as a Word/Excel-style HTML page (GBK, rowspan/colspan headers, MsoNormalTable markup) and as an
.xlsx workbook; and the truth copied under each fixture's id, values unchanged, for score.py."""

from __future__ import annotations

import csv
import html
import json
import shutil
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

TITLES = {
    "summary": "收支总表", "income": "收入总表", "expenditure": "支出总表", "fiscal_summary": "财政拨款收支总表",
    "gpb_expenditure": "一般公共预算支出表", "gpb_basic_expenditure": "一般公共预算基本支出表",
    "three_public": "一般公共预算“三公”经费支出表",
}


def _read(truth: Path, doc_id: str) -> tuple[dict[str, object], list[dict[str, str]]]:
    meta = json.loads((truth / f"{doc_id}.meta.json").read_text(encoding="utf-8"))
    with open(truth / f"{doc_id}.values.csv", encoding="utf-8-sig", newline="") as handle:
        return meta, list(csv.DictReader(handle))


def _unique(items: Iterable[tuple[str, ...]]) -> list[tuple[str, ...]]:
    seen: dict[tuple[str, ...], None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


TableRow = tuple[str, str, dict[str, str]]  # code, label, value by column


def tables_of(values: list[dict[str, str]]) -> list[tuple[str, str, list[str], list[TableRow]]]:
    """Per table kind: (kind, unit, column paths, rows). A row is a run of values with the same code and label;
    the same code and label again after another row (北京 prints 行政运行 once per sub-unit) is a new row."""
    out = []
    for kind in dict.fromkeys(v["table_kind"] for v in values):
        rows = [v for v in values if v["table_kind"] == kind]
        columns = [c[0] for c in _unique((v["column"],) for v in rows)]
        table: list[TableRow] = []
        for v in rows:
            if not table or table[-1][:2] != (v["code"], v["row_label"]) or v["column"] in table[-1][2]:
                table.append((v["code"], v["row_label"], {}))
            table[-1][2][v["column"]] = v["value"]
        out.append((kind, rows[0]["unit"], columns, table))
    return out


def _header(columns: list[str]) -> list[list[tuple[str, int, int]]]:
    """Header rows of (text, rowspan, colspan) from column paths, label columns first."""
    paths = [c.split("/") for c in columns]
    depth = max(len(p) for p in paths)
    rows: list[list[tuple[str, int, int]]] = [[("科目编码", depth, 1), ("项目", depth, 1)]] + [[] for _ in range(depth - 1)]
    for level in range(depth):
        i = 0
        while i < len(paths):
            path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            j = i
            while j + 1 < len(paths) and len(paths[j + 1]) > level and paths[j + 1][: level + 1] == path[: level + 1] and level < len(path) - 1:
                j += 1
            last = level == len(path) - 1
            rows[level].append((path[level], depth - level if last else 1, j - i + 1))
            i = j + 1
    return rows


def write_html(meta: dict[str, object], values: list[dict[str, str]], path: Path, charset: str | None) -> None:
    kind = "部门预算" if meta["report_kind"] == "budget" else "部门决算"
    parts = [f"<h1>{html.escape(str(meta['department']))}{meta['fiscal_year']}年{kind}</h1>"]
    for table_kind, unit, columns, table in tables_of(values):
        parts.append(f'<p class=MsoNormal align=center><b><span style="font-size:16pt">{TITLES.get(table_kind, table_kind)}</span></b></p>')
        parts.append(f"<p class=MsoNormal align=right><span>单位：{unit}</span></p>")
        parts.append('<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style="border-collapse:collapse">')
        for row in _header(columns):
            parts.append("<tr>" + "".join(f'<td rowspan={r} colspan={c} style="border:solid windowtext 1.0pt"><p class=MsoNormal>'
                                          f"<b><span>{html.escape(t)}</span></b></p></td>" for t, r, c in row) + "</tr>")
        for code, label, cells in table:
            tds = [f"<td><span>{html.escape(code)}</span></td>", f"<td><span>{html.escape(label)}&nbsp;</span></td>"]
            for column in columns:
                value = cells.get(column, "")
                shown = f"{Decimal(value):,}" if value else "&nbsp;"
                tds.append(f'<td align=right><p class=MsoNormal><span lang=EN-US>{shown}</span></p></td>')
            parts.append("<tr>" + "".join(tds) + "</tr>")
        parts.append("</table><p class=MsoNormal>&nbsp;</p>")
    declared = f'<meta http-equiv=Content-Type content="text/html; charset={charset}">' if charset else ""
    page = f"<html><head>{declared}<title>{html.escape(str(meta['department']))}</title></head><body lang=ZH-CN>{''.join(parts)}</body></html>"
    path.write_bytes(page.encode("gbk"))


def write_xlsx(meta: dict[str, object], values: list[dict[str, str]], path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    kind = "部门预算" if meta["report_kind"] == "budget" else "部门决算"
    for index, (table_kind, unit, columns, table) in enumerate(tables_of(values)):
        sheet = book.create_sheet(f"表{index + 1}")
        # as the attachments print it: the year and title, then 部门名称 and the unit
        sheet.cell(1, 1, f"{meta['fiscal_year']}年{kind}{TITLES.get(table_kind, table_kind)}")
        sheet.cell(2, 1, f"部门名称：{meta['department']}")
        sheet.cell(2, 4, f"单位：{unit}")
        top = 3
        header = _header(columns)
        occupied: set[tuple[int, int]] = set()
        for level, row in enumerate(header):
            c = 1
            for text, rowspan, colspan in row:
                while (top + level, c) in occupied:
                    c += 1
                sheet.cell(top + level, c, text)
                if rowspan > 1 or colspan > 1:
                    sheet.merge_cells(start_row=top + level, start_column=c, end_row=top + level + rowspan - 1, end_column=c + colspan - 1)
                occupied.update((top + level + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
                c += colspan
        r = top + len(header)
        for code, label, cells in table:
            sheet.cell(r, 1, code or None)
            sheet.cell(r, 2, label or None)
            for j, column in enumerate(columns):
                value = cells.get(column)
                if value:
                    cell = sheet.cell(r, 3 + j, float(value))  # stored as a number, as Excel does
                    decimals = len(value.split(".")[1]) if "." in value else 0
                    cell.number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
            r += 1
    book.save(path)


_DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _w_paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t xml:space=\"preserve\">{html.escape(text)}</w:t></w:r></w:p>"


def _w_cell(text: str, span: int = 1, merge: str | None = None) -> str:
    merged = f'<w:vMerge w:val="{merge}"/>' if merge == "restart" else "<w:vMerge/>" if merge else ""
    props = (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "") + merged
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_w_paragraph(text)}</w:tc>"


def write_docx(meta: dict[str, object], values: list[dict[str, str]], path: Path) -> None:
    """A Word document as Word writes one: paragraphs, and tables whose header cells merge across (gridSpan) and
    down (vMerge)."""
    import zipfile

    kind = "部门预算" if meta["report_kind"] == "budget" else "部门决算"
    body = [_w_paragraph(f"{meta['department']}{meta['fiscal_year']}年{kind}")]
    for table_kind, unit, columns, table in tables_of(values):
        body += [_w_paragraph(TITLES.get(table_kind, table_kind)), _w_paragraph(f"单位：{unit}")]
        header = _header(columns)
        grid: list[list[str]] = [[] for _ in header]
        pending: dict[tuple[int, int], int] = {}  # (row, column) -> colspan of a cell merged down into it
        for level, row in enumerate(header):
            column = 0
            cells = []
            for text, rowspan, colspan in row:
                while (level, column) in pending:
                    span = pending.pop((level, column))
                    cells.append(_w_cell("", span, "continue"))
                    column += span
                cells.append(_w_cell(text, colspan, "restart" if rowspan > 1 else None))
                for below in range(1, rowspan):
                    pending[(level + below, column)] = colspan
                column += colspan
            while (level, column) in pending:
                span = pending.pop((level, column))
                cells.append(_w_cell("", span, "continue"))
                column += span
            grid[level] = cells
        rows = ["<w:tr>" + "".join(cells) + "</w:tr>" for cells in grid]
        for code, label, cells in table:
            amounts = "".join(_w_cell(f"{Decimal(cells[c]):,}" if c in cells else "") for c in columns)
            rows.append("<w:tr>" + _w_cell(code) + _w_cell(label) + amounts + "</w:tr>")
        # tblPr and tblGrid are required by the schema and Word always writes them; LibreOffice needs the grid
        width = len(columns) + 2
        grid_cols = "".join('<w:gridCol w:w="1200"/>' for _ in range(width))
        properties = '<w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>'
        body.append(f"<w:tbl>{properties}<w:tblGrid>{grid_cols}</w:tblGrid>" + "".join(rows) + "</w:tbl>")
        body.append(_w_paragraph(""))  # as Word ends every table: a body never ends with one
    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{namespace}">'
                f'<w:body>{"".join(body)}</w:body></w:document>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _DOCX_TYPES)
        archive.writestr("_rels/.rels", _DOCX_RELS)
        archive.writestr("word/document.xml", document)


def build(truth: Path, out: Path) -> tuple[Path, Path]:
    """Fixture files in ``out/files`` and the matching truth in ``out/truth``; returns both folders."""
    files, copied = out / "files", out / "truth"
    files.mkdir(parents=True, exist_ok=True)
    copied.mkdir(parents=True, exist_ok=True)
    for meta_path in sorted(truth.glob("*.meta.json")):
        doc_id = meta_path.name[: -len(".meta.json")]
        meta, values = _read(truth, doc_id)
        if not values:
            continue
        variants = {f"{doc_id}__html_gbk": ("html", "gbk"), f"{doc_id}__html_undeclared": ("html", None), f"{doc_id}__xlsx": ("xlsx", None),
                    f"{doc_id}__docx": ("docx", None)}
        for fixture_id, (fmt, charset) in variants.items():
            target = files / f"{fixture_id}.{fmt}"
            if fmt == "html":
                write_html(meta, values, target, charset)
            elif fmt == "docx":
                write_docx(meta, values, target)
            else:
                write_xlsx(meta, values, target)
            copy_truth(truth, doc_id, copied, fixture_id)
    _libreoffice(files, truth, copied)
    _pdftohtml(files, truth, copied)
    return files, copied


def _pdftohtml(files: Path, truth: Path, copied: Path) -> None:
    """poppler's ``pdftohtml -c``: the truth documents' PDFs as absolutely positioned HTML, rules in an inlined picture."""
    import subprocess

    tool = shutil.which("pdftohtml")
    corpus = truth.parents[2] / "corpus"
    if tool is None:
        return
    for meta_path in sorted(truth.glob("*.meta.json")):
        doc_id = meta_path.name[: -len(".meta.json")]
        source = next(corpus.rglob(f"{doc_id}.pdf"), None)
        if source is None:
            continue
        target = files / f"{doc_id}__pdftohtml"
        subprocess.run([tool, "-c", "-s", "-noframes", "-q", "-dataurls", str(source), str(target)], check=True, capture_output=True, timeout=300)
        produced = target.with_suffix(".html") if target.with_suffix(".html").exists() else Path(f"{target}-html.html")
        if produced.exists():
            produced.rename(files / f"{doc_id}__pdftohtml.html")
            copy_truth(truth, doc_id, copied, f"{doc_id}__pdftohtml")


def copy_truth(truth: Path, doc_id: str, copied: Path, fixture_id: str) -> None:
    for suffix in ("meta.json", "values.csv", "facts.csv"):
        source = truth / f"{doc_id}.{suffix}"
        if source.exists():
            shutil.copy(source, copied / f"{fixture_id}.{suffix}")


# LibreOffice's conversions of the workbooks and documents: legacy .xls and .doc, and its HTML export
_CONVERSIONS = (("__xlsx", "xlsx", "xls", "__xls"), ("__docx", "docx", "doc", "__doc"), ("__xlsx", "xlsx", "html", "__lo_html"))


def _libreoffice(files: Path, truth: Path, copied: Path) -> None:
    import subprocess

    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        return
    for source_tag, source_ext, target_ext, target_tag in _CONVERSIONS:
        sources = sorted(files.glob(f"*{source_tag}.{source_ext}"))
        work = files.parent / f"lo-{target_tag.strip('_')}"
        work.mkdir(exist_ok=True)
        subprocess.run([office, f"-env:UserInstallation=file://{files.parent / 'lo-profile'}", "--headless", "--norestore",
                        "--convert-to", target_ext, "--outdir", str(work), *map(str, sources)], check=True, capture_output=True, timeout=300)
        for source in sources:
            doc_id = source.stem[: -len(source_tag)]
            converted = work / f"{source.stem}.{target_ext}"
            if converted.exists():
                shutil.move(converted, files / f"{doc_id}{target_tag}.{target_ext}")
                copy_truth(truth, doc_id, copied, f"{doc_id}{target_tag}")
