"""Consistency checks on real documents: what they report, and each rule passing and failing.

``data/known_inconsistencies.csv`` lists every mismatch the checks report on the corpus, each read on the
page and found to be the document's own (a percentage that does not follow, a 类 that is not the sum of its
款); a new mismatch is either an extraction error to fix or a new entry after reading the page.
"""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

import pytest

from extractor.checks import Status, check_documents, check_narrative, check_records
from extractor.checks.model import classify, tolerance
from extractor.interpret.tables import verified
from extractor.layout.narrative import build_narrative
from extractor.layout.sections import find_sections
from extractor.readers import ReaderSettings, read_source
from extractor.records import TableRecord
from tests.conftest import CORPUS, DATA, SEED, SHARED, extracted, read_csv, read_text_only, shared_files

PATHS = [row["path"] for row in read_csv("corpus_identity.csv")]
KNOWN: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
with open(DATA / "known_inconsistencies.csv", encoding="utf-8", newline="") as handle:
    for row in csv.DictReader(handle):
        KNOWN[row["path"]].append((row["rule"], int(row["page"]), row["expected"], row["actual"]))


@pytest.mark.parametrize("path", PATHS)
def test_every_reported_mismatch_is_a_known_inconsistency_of_the_document(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    found = sorted((c.rule, c.evidence[0].page, c.expected, c.actual) for c in doc.checks if c.status == "mismatch")
    assert found == sorted(KNOWN[path])


# the pool's files, and the corpus files no other test reads whole: keyed as in known_inconsistencies.csv
UNTUNED = [path for path in shared_files() if path not in PATHS]


@pytest.mark.slow
@pytest.mark.parametrize("path", UNTUNED)
def test_every_mismatch_on_untuned_files_is_a_known_inconsistency_of_the_document(path: str) -> None:
    # each mismatch left on the pool and the rest of the corpus was read on its page and is the document's own
    doc = read_text_only(path)
    found = sorted((c.rule, c.evidence[0].page, c.expected, c.actual) for c in doc.checks if c.status == "mismatch")
    assert found == sorted(KNOWN[path])


def test_the_seed_reports_its_three_known_gaps_and_nothing_else() -> None:
    doc = extracted(str(SEED))
    flagged = {(c.rule, c.status, c.expected, c.actual) for c in doc.checks}
    assert flagged == {
        ("narrative.change_percent", "mismatch", "6.94", "6.49"),  # 5.76 / (88.74 - 5.76)
        ("narrative.list_sum", "rounding", "1002.30", "1002.29"),  # 类 totals
        ("narrative.list_sum", "rounding", "88.74", "88.71"),  # 公用经费 items
    }


def test_tolerance_grows_with_the_number_of_terms_and_the_printed_step() -> None:
    assert tolerance([Decimal("1.00")], 1) == Decimal("0.01")
    assert tolerance([Decimal("1.00")], 11) == Decimal("0.06")
    assert tolerance([Decimal("1500")], 3) == Decimal(2)
    assert classify(Decimal("88.74"), [Decimal("88.71")])[0] is Status.MISMATCH
    assert classify(Decimal("1002.30"), [Decimal("787.19"), Decimal("97.41"), Decimal("49.95"), Decimal("67.74")])[0] is Status.ROUNDING


# --- each record rule passing on a real table and failing on the same table altered ---------------------------

def _tables(path: str) -> list[TableRecord]:
    return list(extracted(str(CORPUS / path)).tables)


def _statuses(tables: list[TableRecord], rule: str, path: str = "", facts: bool = False) -> set[Status]:
    doc = extracted(str(CORPUS / path)) if path else None
    fact_records = [(f, None) for f in doc.facts] if facts and doc else []
    item_records = [(i, None) for i in doc.line_items] if facts and doc else []
    return {r.status for r in check_records([(t, None) for t in tables], fact_records, item_records) if r.rule.id == rule}


def _alter(tables: list[TableRecord], kind: str, label: str, column_part: str, value: str) -> list[TableRecord]:
    """The tables with one printed cell changed: the first row labelled ``label`` in the ``kind`` table."""
    out = []
    done = False
    for table in tables:
        if table.kind == kind and not done:
            rows = list(table.rows)
            for i, row in enumerate(rows):
                cells = list(row.cells)
                hit = next((j for j, c in enumerate(cells) if row.label == label and column_part in c.column and c.value), None)
                if hit is not None:
                    cells[hit] = dataclasses.replace(cells[hit], value=value, text=value)
                    rows[i] = dataclasses.replace(row, cells=tuple(cells))
                    done = True
                    break
            table = dataclasses.replace(table, rows=tuple(rows))
        out.append(table)
    assert done, (kind, label, column_part)
    return out


CQ = "renwu/CQ_zfbgt_2026_部门预算.pdf"
CASES = [
    # rule, document, (kind, row label, column part, altered value)
    ("table.code_hierarchy", CQ, ("gpb_expenditure", "行政运行", "总计", "6442.71")),
    ("table.total_row", CQ, ("gpb_expenditure", "合计", "总计", "18417.80")),
    ("table.column_sum", CQ, ("gpb_expenditure", "行政运行", "人员经费", "4542.00")),
    ("table.balance", "renwu/GZ_zfbgt_2026_部门预算.pdf", ("summary", "支出总计", "支出", "16400.71")),
    ("table.row_hierarchy", "renwu/XA_sfj_2026_部门预算.pdf", ("summary", "（1）一般公共预算拨款", "收入", "136507800.00")),
    ("cross.basic_total", CQ, ("gpb_basic_expenditure", "合计", "", "9018.00")),
    ("cross.summary_totals", "renwu/GZ_zfbgt_2026_部门预算.pdf", ("expenditure", "合计", "合计", "16410.00")),
    ("cross.class_rows", CQ, ("expenditure", "一般公共服务支出", "总计", "15900.00")),
    ("cross.gpb_total", CQ, ("fiscal_summary", "支出合计", "一般公共预算", "18417.07")),
    ("cross.personnel_public", CQ, ("gpb_expenditure", "合计", "人员经费", "7180.29")),
    ("table.item_rows", "renwu/GZ_zfbgt_2026_部门预算.pdf", ("three_public", "三公经费", "合计", "236.86")),
]


@pytest.mark.parametrize(("rule", "path", "change"), CASES, ids=[c[0] for c in CASES])
def test_record_rules_pass_on_the_document_and_fail_when_a_figure_is_altered(rule: str, path: str, change: tuple[str, str, str, str]) -> None:
    tables = _tables(path)
    assert _statuses(tables, rule) <= {Status.OK, Status.ROUNDING} and _statuses(tables, rule)
    assert Status.MISMATCH in _statuses(_alter(tables, *change), rule)


def test_narrative_three_public_figures_meet_the_table_and_miss_an_altered_one() -> None:
    tables = _tables(CQ)
    assert _statuses(tables, "narrative.three_public_table", CQ, facts=True) == {Status.OK}
    altered = _alter(tables, "three_public", "", "2026年预算数/公务接待费", "12.00")
    assert Status.MISMATCH in _statuses(altered, "narrative.three_public_table", CQ, facts=True)


def test_narrative_line_items_meet_their_table_rows_and_miss_an_altered_one() -> None:
    path = "GovBudgetChecker/SH_PT_czj_2024_部门决算.pdf"
    tables = _tables(path)
    assert Status.OK in _statuses(tables, "narrative.line_item_table", path, facts=True)
    assert Status.MISMATCH not in _statuses(tables, "narrative.line_item_table", path, facts=True)
    doc = extracted(str(CORPUS / path))
    item = next(i for i in doc.line_items if i.code and len(i.code) == 3)
    altered = [(dataclasses.replace(item, value=str(Decimal(item.value) + 100)), None)]
    results = check_records([(t, None) for t in tables], [], altered)
    assert {r.status for r in results if r.rule.id == "narrative.line_item_table"} == {Status.MISMATCH}


def _seed_narrative():  # type: ignore[no-untyped-def]
    source = read_source(SEED.read_bytes(), SEED.name, ReaderSettings())
    return build_narrative(source.pages, find_sections(source.pages))


@pytest.mark.parametrize(
    ("rule", "printed", "altered"),
    [
        ("narrative.share", "占87.53%", "占88.53%"),
        ("narrative.list_sum", "项目支出124.95万元", "项目支出134.95万元"),
        ("narrative.change_percent", "增加6.49%", "增加6.94%"),
    ],
)
def test_narrative_rules_on_the_seed_and_on_its_text_altered(rule: str, printed: str, altered: str) -> None:
    narrative = _seed_narrative()
    before = {r.status for r in check_narrative(narrative) if r.rule.id == rule}
    changed = dataclasses.replace(narrative, text=narrative.text.replace(printed, altered, 1))
    after = {r.status for r in check_narrative(changed) if r.rule.id == rule}
    if rule == "narrative.change_percent":  # the seed's own 6.49% is the mismatch; 6.94% is right
        assert before == {Status.MISMATCH} and after == {Status.OK}
    else:
        assert Status.MISMATCH not in before and Status.MISMATCH in after


def test_a_code_printed_with_another_name_is_a_mismatch_and_a_rename_in_its_years_is_not() -> None:
    # 江苏省检察院 2019 prints 20805 行政事业单位离退休, the name the 2019 edition still had (行政事业单位养老支出 after)
    renamed = extracted(str(CORPUS / "open-budget/JS_jcy_2019_部门预算公开.pdf"))
    assert any(r.code == "20805" and r.label == "行政事业单位离退休" for t in renamed.tables for r in t.rows)
    assert set(renamed.check_counts["code.name"]) == {"ok"}
    # 重庆市政府办公厅: every coded row of every table is its code's 科目; 2010301 printed as another name is not
    tables = _tables(CQ)
    assert _statuses(tables, "code.name") == _statuses(tables, "code.known") == _statuses(tables, "code.parent") == {Status.OK}
    misread = [dataclasses.replace(t, rows=tuple(dataclasses.replace(r, label="一般行政管理事务") if r.code == "2010301" else r for r in t.rows))
               if t.kind == "gpb_expenditure" else t for t in tables]
    results = check_records([(t, None) for t in misread], year=2026)
    (finding,) = [r for r in results if r.rule.id == "code.name" and r.status is Status.MISMATCH]
    assert "2010301 一般行政管理事务" in finding.message and "行政运行" in finding.message
    gpb = next(i for i, t in enumerate(misread) if t.kind == "gpb_expenditure")
    assert verified(misread, results)[gpb].verified is False  # its sums still hold; its reading does not


def test_a_code_nested_under_a_code_it_does_not_continue_or_outside_its_classification_is_a_mismatch() -> None:
    tables = _tables(CQ)
    gpb = next(t for t in tables if t.kind == "gpb_expenditure")
    moved = dataclasses.replace(gpb, rows=tuple(dataclasses.replace(r, code="2018888") if r.code == "2010301" else r for r in gpb.rows))
    results = check_records([(moved, None)], year=2026)
    assert {r.rule.id for r in results if r.status is Status.MISMATCH} >= {"code.parent", "code.known"}


def test_a_narrative_and_its_tables_in_two_files_are_checked_together() -> None:
    narrative = extracted(str(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf"))
    tables = extracted(str(CORPUS / "renwu/BJ_sfj_2026_附件2_报表.pdf"))
    assert "narrative.three_public_table" not in narrative.check_counts  # alone, no table to meet
    findings, counts = check_documents([narrative, tables])
    assert sum(counts["narrative.three_public_table"].values()) >= 3
    assert not [f for f in findings if f.status == "mismatch"]
    files = {e.file for f in findings for e in f.evidence}
    assert files <= {narrative.source.file, tables.source.file}


def test_check_command_reports_by_severity_and_fails_under_strict() -> None:
    run = [sys.executable, "-m", "extractor.cli", "check", str(SEED)]
    plain = subprocess.run(run, capture_output=True, text=True)
    assert plain.returncode == 0 and "== MISMATCH (1)" in plain.stdout and "6.49" in plain.stdout
    strict = subprocess.run([*run, "--strict"], capture_output=True, text=True)
    assert strict.returncode == 1


def test_narrative_totals_meet_a_total_row_and_miss_an_altered_one() -> None:
    doc = extracted(str(CORPUS / CQ))
    tables = [(t, None) for t in doc.tables]
    facts = [(f, None) for f in doc.facts if f.key in ("income_total", "expenditure_total")]
    assert facts and {r.status for r in check_records(tables, facts) if r.rule.id == "narrative.totals_table"} == {Status.OK}
    altered = [(dataclasses.replace(f, value="19000.00"), file) for f, file in facts]
    assert {r.status for r in check_records(tables, altered) if r.rule.id == "narrative.totals_table"} == {Status.MISMATCH}


def test_two_tables_of_one_kind_and_classification_are_a_conflict_and_by_function_and_economic_class_are_not() -> None:
    tables = _tables(CQ)
    gpb = next(t for t in tables if t.kind == "gpb_expenditure")
    assert gpb.classification == "function"
    twice = check_records([(t, "a.pdf") for t in [*tables, gpb]], year=2026)
    conflicts = [r for r in twice if r.rule.id == "cross.one_table"]
    assert len(conflicts) == 2 and {r.status for r in conflicts} == {Status.MISMATCH}
    assert verified([*tables, gpb], twice)[len(tables)].verified is False
    by_economic = dataclasses.replace(gpb, classification="economic")
    assert not [r for r in check_records([(t, "a.pdf") for t in [*tables, by_economic]], year=2026) if r.rule.id == "cross.one_table"]


def test_a_table_is_coded_by_the_classification_its_title_names_or_its_codes_belong_to() -> None:
    # 西安 2022: 一般公共预算基本支出明细表(按功能科目分) beside the usual one by 经济科目
    doc = extracted(str(SHARED / "pool/西安_d8b69a4ecb5c.pdf"))
    basic = {t.classification for t in doc.tables if t.kind == "gpb_basic_expenditure" and not t.empty}
    assert basic >= {"function"}
    # 广州市卫生健康委 表7 (按经济分类科目): 部门预算支出经济科目, with one 政府 code the document borrows (512 债务还本支出)
    gz = extracted(str(CORPUS / "renwu/GZ_wjw_2026_部门预算.pdf"))
    table = next(t for t in gz.tables if t.number == "表7")
    assert table.classification == "economic" and table.failed_checks == ("code.known",)
    assert [c.actual for c in gz.checks if c.rule == "code.known"] == ["512 债务还本支出", "51202 国外债务还本"]


def test_a_standard_table_neither_printed_nor_stated_empty_is_reported_missing() -> None:
    # 重庆市政府办公厅 2026 prints eight of the nine standard tables and says nothing of 国有资本经营预算
    missing = [w.message for w in extracted(str(CORPUS / CQ)).warnings if w.code == "tables_missing"]
    assert len(missing) == 1 and "国有资本经营预算支出表" in missing[0] and "一般公共预算支出表" not in missing[0]
    # 西安市司法局 2026 prints no such table either, and states 本部门无当年国有资本经营预算收支
    assert not [w for w in extracted(str(CORPUS / "renwu/XA_sfj_2026_部门预算.pdf")).warnings if w.code == "tables_missing"]
    # a narrative whose tables are a file of their own (北京市司法局 附件1) is not judged alone
    assert not [w for w in extracted(str(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf")).warnings if w.code == "tables_missing"]


def test_a_header_cut_apart_leaves_a_fragment_no_word_accounts_for_and_the_table_is_not_verified() -> None:
    # 西安市司法局 表13 as it was read before its header rows were read whole: 上年/共预算拨款安/公务接待费
    tables = _tables("renwu/XA_sfj_2026_部门预算.pdf")
    index = next(i for i, t in enumerate(tables) if t.number == "表13")
    table = tables[index]
    assert _statuses([table], "table.header_words") == {Status.OK}
    whole = "上年/一般公共预算拨款安排的“三公”经费预算/公务接待费"
    cut = "上年/共预算拨款安/公务接待费"
    columns = tuple(dataclasses.replace(c, path=cut) if c.path == whole else c for c in table.columns)
    rows = tuple(dataclasses.replace(r, cells=tuple(dataclasses.replace(c, column=cut) if c.column == whole else c for c in r.cells))
                 for r in table.rows)
    broken = dataclasses.replace(table, columns=columns, rows=rows)
    results = check_records([(t, None) for t in [*tables[:index], broken, *tables[index + 1:]]], year=2026)
    (finding,) = [r for r in results if r.rule.id == "table.header_words" and r.status is Status.MISMATCH]
    assert finding.actual == "共预算拨款安" and verified([*tables[:index], broken, *tables[index + 1:]], results)[index].verified is False


def test_a_stated_total_is_compared_in_its_funding_scope() -> None:
    # 上海规划和自然资源局 2024 决算 p24: "一般公共预算财政拨款基本支出 5377.64 万元" — the 一般公共预算 tables print
    # 5364.75 (p15; p16: 人员经费合计 4884.09 + 公用经费合计 480.66); 5377.64 is the all-funds 基本支出 of the 支出决算表,
    # which a check of any scope took for a match: the contradiction is the document's and must show
    doc = extracted(str(CORPUS / "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf"))
    (found,) = [c for c in doc.checks if c.rule == "narrative.totals_table" and c.status == "mismatch"]
    assert (found.expected, found.evidence[0].page, found.evidence[1].page) == ("5377.64", 24, 15)
    assert "一般公共预算" in found.message and "5364.75" in (found.actual or "")
    # the department's own 基本支出 (本年支出合计 … 其中：基本支出 5377.64 万元, p20) meets the 支出决算表
    assert doc.check_counts["narrative.totals_table"].get("ok", 0) >= 4


def test_pointing_a_figure_keeps_every_other_field_of_the_result_and_its_evidence() -> None:
    """Figures.point makes the pointed evidence and result field by field (for speed): every field but the figure
    and its indices is carried over, so a field added to either class cannot be lost there unnoticed."""
    from extractor.checks.codes import CODE_NAME
    from extractor.checks.model import CheckResult, Evidence, Figures
    from extractor.records import CellRecord, RowRecord, TableRecord

    fields = {f.name for f in dataclasses.fields(CellRecord)}
    cell = CellRecord(**{name: None for name in fields} | {"column": "合计", "text": "1.00", "value": "1.00", "page": 3})
    row = RowRecord(**{f.name: None for f in dataclasses.fields(RowRecord)} | {"cells": (cell,)})
    table = TableRecord(**{f.name: None for f in dataclasses.fields(TableRecord)} | {"rows": (row,)})
    evidence = Evidence("合计 | 合计", "1.00", "万元", 3, (1.0, 2.0, 3.0, 4.0), "a.pdf", figure=cell)
    result = CheckResult(CODE_NAME, Status.OK, "m", (evidence, dataclasses.replace(evidence, figure=None)), "1", "2", "3", "4")
    pointed = Figures([table]).point(result)
    expected_evidence = dataclasses.replace(evidence, table=0, row=0, cell=0, figure=None)
    assert pointed == dataclasses.replace(result, evidence=(expected_evidence, result.evidence[1]))
    assert {f.name: getattr(pointed.evidence[0], f.name) for f in dataclasses.fields(Evidence)} == {
        f.name: getattr(expected_evidence, f.name) for f in dataclasses.fields(Evidence)}


def test_every_figure_a_rule_takes_is_pointed_at_the_row_or_cell_printing_it() -> None:
    """Evidence is pointed at its table, row and cell as the rules make it (issue 31): on a real budget every
    table figure of every result, ok or not, names the row or cell whose printed value it quotes."""
    tables = _tables("renwu/YT_zfbgs_2026_部门预算.pdf")
    results = check_records([(t, "a.pdf") for t in tables], year=2026)
    quoted = [e for r in results for e in r.evidence if e.table is not None]
    assert len(quoted) > 100 and all(e.figure is None for r in results for e in r.evidence)
    for e in quoted:
        row = tables[e.table].rows[e.row]
        cell = row.cells[e.cell] if e.cell is not None else next((c for c in row.cells if c.value is not None), None)
        assert (cell.value or "" if cell else "") == e.value and (cell.page if e.cell is not None else row.page) == e.page
