"""What was extracted, seen on the page: the overlay image and the HTML review report, on real documents."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from extractor.export.overlay import KIND_COLOURS, render_page, show
from extractor.export.report import report_html
from tests.conftest import CORPUS, extracted, read_csv

PATHS = [row["path"] for row in read_csv("corpus_identity.csv")]
CQ = CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"


def _first_table_page(path: Path) -> int:
    doc = extracted(str(path))
    return doc.tables[0].pages[0] if doc.tables else 1


@pytest.mark.parametrize("path", PATHS)
def test_every_text_pdf_shows_a_page_and_writes_a_report(path: str) -> None:
    source = CORPUS / path
    doc = extracted(str(source))
    number = _first_table_page(source)
    image = show(source, doc, number, scale=0.5)
    assert image.size[0] > 100 and image.size[1] > 100
    page = report_html(source, doc)
    assert page.count('<table class="data">') == len(doc.tables)
    assert not re.search(r'(?:src|href)="https?://', page)  # works offline
    assert page.count('class="page"') == len({p for t in doc.tables for p in t.pages} | {s.page for s in doc.sections}
                                               | {e.page for c in doc.checks for e in c.evidence if e.page})


def test_boxes_are_drawn_where_the_cells_are() -> None:
    doc = extracted(str(CQ))
    table = next(t for t in doc.tables if t.kind == "gpb_expenditure")
    cell = next(c for r in table.rows for c in r.cells if c.page == 15)
    scale = 2.0
    plain = render_page(CQ, 15, scale)
    drawn = show(CQ, doc, 15, scale)
    assert drawn.size == plain.size
    width, height = plain.size
    assert abs(width - 841.85 * scale) <= 2 and abs(height - 595.25 * scale) <= 2
    # inside the cell, off its text: tinted towards the table kind's colour
    x, y = round(cell.bbox[0] * scale) + 4, round(cell.bbox[1] * scale) + 4
    before, after = plain.getpixel((x, y)), drawn.getpixel((x, y))
    colour = KIND_COLOURS["gpb_expenditure"]
    assert before != after
    assert sum(abs(a - c) for a, c in zip(after, colour, strict=True)) < sum(abs(b - c) for b, c in zip(before, colour, strict=True))
    # the margin, away from every table, is left alone
    assert plain.getpixel((10, 10)) == drawn.getpixel((10, 10))


def test_failed_checks_are_drawn_in_red() -> None:
    path = CORPUS / "renwu/CC_xfj_2026_部门预算.pdf"
    doc = extracted(str(path))
    check = next(c for c in doc.checks if c.status == "mismatch" and c.rule == "table.code_hierarchy")
    evidence = check.evidence[0]
    scale = 2.0
    drawn = show(path, doc, evidence.page, scale)
    x0, top, x1, bottom = (round(v * scale) for v in evidence.bbox)
    edge = drawn.getpixel((x0 + 1, (top + bottom) // 2))
    assert edge[0] > 150 and edge[1] < 110 and edge[2] < 110  # red outline


def test_clicking_a_cell_in_the_report_scrolls_to_and_highlights_its_box(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the report test needs Debian's chromium (apt-get install chromium); .ci/run installs it"
    doc = extracted(str(CQ))
    report = tmp_path / "report.html"
    report.write_text(report_html(CQ, doc), encoding="utf-8")
    index = next(i for i, t in enumerate(doc.tables) if t.kind == "gpb_expenditure")
    table = doc.tables[index]
    row_index, row = next((i, r) for i, r in enumerate(table.rows) if r.code == "2010301")
    cell = row.cells[1]
    anchor = f"c-{index}-{row_index}-1"
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1400,900",
               "--virtual-time-budget=4000", "--dump-dom", f"file://{report}#{anchor}"]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body and f'data-shown="{anchor}"' in body.group(1) and 'data-visible="yes"' in body.group(1)
    box = re.search(r'<div id="hl" class="hl" data-for="([^"]+)" style="left: ([\d.]+)px; top: ([\d.]+)px;', dom)
    assert box and box.group(1) == anchor
    assert abs(float(box.group(2)) - (cell.bbox[0] - 3)) < 1 and abs(float(box.group(3)) - (cell.bbox[1] - 3)) < 1
    assert f'id="page-{cell.page}"' in dom[dom.find("<main"):]
