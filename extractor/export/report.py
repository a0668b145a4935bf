"""A self-contained HTML review report: identity, sections, every table beside the images of its pages, each
cell linked to its box on the page, the checks with their evidence, warnings. No network: images are inlined,
styles and script are in the file."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from extractor.export.overlay import KIND_COLOURS, PageImages, draw, marks
from extractor.geometry import Box
from extractor.records import CheckRecord, Document, TableRecord

_SCALE = 1.0  # pixels per point in the inlined page images
_QUALITY = 60
_OPEN_LIST = 5  # longer lists start folded

_STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;color:#222}
header,section.block{padding:8px 16px;border-bottom:1px solid #ddd}
table.meta td{padding:1px 8px;vertical-align:top}
summary{font-weight:600;font-size:1.1em;cursor:pointer}
main{display:flex;gap:12px;padding:8px 16px}
#tables{flex:1 1 48%;min-width:0}
#pages{flex:1 1 52%;min-width:0;position:sticky;top:0;max-height:100vh;overflow:auto;background:#eee}
.page{position:relative;margin:8px 0;box-shadow:0 0 3px #999;background:#fff;width:100%}
.page img{display:block;width:100%;height:auto}
.sides{display:flex;gap:8px;align-items:flex-start}.sides>div{flex:1 1 50%;min-width:0;overflow-x:auto}
ol.figures li{margin:2px 0}.quote{color:#666;font-size:.9em}
.page .label{position:absolute;left:4px;top:2px;font-size:11px;color:#555}
.hl{position:absolute;border:3px solid #d62728;background:rgba(214,39,40,.18);pointer-events:none}
table.data{border-collapse:collapse;font-size:12px;margin:4px 0 16px}
table.data td,table.data th{border:1px solid #ccc;padding:1px 4px;text-align:right;white-space:nowrap}
table.data td.l,table.data th.l{text-align:left;white-space:normal}
table.data td.name{min-width:9em}.wide{overflow-x:auto;max-width:100%}
a.box{color:inherit;text-decoration:none;cursor:pointer}
a.box:hover,a.box.on{background:#ffe08a}
.mismatch{color:#d62728}.rounding{color:#b07b00}.info{color:#555}.ok{color:#2a7d2a}
h3 small{font-weight:normal;color:#666}
"""

_SCRIPT = """
function show(a){
  var page=document.getElementById('page-'+a.dataset.page); if(!page){return;}
  var s=page.clientWidth/parseFloat(page.dataset.width), b=a.dataset.box.split(',').map(Number);  // the image fits its panel
  document.body.dataset.scale=s.toFixed(4);
  var hl=document.getElementById('hl'); if(!hl){hl=document.createElement('div');hl.id='hl';hl.className='hl';}
  page.appendChild(hl);
  hl.style.left=(b[0]*s-3)+'px'; hl.style.top=(b[1]*s-3)+'px';
  hl.style.width=((b[2]-b[0])*s+6)+'px'; hl.style.height=((b[3]-b[1])*s+6)+'px';
  hl.dataset.for=a.id;
  document.querySelectorAll('a.box.on').forEach(function(x){x.classList.remove('on');});
  a.classList.add('on');
  var pages=document.getElementById('pages');
  a.scrollIntoView({block:'nearest'});
  pages.scrollTop=page.offsetTop+b[1]*s-pages.clientHeight/2;
  pages.scrollLeft=page.offsetLeft+b[0]*s-pages.clientWidth/2;
  var r=hl.getBoundingClientRect(), p=pages.getBoundingClientRect();
  document.body.dataset.shown=a.id;
  document.body.dataset.scroll=Math.round(window.scrollX)+','+Math.round(window.scrollY)+','+Math.round(pages.scrollTop);
  document.body.dataset.visible=(r.top>=p.top-1&&r.bottom<=p.bottom+1)?'yes':'no';
}
document.addEventListener('click',function(e){var a=e.target.closest('a.box');if(a){e.preventDefault();show(a);}});
window.addEventListener('load',function(){var id=location.hash.slice(1);var a=id&&document.getElementById(id);
  if(!a){a=document.querySelector('#tables a.box.title')||document.querySelector('#figures a.box');}  // open on the first table's page
  if(a){var d=a.closest('details');if(d){d.open=true;}a.click();}});
window.addEventListener('load',function(){  // say how two-sided tables are laid out: side by side or not
  var sides=document.querySelectorAll('.sides');
  document.body.dataset.sides=sides.length?Array.prototype.every.call(sides,function(x){
    var a=x.children[0].getBoundingClientRect(),b=x.children[1].getBoundingClientRect();
    return b.left>=a.right-2&&Math.abs(a.top-b.top)<5;})?'side-by-side':'stacked':'none';
  document.body.dataset.figures=document.querySelectorAll('#figures ol.figures > li').length;
  var names=Array.prototype.map.call(document.querySelectorAll('td.name'),function(x){return x.getBoundingClientRect().width;});
  document.body.dataset.labels=names.length?Math.round(Math.min.apply(null,names)):0;  // the narrowest label column, px
});
window.addEventListener('resize',function(){var a=document.querySelector('a.box.on');if(a){show(a);}});
"""


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _box(element_id: str, page: int | None, bbox: Iterable[float] | None, text: str) -> str:
    if not page or bbox is None:
        return _e(text)
    box = ",".join(f"{v:g}" for v in bbox)
    return f'<a class="box" id="{element_id}" href="#{element_id}" data-page="{page}" data-box="{box}">{_e(text)}</a>'


def _identity(doc: Document) -> str:
    info = doc.document
    rows = [("文件 file", doc.source.file), ("部门 department", info.department), ("地区 region", info.region),
            ("年度 year", info.fiscal_year), ("类型 kind", info.report_kind), ("单位 unit", info.unit), ("页数 pages", doc.source.pages),
            ("表格 tables", len(doc.tables)), ("数字 facts", len(doc.facts))]
    body = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    return f"<header><h1>{_e(info.department or doc.source.file)} {_e(info.fiscal_year or '')}</h1><table class=meta>{body}</table></header>"


def _sections(doc: Document) -> str:
    items = "".join(
        f"<li>{_box(f's-{i}', s.page, s.bbox, f'{s.number} {s.title}')} <small>p{s.page}</small></li>" for i, s in enumerate(doc.sections)
    )
    if not items:
        return ""
    return f'<section class="block"><details><summary>章节 Sections ({len(doc.sections)})</summary><ol>{items}</ol></details></section>'


def _checks(checks: Sequence[CheckRecord]) -> str:
    parts = []
    for i, check in enumerate(sorted(checks, key=lambda c: (c.status != "mismatch", c.status, c.rule))):
        evidence = "".join(
            f"<li>{_box(f'k-{i}-{j}', e.page, e.bbox, _figure(e.label, e.value, e.unit))} <small>p{e.page}</small></li>"
            for j, e in enumerate(check.evidence)
        )
        parts.append(f'<li class="{_e(check.status)}"><b>[{_e(check.status)}]</b> {_e(check.rule)}: {_e(check.message)}'
                     f"<br><small>{_e(check.description_zh)}</small><ul>{evidence}</ul></li>")
    if not parts:
        return ""
    mismatches = sum(1 for c in checks if c.status == "mismatch")
    opened = " open" if len(parts) <= _OPEN_LIST else ""
    return (f'<section class="block"><details{opened}><summary>核对 Checks: {mismatches} mismatch, {len(parts) - mismatches} other '
            f'findings</summary><ol>{"".join(parts)}</ol></details></section>')


def _figures(doc: Document) -> str:
    """Every narrative figure and line item with its quote, under the section it is printed in, each linked to its
    box on the page."""
    entries = [(f.page, Box(*f.bbox).top, f"f-{i}", f.page, f.bbox, f"{f.key} = {f.value}{f.unit}", f.quote) for i, f in enumerate(doc.facts)]
    entries += [(t.page, Box(*t.bbox).top, f"li-{i}",
                 t.page, t.bbox, f"{t.code or ''} {t.class_name or ''}{t.segment_name or ''}{t.item_name or ''} = "
                 f"{t.value}{t.unit}", t.quote) for i, t in enumerate(doc.line_items)]
    if not entries:
        return ""
    entries.sort(key=lambda e: (e[0], e[1]))
    heads = sorted(((s.page, Box(*s.bbox).top, f"{s.number} {s.title}") for s in doc.sections), key=lambda h: (h[0], h[1]))
    groups: dict[str, list[str]] = {}
    for page, top, element_id, at, bbox, text, quote in entries:
        under = [h for h in heads if (h[0], h[1]) <= (page, top)]
        heading = under[-1][2] if under else "（正文 before the first heading）"
        item = f'<li>{_box(element_id, at, bbox, text)} <small>p{at}</small><br><span class="quote">{_e(quote)}</span></li>'
        groups.setdefault(heading, []).append(item)
    body = "".join(f"<li><b>{_e(heading)}</b><ol class=figures>{''.join(items)}</ol></li>" for heading, items in groups.items())
    return (f'<section class="block" id="figures"><details open><summary>数字 Figures ({len(doc.facts)} figures, {len(doc.line_items)} line items)'
            f"</summary><ol>{body}</ol></details></section>")


def _figure(label: str, value: str, unit: str | None) -> str:
    return f"{label} = {value}{unit or ''}"


def _warnings(doc: Document) -> str:
    items = "".join(f"<li>{_e(w.code)}: {_e(w.message)}{f' (p{w.page})' if w.page else ''}</li>" for w in doc.warnings)
    opened = " open" if len(doc.warnings) <= _OPEN_LIST else ""
    if not items:
        return ""
    return f'<section class="block"><details{opened}><summary>警告 Warnings ({len(doc.warnings)})</summary><ul>{items}</ul></details></section>'


def _table(index: int, table: TableRecord) -> str:
    colour = "#{:02x}{:02x}{:02x}".format(*KIND_COLOURS.get(table.kind, KIND_COLOURS["other"]))
    sides = sorted({r.side for r in table.rows}) or [0]
    blocks = [_side_rows(index, table, side) for side in sides]
    body = blocks[0] if len(blocks) == 1 else '<div class="sides">' + "".join(f"<div>{b}</div>" for b in blocks) + "</div>"
    pages = ", ".join(str(p) for p in table.pages)
    title = f"{table.number or ''} {table.title or ''}".strip() or "(untitled)"
    first = table.placements[0] if table.placements else None
    heading = _box(f"t-{index}-box", first.page if first else None, first.bbox if first else None, title)
    heading = heading.replace('class="box"', 'class="box title"', 1)
    return (f'<h3 id="t-{index}" style="border-left:6px solid {colour};padding-left:6px">{heading} '
            f'<small>{_e(table.kind)} · {_e(table.unit or "")} · p{_e(pages)}{" · empty" if table.empty else ""}'
            f'{" · two-sided" if len(blocks) > 1 else ""} · {_verdict(table)}</small></h3>{body}')


def _verdict(table: TableRecord) -> str:
    if table.verified is None:
        return '<span class="info">– no arithmetic to check</span>'
    if table.verified:
        return '<span class="ok">✓ verified: its sums hold</span>'
    return f'<span class="mismatch">✗ not verified: {_e(", ".join(table.failed_checks))}</span>'


def _side_rows(index: int, table: TableRecord, side: int) -> str:
    """The rows of one side of a table (收入 | 支出 printed side by side), with that side's amount columns."""
    columns = [c.path for c in table.columns if c.role == "amount" and c.side == side] or [c.path for c in table.columns if c.role == "amount"]
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for r, row in enumerate(table.rows):
        if row.side != side:
            continue
        cells = {c.column: (k, c) for k, c in enumerate(row.cells)}
        tds = []
        for column in columns:
            if column in cells:
                k, cell = cells[column]
                tds.append(f"<td>{_box(f'c-{index}-{r}-{k}', cell.page, cell.bbox, cell.text)}</td>")
            else:
                tds.append("<td></td>")
        label = _box(f"r-{index}-{r}", row.page, row.bbox, ("\u3000" * row.depth) + row.label)
        body.append(f'<tr><td class="l">{_e(row.code or "")}</td><td class="l name">{label}</td>{"".join(tds)}</tr>')
    # a wide table scrolls in its panel rather than squeezing its labels to a character a line
    return (f'<div class="wide"><table class="data" data-side="{side}"><tr><th class="l">代码</th><th class="l">项目</th>{head}</tr>'
            f'{"".join(body)}</table></div>')


def _page_images(path: Path, doc: Document, numbers: list[int], password: str | None) -> str:
    all_marks = list(marks(doc))
    parts = []
    with PageImages(path, pdf=doc.source.format == "pdf", password=password) as page_images:
        for number in numbers:  # one image at a time: a long document's pages are not all held at once
            page_image = page_images.image(number, _SCALE)
            used = float(page_image.info["scale"])
            image = draw(page_image, [m for m in all_marks if m.page == number and m.what != "cell"], used)
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=_QUALITY, optimize=True)
            data = base64.b64encode(buffer.getvalue()).decode("ascii")
            parts.append(f'<div class="page" id="page-{number}" data-width="{image.width / used:g}">'
                         f'<img loading="lazy" width="{image.width}" height="{image.height}" alt="page {number}" src="data:image/jpeg;base64,{data}">'
                         f'<span class="label">p{number}</span></div>')
    return "".join(parts)


def report_html(path: str | Path, doc: Document, password: str | None = None) -> str:
    """The review report of ``doc``, extracted from the PDF at ``path``, as one HTML document."""
    path = Path(path)
    numbers = sorted({p for t in doc.tables for p in t.pages} | {s.page for s in doc.sections}
                     | {e.page for c in doc.checks for e in c.evidence if e.page} | {f.page for f in doc.facts} | {i.page for i in doc.line_items})
    pages = _page_images(path, doc, numbers, password)
    tables = "".join(_table(i, t) for i, t in enumerate(doc.tables)) or "<p>没有表格 No tables.</p>"
    title = _e(f"{doc.document.department or doc.source.file} {doc.document.fiscal_year or ''}")
    meta = _e(json.dumps({"file": doc.source.file, "sha256": doc.source.sha256, "tool": doc.tool}, ensure_ascii=False))
    return (f'<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="generator" content="{meta}"><style>{_STYLE}</style></head><body>'
            f"{_identity(doc)}{_warnings(doc)}{_checks(doc.checks)}{_sections(doc)}{_figures(doc)}"
            f'<main><div id="tables"><h2>表格 Tables</h2>{tables}</div><div id="pages">{pages}</div></main>'
            f"<script>{_SCRIPT}</script></body></html>\n")
