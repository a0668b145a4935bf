"""Tables on the real corpus: every table found, recognised, joined and read with its provenance.

``data/corpus_tables.csv`` lists, for every text PDF, each table the document prints (pages, number,
title, kind, empty or not), written by reading the pages, not from this program's output.
"""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest

from extractor.domain.table_kinds import TableKind, classify_title
from tests.conftest import CORPUS, SHARED, extracted, read_csv

EXPECTED: dict[str, list[dict[str, str]]] = defaultdict(list)
for _row in read_csv("corpus_tables.csv"):
    EXPECTED[_row["path"]].append(_row)
PATHS = [row["path"] for row in read_csv("corpus_identity.csv")]

# Known disagreements, each with its reason; strict, so a fix shows up as a failure to remove the mark.
KNOWN = {
    "renwu/CN_gjxfj_2024_部门决算.pdf": "p46 表1 项目年度绩效指标表 sits in an appended evaluation report; read as a project target table",
}


def _cases() -> list[object]:
    return [
        pytest.param(path, marks=pytest.mark.xfail(reason=KNOWN[path], strict=True)) if path in KNOWN else path
        for path in PATHS
    ]


@pytest.mark.parametrize("path", _cases())
def test_every_table_is_found_with_its_kind_pages_and_emptiness(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    assert not [w for w in doc.warnings if w.code == "tables_not_read"]
    got = sorted((t.pages[0], t.pages[-1], t.kind, t.empty) for t in doc.tables)
    want = sorted((int(r["first_page"]), int(r["last_page"]), r["kind"], r["empty"] == "yes") for r in EXPECTED[path])
    assert got == want


KNOWN_TITLES = {
    "renwu/GZ_wjw_2026_部门预算.pdf": "p116: the heading naming the table is printed at the foot of p115",
}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_TITLES[p], strict=True)) if p in KNOWN_TITLES else p
        for p in PATHS
        if EXPECTED[p]
    ],
)
def test_printed_numbers_and_titles_are_kept(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    by_page: dict[int, list[object]] = defaultdict(list)
    for t in doc.tables:
        by_page[t.pages[0]].append(t)
    seen: dict[int, int] = defaultdict(int)
    for row in EXPECTED[path]:
        page = int(row["first_page"])
        table = by_page[page][seen[page]]  # the tables of one page in printed order
        seen[page] += 1
        if row["number"]:
            assert table.number == row["number"], row
        if row["title"]:
            assert _compact(row["title"]) in _compact(table.title or ""), row


def _compact(text: str) -> str:
    return re.sub(r"[\s“”\"（）()]", "", text)


@pytest.mark.parametrize("path", [p for p in PATHS if EXPECTED[p]])
def test_every_cell_has_its_page_and_box(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    for table in doc.tables:
        boxes = {p.page: p.bbox for p in table.placements}
        for row in table.rows:
            for cell in row.cells:
                assert cell.page in table.pages
                x0, top, x1, bottom = boxes[cell.page]
                cx, cy = (cell.bbox[0] + cell.bbox[2]) / 2, (cell.bbox[1] + cell.bbox[3]) / 2
                assert x0 <= cx <= x1 and top <= cy <= bottom, (table.title, cell)
                if cell.value is not None:
                    assert Decimal(cell.value) == Decimal(re.sub(r"[,，\s]", "", cell.text).strip("()（）")).copy_abs() * (
                        -1 if cell.value.startswith("-") else 1
                    )


def _table(path: str, kind: str):  # type: ignore[no-untyped-def]
    return next(t for t in extracted(str(CORPUS / path)).tables if t.kind == kind)


def test_codes_split_over_columns_are_joined_with_level_and_parent() -> None:
    table = _table("tianbaoxitong/SH_PT_czj_2025_部门预算.pdf", "gpb_expenditure")
    rows = {r.code: r for r in table.rows if r.code}
    item = next(r for r in table.rows if r.code and len(r.code) == 7)
    assert item.level == "项" and item.parent == item.code[:5]
    assert rows[item.code[:5]].level == "款" and rows[item.code[:5]].parent == item.code[:3]
    assert rows[item.code[:3]].level == "类" and rows[item.code[:3]].parent is None


def test_two_codes_keep_the_department_economic_one_as_code() -> None:
    table = _table("renwu/BJ_sfj_2026_附件2_报表.pdf", "gpb_basic_expenditure")
    coded = [r for r in table.rows if r.code]
    assert coded and all(r.code.startswith("3") and r.code2 and r.code2.startswith("5") for r in coded)
    assert all(not re.match(r"^\d", r.label) for r in coded)


def test_bracketed_codes_are_read_from_the_label() -> None:
    table = _table("renwu/GZ_zfbgt_2026_部门预算.pdf", "gpb_expenditure")
    first = next(r for r in table.rows if r.code)
    assert first.code == "201" and first.label == "一般公共服务支出"


def test_two_sided_tables_are_two_row_sets_with_side_paths() -> None:
    table = _table("renwu/CQ_zfbgt_2026_部门预算.pdf", "summary")
    sides = {r.side for r in table.rows}
    assert sides == {0, 1}
    assert {c.column for r in table.rows if r.side == 0 for c in r.cells} == {"收入/预算数"}
    assert {c.column for r in table.rows if r.side == 1 for c in r.cells} == {"支出/预算数"}
    assert {c.key for r in table.rows for c in r.cells} == {"income.amount", "expenditure.amount"}


def test_three_blocks_on_a_rotated_page_are_three_sides() -> None:
    table = _table("open-budget/JS_swbgt_2018_部门预算公开表.pdf", "summary")
    paths = {c.column for r in table.rows for c in r.cells}
    assert paths == {"收入/金额", "支出/功能分类/金额", "支出/支出用途/金额"}


def test_multi_row_headers_become_paths() -> None:
    table = _table("renwu/CQ_zfbgt_2026_部门预算.pdf", "gpb_expenditure")
    assert "2026年预算数/基本支出/人员经费" in {c.path for c in table.columns}
    assert table.pages == (15, 16)


def test_units_are_per_table() -> None:
    doc = extracted(str(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf"))
    units = {t.kind: t.unit for t in doc.tables}
    assert units["gpb_expenditure"] == "元" and units["three_public"] == "万元"


def test_totals_and_subitems_are_marked() -> None:
    table = _table("renwu/CQ_zfbgt_2026_部门预算.pdf", "gpb_expenditure")
    totals = [r for r in table.rows if r.total]
    assert [r.label for r in totals] == ["合计"]
    three_public = _table("renwu/GZ_zfbgt_2026_部门预算.pdf", "three_public")
    assert [r.label for r in three_public.rows if r.subitem][:1] == ["其中：（一）因公出国（境）支出"]


def test_typical_titles_of_the_truth_format_are_recognised() -> None:
    text = (SHARED / "eval" / "TRUTH_FORMAT.md").read_text(encoding="utf-8")
    checked = 0
    for kind, titles in re.findall(r"^\| `(\w+)` \| (.+) \|$", text, flags=re.M):
        if kind == TableKind.OTHER.value:
            continue
        for title in titles.split(", "):
            title = re.sub(r"\s*\(.*\)$", "", title.strip())
            if title.startswith("..."):
                continue
            assert classify_title(title).value == kind, title
            checked += 1
    assert checked >= 25


def test_rows_without_codes_nest_by_ordinal_and_qizhong() -> None:
    table = _table("renwu/XA_sfj_2026_部门预算.pdf", "summary")
    income = [r for r in table.rows if r.side == 0]
    by_label = {r.label: r for r in income}
    first, grant, gpb = by_label["一、部门预算"], by_label["1、财政拨款"], by_label["（1）一般公共预算拨款"]
    assert (first.depth, grant.depth, gpb.depth) == (0, 1, 2)
    assert table.rows[grant.parent_row].label == "一、部门预算"
    assert table.rows[gpb.parent_row].label == "1、财政拨款"
    special = by_label["其中：专项资金列入部门预算的项目"]
    assert table.rows[special.parent_row].label == "（1）一般公共预算拨款"


def test_rows_without_codes_or_ordinals_nest_by_indentation() -> None:
    table = _table("renwu/CC_xfj_2026_部门预算.pdf", "summary")
    child = next(r for r in table.rows if r.label == "一般公共预算拨款收入")
    assert child.depth == 1 and table.rows[child.parent_row].label == "一、财政拨款收入"


def test_percentage_columns_are_kept_as_text_in_the_same_side() -> None:
    table = _table("renwu/CN_gjxfj_2026_部门预算.pdf", "gpb_expenditure")
    assert {r.side for r in table.rows} == {0}
    percents = [c for r in table.rows for c in r.cells if c.text.endswith("%")]
    assert percents and all(c.value is None for c in percents)


def test_row_number_columns_are_not_amounts() -> None:
    table = _table("renwu/FS_gdjtj_2019_部门决算.pdf", "summary")
    assert [c.path for c in table.columns if c.role == "index"] == ["收入/行次", "支出/行次"]
    assert not [c for r in table.rows for c in r.cells if c.column.endswith("行次")]


def test_two_code_columns_keep_the_department_economic_code_and_its_name() -> None:
    doc = extracted(str(CORPUS / "renwu/XA_sfj_2026_部门预算.pdf"))
    table = next(t for t in doc.tables if t.number == "表6")
    row = next(r for r in table.rows if r.code == "30101")
    assert (row.code2, row.label, row.parent) == ("50101", "基本工资", "301")


@pytest.mark.parametrize(
    ("texts", "index"),
    [
        (["栏次", "1", "2", "3"], True),
        (["**", "1"], True),
        (["甲", "乙", "1", "2=3+4"], True),
        (["1", "2", "3", "4"], True),
        (["35000", "0", "0", "35000"], False),  # a 三公 row in whole 元
        (["6", "0", "0", "6"], False),
    ],
)
def test_column_number_rows_are_told_from_whole_number_rows(texts: list[str], index: bool) -> None:
    from extractor.layout.tables import _is_index_row

    assert _is_index_row(texts) is index


def test_a_page_without_the_table_mark_is_read_the_same_without_putting_its_lines_together(monkeypatch: pytest.MonkeyPatch) -> None:
    import extractor.layout.stream as stream
    import extractor.layout.tables as tables
    from extractor.layout.grid import prints
    from extractor.layout.sections import toc_pages
    from extractor.readers import ReaderSettings, read_source

    path = CORPUS / "renwu/GZ_wjw_2026_部门预算.pdf"  # a budget: narrative pages, then a table on each page
    pages = read_source(path.read_bytes(), str(path), ReaderSettings(ocr="never")).pages
    unmarked = [p.number for p in pages if p.chars and not prints(p, tables.TABLE_MARK)]
    assert unmarked and len(unmarked) < len(pages)
    found = tables.find_tables(pages, toc_pages(pages), "万元")
    for module in (stream, tables):
        monkeypatch.setattr(module, "prints", lambda page, mark: True)
    assert found.tables and tables.find_tables(pages, toc_pages(pages), "万元") == found
