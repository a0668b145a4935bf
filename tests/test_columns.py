"""The column model (issue 16): every amount column of a standard table says what it measures, for which fiscal year,
of what; read from its printed header path, the table's kind and the document's year and kind."""

from __future__ import annotations

from collections import Counter

import pytest

from extractor.domain.columns import FINANCIAL_KINDS, column_meaning
from tests.conftest import CORPUS, extracted, read_text_only, shared_files


def _model(doc, kind: str) -> dict[str, tuple[str | None, int | None, str | None]]:  # type: ignore[no-untyped-def]
    (table,) = [t for t in doc.tables if t.kind == kind][:1]
    return {c.path: (c.measure, c.year, c.component) for c in table.columns if c.role == "amount"}


def test_a_budgets_prior_year_column_is_that_years_budget() -> None:
    # 重庆政府办 2026 表五: "2025年预算数" beside "2026年预算数/总计", "…/基本支出/人员经费"
    model = _model(extracted(str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf")), "gpb_expenditure")
    assert model["2025年预算数"] == ("prior_budget", 2025, "total")
    assert model["2026年预算数/总计"] == ("budget", 2026, "total")
    assert model["2026年预算数/基本支出/人员经费"] == ("budget", 2026, "personnel")


def test_income_columns_by_source_of_funds_and_carryover() -> None:
    # 湖州财政局 2026 收入总表: 本年收入/一般公共预算 … and 上年结转结余/一般公共预算 …
    model = _model(extracted(str(CORPUS / "renwu/HuZ_czj_2026_部门预算.pdf")), "income")
    assert model["总计"] == ("budget", 2026, "total")
    assert model["本年收入/一般公共预算"] == ("budget", 2026, "gpb")
    assert model["上年结转结余/一般公共预算"] == ("budget", 2026, "carryover.gpb")
    assert model["本年收入/小计"] == ("budget", 2026, "current")  # beside 总计, the year's own income


def test_final_accounts_keep_the_budget_beside_the_outturn() -> None:
    # 普陀财政局 2024 决算 三公 table: 合计/预算数, 合计/决算数, …
    doc = extracted(str(CORPUS / "GovBudgetChecker/SH_PT_czj_2024_部门决算.pdf"))
    model = _model(doc, "three_public")
    measures = Counter(m for m, _, _ in model.values())
    assert set(measures) == {"budget", "final"} and measures["budget"] == measures["final"]
    assert all(year == 2024 for _, year, _ in model.values())


def test_a_header_printed_once_per_group_takes_its_group() -> None:
    # 西安司法局 2026 三公 table: 合计 … 会议费 培训费 under 上年, 当年 and 增减变化情况, the three groups' 合计 alike;
    # each group's 小计 under 一般公共预算拨款安排的“三公”经费预算 is the 三公 total, paid by the 一般公共预算
    doc = extracted(str(CORPUS / "renwu/XA_sfj_2026_部门预算.pdf"))
    table = next(t for t in doc.tables if t.kind == "three_public" and sum(c.path.endswith("/合计") for c in t.columns) == 3)
    totals = [(c.measure, c.year, c.component) for c in table.columns if c.path.split("/")[-1] in ("合计", "会议费")]
    assert totals == [("prior_budget", 2025, "total"), ("prior_budget", 2025, "meetings"), ("budget", 2026, "total"),
                      ("budget", 2026, "meetings"), ("change", 2026, "total"), ("change", 2026, "meetings")]
    assert [c.component for c in table.columns if c.path.endswith("经费预算/小计")] == ["three_public.gpb"] * 3


def test_every_cell_carries_its_columns_model() -> None:
    doc = extracted(str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"))
    for table in doc.tables:
        model = {c.path: (c.measure, c.year, c.component) for c in table.columns if c.role == "amount" and c.status == "mapped"}
        for row in table.rows:
            for cell in row.cells:
                if cell.column in model:
                    assert (cell.measure, cell.year, cell.component) == model[cell.column]


def test_a_header_with_no_known_word_is_unmapped_and_code_columns_get_no_model() -> None:
    assert column_meaning("指标权重(%)", "project_performance", 0, 2026, False).status == "unmapped"
    doc = extracted(str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"))
    assert all(c.measure is None and c.status is None for t in doc.tables for c in t.columns if c.role in ("code", "label"))


@pytest.mark.slow
@pytest.mark.parametrize("path", shared_files())
def test_every_amount_column_of_a_standard_table_is_mapped_and_unique(path: str) -> None:
    doc = read_text_only(path)
    for table in doc.tables:
        if table.kind not in FINANCIAL_KINDS:
            continue
        amounts = [c for c in table.columns if c.role == "amount"]
        assert all(c.status == "mapped" and c.measure and c.year and c.component for c in amounts), (table.title, amounts)
        keys = Counter((c.side, c.measure, c.year, c.component) for c in amounts)
        assert not [k for k, n in keys.items() if n > 1], (table.title, keys)


def test_the_three_public_sum_is_one_component_however_it_is_printed() -> None:
    # 重庆政府办's 三公 table: 合计 and the 三公 items only; 江苏省委办公厅 2017: 合计 beside “三公”经费/小计, 会议费, 培训费
    cq = _model(extracted(str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf")), "three_public")
    js = _model(extracted(str(CORPUS / "open-budget/JS_swbgt_2017_预算公开表格.pdf")), "three_public")
    assert "three_public" in {component for _, _, component in cq.values()}
    by_component = {component: path for path, (_, _, component) in js.items()}
    assert by_component["three_public"].endswith("小计") and by_component["total"] == "合计" and "meetings" in by_component
