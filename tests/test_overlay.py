"""What was extracted, seen on the page: the overlay image and the HTML review report, on real documents."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import extractor
from extractor.errors import SettingsError
from extractor.export.overlay import KIND_COLOURS, render_page, render_virtual, show
from extractor.export.report import report_html
from extractor.records import document_from_dict
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
    assert page.count('<h3 id="t-') == len(doc.tables)
    assert page.count('<table class="data"') == sum(len({r.side for r in t.rows} or {0}) for t in doc.tables)  # a side each
    assert not re.search(r'(?:src|href)="https?://', page)  # works offline
    assert page.count('class="page"') == len({p for t in doc.tables for p in t.pages} | {s.page for s in doc.sections}
                                               | {e.page for c in doc.checks for e in c.evidence if e.page}
                                               | {f.page for f in doc.facts} | {i.page for i in doc.line_items})


def test_boxes_are_drawn_where_the_cells_are() -> None:
    doc = extracted(str(CQ))
    table = next(t for t in doc.tables if t.kind == "gpb_expenditure")
    cell = next(c for r in table.rows for c in r.cells if c.page == 15)
    scale = 2.0
    plain = render_page(CQ, 15, scale)
    drawn = show(CQ, doc, 15, scale)
    assert drawn.width == plain.width and drawn.height > plain.height  # the legend under the page
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
    scale = float(re.search(r'data-scale="([\d.]+)"', body.group(1)).group(1))  # the page image fits its panel
    assert 0.3 < scale < 2
    assert abs(float(box.group(2)) - (cell.bbox[0] * scale - 3)) < 1 and abs(float(box.group(3)) - (cell.bbox[1] * scale - 3)) < 1
    assert f'id="page-{cell.page}"' in dom[dom.find("<main"):]


def _open_in_chromium(tmp_path: Path, report: Path, anchor: str, width: int = 1400) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the report test needs Debian's chromium (apt-get install chromium); .ci/run installs it"
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", f"--window-size={width},900",
               "--virtual-time-budget=4000", "--dump-dom", f"file://{report}#{anchor}"]
    return subprocess.run(command, capture_output=True, text=True, timeout=120).stdout


def test_a_narrative_only_report_lists_every_figure_and_highlights_one(tmp_path: Path) -> None:
    path = CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf"
    doc = extracted(str(path))
    assert not doc.tables and doc.facts
    report = tmp_path / "report.html"
    report.write_text(report_html(path, doc), encoding="utf-8")
    index, fact = next((i, f) for i, f in enumerate(doc.facts) if f.key == "three_public_total")
    dom = _open_in_chromium(tmp_path, report, f"f-{index}", width=900)
    body = re.search(r"<body([^>]*)>", dom)
    assert body and f'data-shown="f-{index}"' in body.group(1) and 'data-visible="yes"' in body.group(1)
    assert f'data-figures="{len(doc.facts) + len(doc.line_items)}"' in body.group(1)  # every figure listed, under its heading
    text = html.unescape(dom)
    assert fact.quote[:20] in text and "<b>四 财政拨款“三公”经费预算情况说明</b>" in text  # under its heading, with its sentence
    assert f'id="page-{fact.page}"' in dom


def test_a_two_sided_table_is_shown_side_by_side_and_the_report_opens_on_its_page(tmp_path: Path) -> None:
    doc = extracted(str(CQ))
    index = next(i for i, t in enumerate(doc.tables) if t.kind == "summary")
    assert {r.side for r in doc.tables[index].rows} == {0, 1}
    report = tmp_path / "report.html"
    report.write_text(report_html(CQ, doc), encoding="utf-8")
    dom = _open_in_chromium(tmp_path, report, "")
    body = re.search(r"<body([^>]*)>", dom)
    assert body and 'data-sides="side-by-side"' in body.group(1)
    assert 'data-shown="t-0-box"' in body.group(1) and 'data-visible="yes"' in body.group(1)  # opens on the first table


def test_show_draws_any_format_with_a_legend_and_a_document_shows_itself() -> None:
    page_html = CORPUS / "renwu/YT_tyjrswj_2026_部门预算.html"
    doc = extracted(str(page_html))
    table = next(t for t in doc.tables if t.kind == "summary")
    number = table.placements[0].page
    image = doc.show(number, scale=1.0)
    plain = render_virtual(page_html, number, 1.0)
    assert image.width == plain.width and image.height == plain.height + 8 + 18  # one legend entry: the summary table
    assert image.getpixel((15, plain.height + 4 + 8)) == KIND_COLOURS["summary"]
    x0, top, _, _ = table.placements[0].bbox
    assert image.getpixel((round(x0) + 1, round(top) + 1)) != plain.getpixel((round(x0) + 1, round(top) + 1))  # the table drawn
    pdf = extractor.extract(CQ.read_bytes(), pages="15")
    assert pdf.show(15, scale=0.5).width == round(841.85 * 0.5)
    with pytest.raises(SettingsError, match="read back from its JSON"):
        document_from_dict(pdf.to_dict()).show(15)


def test_a_huge_page_is_drawn_within_the_pixel_cap(tmp_path: Path) -> None:
    import pikepdf

    huge = tmp_path / "huge.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(14400, 14400))  # 200 inches a side: 2,000 megapixels at the default scale
    pdf.save(huge)
    image = render_page(huge, 1, 1.5)
    assert image.width * image.height <= 40_000_000 and image.info["scale"] < 1.5


def test_a_web_page_is_drawn_with_its_figures_readable_and_show_and_report_say_what_they_wrote(tmp_path: Path) -> None:
    page_html = CORPUS / "renwu/YT_tyjrswj_2026_部门预算.html"
    doc = extracted(str(page_html))
    table = next(t for t in doc.tables if t.kind == "summary")
    cell = next(c for r in table.rows for c in r.cells if c.text == "28,685.65")
    image = render_virtual(page_html, cell.page, 2.0)
    x0, top, x1, bottom = (round(v * 2.0) for v in cell.bbox)
    inked = [image.getpixel((x, y)) for x in range(x0, x1) for y in range(top, bottom)]
    assert min(sum(p) for p in inked) < 3 * 100  # the digits as dark text, not a grey box (200, 200, 200) per character
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "show", str(page_html), "--page", str(cell.page), "-o", str(tmp_path / "p.png")],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0
    assert run.stderr.startswith(f"wrote {tmp_path / 'p.png'}: page {cell.page} of 53, 1 tables, ")
    run = subprocess.run([sys.executable, "-m", "extractor.cli", "report", str(CQ), "-o", str(tmp_path / "r.html")],
                         capture_output=True, text=True, timeout=300)
    first = min(p.page for t in extracted(str(CQ)).tables for p in t.placements)
    assert run.returncode == 0 and run.stderr.strip().endswith(f"it opens on page {first}, the first table's")
    quiet = subprocess.run([sys.executable, "-m", "extractor.cli", "report", str(CQ), "-o", str(tmp_path / "q.html"), "--quiet"],
                           capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_a_wide_table_keeps_its_labels_readable_in_a_narrow_window(tmp_path: Path) -> None:
    # 重庆's 表五 has eleven amount columns: in a 900-pixel window its labels were squeezed to a character a line
    doc = extracted(str(CQ))
    assert max(len([c for c in t.columns if c.role == "amount"]) for t in doc.tables) >= 8
    report = tmp_path / "report.html"
    report.write_text(report_html(CQ, doc), encoding="utf-8")
    body = re.search(r"<body([^>]*)>", _open_in_chromium(tmp_path, report, "", width=900))
    narrowest = re.search(r'data-labels="(\d+)"', body.group(1) if body else "")
    assert narrowest and int(narrowest.group(1)) >= 9 * 12  # 9em of the 12-pixel table font: four characters or more a line
