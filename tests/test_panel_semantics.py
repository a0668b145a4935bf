"""Issue 28: a panel researchers can SUM. Questions on documents outside the dev truth, each answered by hand from the
page (tests/data/panel_questions_pool.csv), asked as ../shared/eval/score_panel.py asks them; the roles, subjects and
fundings that keep a SUM from counting a figure twice; the dataset invariants; companion files kept apart by scope;
and the region an archive's path gives."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from extractor.batch import BatchSettings, batch, summary
from extractor.domain.columns import row_period, subject_and_funding
from extractor.domain.regions import region_in_path
from extractor.export.dataset import dataset_findings, load_dataset
from tests.conftest import CORPUS, SHARED, read_csv

QUESTIONS = read_csv("panel_questions_pool.csv")
WUXI = ["corpus/renwu/WX_jyj_2026_单位预算.pdf", "pool/无锡_c182fdf9c467.pdf"]  # one bureau's 单位 (本级) and 部门 budgets
FUZHOU = "pool/福州_d168c059d633.pdf"  # 福州经济技术开发区生态环境局: its name holds no 市 or 省


def _path(name: str) -> str:
    return str(SHARED / name)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("semantics")
    files = sorted({q["path"] for q in QUESTIONS} | set(WUXI) | {FUZHOU})
    rows = batch([_path(f) for f in files], folder, BatchSettings(jobs=2, ocr="never", progress=False))
    (folder / "summary.txt").write_text(summary(rows, 0.0, None, dataset_findings(folder)), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def frames(dataset: Path) -> dict[str, pd.DataFrame]:
    return load_dataset(dataset)


def _answer(frames: dict[str, pd.DataFrame], question: dict[str, str]) -> tuple[Decimal, int]:
    """The sum score_panel.py takes: the document's rows of the table kind and component at department level, in the
    report's own measure and fiscal year; the code's rows, or the grand-total row (role total) but for 三公."""
    documents, panel = frames["documents"], frames["panel"]
    doc_id = documents[documents.source_file == Path(question["path"]).name].doc_id.iloc[0]
    measure = "final" if question["report_kind"] == "final_accounts" else "budget"
    rows = panel[(panel.doc_id == doc_id) & (panel.table_kind == question["table_kind"]) & (panel.component == question["component"])
                 & (panel.measure == measure) & (panel.year == int(question["fiscal_year"])) & panel.budget_unit.isna()]
    if question["code_key"]:
        rows = rows[rows.code_key == question["code_key"]]
    else:
        rows = rows[rows.code_key.isna()]
        if question["table_kind"] != "three_public":
            rows = rows[rows.role == "total"]
    return sum((Decimal(str(v)) for v in rows.value_yuan), Decimal(0)), len(rows)


@pytest.mark.parametrize("question", QUESTIONS, ids=[f"{Path(q['path']).stem} {q['question']}" for q in QUESTIONS])
def test_a_researchers_sum_is_the_printed_figure(frames: dict[str, pd.DataFrame], question: dict[str, str]) -> None:
    got, rows = _answer(frames, question)
    assert rows >= 1 and got == Decimal(question["want_yuan"]), question["source"]


def test_a_row_stating_its_year_or_measure_gives_its_figures_theirs(frames: dict[str, pd.DataFrame]) -> None:
    # 深圳's 三公 table: rows 2025年 / 2026年 / 增减变化金额 under one set of columns
    documents, cells = frames["documents"], frames["cells"]
    doc_id = documents[documents.source_file == "深圳_66464f8eeef9.pdf"].doc_id.iloc[0]
    rows = cells[(cells.doc_id == doc_id) & (cells.table_kind == "three_public") & cells.budget_unit.isna()]
    by_label = {label: set(zip(group.measure, group.year, strict=True)) for label, group in rows.groupby("label")}
    assert by_label == {"2025年": {("prior_budget", 2025)}, "2026年": {("budget", 2026)}, "增减变化金额": {("change", 2026)}}
    assert row_period("应对气候变化管理事务") is None and row_period("预决算管理业务") is None  # names that hold a measure's word
    # a final account's 三公 table printed one measure per row: the 预算数 row is the budget, not the outturn
    assert (row_period("预算数").measure, row_period("决算数").measure) == ("budget", "final")  # type: ignore[union-attr]


def test_subject_and_funding_split_what_a_figure_is_from_who_pays(frames: dict[str, pd.DataFrame]) -> None:
    panel = frames["panel"]
    three_public = panel[(panel.table_kind == "three_public") & (panel.subject == "three_public")]
    assert set(three_public.funding) >= {"gpb", "gov_fund", "soc"}  # 深圳: one column per fund
    assert (three_public.component.str.split(".").str[0] == "three_public").all()
    gpb = panel[panel.table_kind == "gpb_expenditure"]
    assert set(gpb.funding) == {"gpb"}  # the kind names the fund where the column does not
    assert subject_and_funding("carryover.gpb", "income") is not None
    assert (panel[panel.table_kind == "narrative"].subject != "").all()


def test_roles_sum_without_counting_twice(frames: dict[str, pd.DataFrame]) -> None:
    """Over each 一般公共预算支出表 column, the items alone add up to the total row, as the table's own checks found."""
    cells, tables = frames["cells"], frames["tables"]
    checked = 0
    for (doc_id, index), rows in cells[(cells.table_kind == "gpb_expenditure") & cells.budget_unit.isna()
                                       & cells.value_yuan.notna()].groupby(["doc_id", "table_index"]):
        if not tables[(tables.doc_id == doc_id) & (tables.table_index == index)].verified.fillna(False).iloc[0]:
            continue
        for _, column in rows.groupby(["column", "side"]):
            total = column[column.role == "total"].value_yuan
            items = column[column.role == "item"].value_yuan
            if len(total) == 1 and len(items):
                assert abs(Decimal(str(items.sum())) - Decimal(str(total.iloc[0]))) <= Decimal(100) * len(items), (doc_id, column.column.iloc[0])
                checked += 1
    assert checked >= 3


def test_the_dataset_invariants_hold_and_the_summary_says_so(dataset: Path, frames: dict[str, pd.DataFrame]) -> None:
    checks = frames["checks"]
    invariants = checks[checks.rule.str.startswith("dataset.")]
    assert {"dataset.gpb_classes", "dataset.three_public_items"} <= set(invariants.rule)
    assert (invariants.status != "mismatch").all(), invariants[invariants.status == "mismatch"].message.tolist()
    found = dataset_findings(dataset)
    assert found.invariants == len(invariants) and found.invariant_mismatches == 0
    assert f"dataset invariants: {len(invariants)} checked, 0 failed" in (dataset / "summary.txt").read_text(encoding="utf-8")


def test_a_department_and_a_unit_report_are_not_one_disclosure(dataset: Path, frames: dict[str, pd.DataFrame]) -> None:
    documents = frames["documents"]
    wuxi = documents[documents.source_file.isin([Path(p).name for p in WUXI])]
    assert set(wuxi.report_scope) == {"部门", "单位本级"} and len(set(wuxi.entity_key)) == 1
    assert (wuxi.group.fillna("") == "").all()  # not checked against each other
    for path in (dataset / "groups").glob("*.json") if (dataset / "groups").exists() else ():
        assert not set(json.loads(path.read_text(encoding="utf-8"))["documents"]) & set(wuxi.doc_id)


def test_an_entity_named_without_its_city_takes_the_archives_region(frames: dict[str, pd.DataFrame]) -> None:
    documents = frames["documents"]
    fuzhou = documents[documents.source_file == Path(FUZHOU).name].iloc[0]
    assert (fuzhou.region, fuzhou.region_source, fuzhou.region_code) == ("福州市", "path", "350100")
    assert fuzhou.entity_key == "350100|福州经济技术开发区生态环境局"
    assert region_in_path(str(CORPUS / "renwu" / "SH_PT_czj_2025_部门预算.pdf")) is None
    assert region_in_path("/archive/中山大学_2026.pdf") is None  # starts with a short name only: not 中山市
