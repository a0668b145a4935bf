"""The one description of the table kinds (``extractor/domain/data/table_kinds.csv``): one row per kind, and every
stage's notion of a kind's property (financial, two-sided, balanced, text-only, classification, colour) is that row's."""

from __future__ import annotations

import csv
from collections import Counter
from importlib import resources

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.checks.tables import BALANCE, check_table
from extractor.domain.columns import FINANCIAL_KINDS, _terms, column_meaning
from extractor.domain.table_kinds import (
    TABLE_MARK,
    Classification,
    KindInfo,
    TableKind,
    classify_title,
    is_title,
    kind_info,
    kinds_where,
    table_number,
)
from extractor.export.overlay import KIND_COLOURS
from extractor.layout.tables import RawRow, Table, _without_data
from tests.conftest import CORPUS, SHARED, extracted


def _rows() -> list[dict[str, str]]:
    text = resources.files("extractor.domain").joinpath("data/table_kinds.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_every_kind_has_exactly_one_row() -> None:
    counts = Counter(row["kind"] for row in _rows())
    assert counts == Counter(kind.value for kind in TableKind)
    assert all(kind_info(kind) is kind_info(kind.value) is kind.info for kind in TableKind)
    assert all(isinstance(kind.info, KindInfo) and kind.info.kind is kind and kind.info.zh for kind in TableKind)


def test_the_catalogue_s_tables_are_budget_tables_of_the_description() -> None:
    # every title and alias of ../shared/domain/standard_tables.csv names a kind the description lists as a budget table
    with open(SHARED / "domain" / "standard_tables.csv", encoding="utf-8", newline="") as handle:
        catalogue = list(csv.DictReader(handle))
    kinds = {classify_title(row["title"]) for row in catalogue}
    assert all(kind.info.budget_table for kind in kinds)
    for row in catalogue:
        for alias in (a.strip() for a in row["title_aliases"].split(";") if "表" in a and "(" not in a):
            # 基本支出决算表 alone names no fund, so no kind (the classifier wants 一般公共预算 or 财政拨款)
            assert classify_title(alias) is classify_title(row["title"]) or alias == "基本支出决算表", alias
    assert {kind.value for kind in kinds} | {"fiscal_expenditure", "gpb_project_expenditure"} == kinds_where(lambda k: k.budget_table)
    # a kind's Chinese name is a title recognised as that kind; 其他表 is no budget table
    assert all(classify_title(kind.info.zh) is kind for kind in TableKind)
    assert kinds_where(lambda k: not k.budget_table) == {"other"}


def test_the_rows_are_consistent() -> None:
    for kind in TableKind:
        info = kind.info
        assert not info.line_items or info.classification is Classification.FUNCTION, kind  # line items are 功能分类 codes
        assert not (info.financial and info.text_only), kind
        assert info.budget_table or info.text_only, kind  # a table of no known kind may hold anything
        assert not info.balanced or info.two_sided, kind  # 收入总计 = 支出总计 needs both sides
    # what a kind implies of its columns are words the column model knows
    known = {term.term for term in _terms()} | {"fiscal", "gpb", "gov_fund", "soc", "three_public", "basic", "project"}
    assert all(kind.info.implies <= known for kind in TableKind)
    assert len({kind.info.colour for kind in TableKind}) == len(TableKind)
    assert KIND_COLOURS == {kind.value: kind.info.colour for kind in TableKind}


def test_the_column_model_reads_the_description() -> None:
    assert FINANCIAL_KINDS == kinds_where(lambda i: i.financial)
    for kind in TableKind:
        # a two-sided table's second side is its expenditure; another table's column is no side's
        meaning = column_meaning("预算数", kind.value, 1, 2026, False)
        assert meaning.component == ("expenditure" if kind.info.two_sided else "total"), kind
        # a header naming what the kind implies adds nothing to the component
        gpb = column_meaning("一般公共预算", kind.value, 0, 2026, False).component
        assert ("gpb" in gpb.split(".")) != ("gpb" in kind.info.implies), kind  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", list(TableKind))
def test_the_table_finder_reads_the_description(kind: TableKind) -> None:
    # a table that prints no amount: empty when its kind holds amounts, kept when it may hold texts
    row = RawRow(0, (), (("项目", "1、某项目"),), (), 1, (0.0, 0.0, 1.0, 1.0))
    table = Table("某表", None, None, kind, [1], [], [], [row])
    assert _without_data(table) is not kind.info.text_only


_CODE_CLASSES = {Classification.FUNCTION: "2", Classification.ECONOMIC: "35"}  # 201 …; 301 …, 501 …


@pytest.mark.parametrize("path", ["renwu/CQ_zfbgt_2026_部门预算.pdf", "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf"])
def test_corpus_tables_are_what_their_kinds_description_says(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    kinds = {t.kind for t in doc.tables if not t.empty}
    assert kinds >= {"summary", "income", "expenditure", "fiscal_summary", "gpb_expenditure", "gpb_basic_expenditure"}
    for table in doc.tables:
        info = kind_info(table.kind)
        codes = [row.code for row in table.rows if row.code and row.level]
        if info.classification in _CODE_CLASSES:
            # the rows carry the codes the kind's classification says (功能分类 2xx, 经济分类 3xx/5xx)
            assert table.empty or (codes and all(c[0] in _CODE_CLASSES[info.classification] for c in codes)), table.title
        elif info.classification is Classification.NONE and info.financial:
            assert not codes, table.title
        if info.two_sided and not table.empty:
            # income on side 0, expenditure on side 1, each column's component saying which
            sides = {c.side: c.component.split(".")[0] for c in table.columns if c.role == "amount" and c.component}
            assert sides == {0: "income", 1: "expenditure"}, table.title
        # only a balanced kind is checked for 收入总计 = 支出总计
        balances = [r for r in check_table(table) if r.rule is BALANCE]
        assert not balances or info.balanced, table.title


def test_a_final_accounts_balanced_tables_balance() -> None:
    doc = extracted(str(CORPUS / "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf"))
    balanced = [t for t in doc.tables if kind_info(t.kind).balanced]
    assert {t.kind for t in balanced} == {"summary", "fiscal_summary"}
    assert all([r.status.value for r in check_table(t) if r.rule is BALANCE] == ["ok"] for t in balanced)


_TITLE_WORDS_BUT_THE_MARK = "2026年度部门单位收支总预算决算一般公共财政拨款支出收入情况目标绩效三公经费政府采购（）()：:万元续附公开-—12345 "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(_TITLE_WORDS_BUT_THE_MARK)), max_size=40))
def test_no_title_and_no_table_number_without_the_table_mark(text: str) -> None:
    # the table finder leaves the lines of a page without the mark unread on this
    assert not is_title(text) and table_number(text) is None


def test_the_table_mark_is_what_the_alphabet_above_lacks_of_a_title_and_a_number() -> None:
    assert is_title(f"2026年部门收支总{TABLE_MARK}") and table_number(f"{TABLE_MARK}3-1 一般公共预算支出{TABLE_MARK}") == f"{TABLE_MARK}3-1"
