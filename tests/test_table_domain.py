"""Codes, labels and column keys of table rows: printed forms normalised, never a crash on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from extractor.domain.amounts import normalise_digits
from extractor.domain.columns import column_key
from extractor.domain.table_kinds import says_empty, strip_number, table_number, table_unit
from extractor.domain.table_rows import CodeContext, parent_of, row_identity, split_glued


def test_glued_codes_in_every_printed_form() -> None:
    assert split_glued("2010301行政运行") == ("2010301", "行政运行")
    assert split_glued("2040602-一般行政管理事务") == ("2040602", "一般行政管理事务")
    assert split_glued("[201]一般公共服务支出") == ("201", "一般公共服务支出")
    assert split_glued("30101-基本工资") == ("30101", "基本工资")
    assert split_glued("2026年预算数") == (None, "2026年预算数")
    assert split_glued("一、一般公共服务支出") == (None, "一、一般公共服务支出")


def test_split_codes_are_joined_and_completed_from_the_row_above() -> None:
    context = CodeContext()
    assert context.join_split([("科目编码/类", "201")]) == "201"
    assert context.join_split([("科目编码/类", "201"), ("科目编码/款", "6")]) == "20106"  # lost leading zero
    assert context.join_split([("科目编码/款", ""), ("科目编码/项", "01")]) == "2010601"
    assert context.join_split([("类", "301"), ("款", "01")]) == "30101"


def test_two_codes_keep_the_department_economic_one() -> None:
    ident = row_identity([], [("政府预算支出经济分类", "50101-工资奖金津补贴"), ("部门预算支出经济分类", "30101-基本工资")], CodeContext())
    assert (ident.code, ident.code2, ident.label, ident.level) == ("30101", "50101", "基本工资", "款")


def test_totals_and_subitems() -> None:
    assert row_identity([], [("项目", "合 计")], CodeContext()).total
    assert row_identity([], [("项目", "其中：财政拨款")], CodeContext()).subitem
    assert not row_identity([("编码", "201")], [("名称", "一般公共服务支出")], CodeContext()).total


def test_parents_are_the_nearest_shorter_code() -> None:
    assert parent_of("2010301", ["201", "20103"]) == "20103"
    assert parent_of("20103", ["201", "2010201"]) == "201"
    assert parent_of("205", ["201", "20103"]) is None


def test_table_numbers_units_and_empty_notes() -> None:
    assert table_number("表02 2026年市级部门收入预算总表") == "表02"
    assert table_number("收支总表（预算表1）") == "预算表1"
    assert table_number("预算01表 收支总表") == "预算01表"
    assert table_number("部门公开表7") == "部门公开表7"
    assert table_number("表8一般公共预算支出表") == "表8"
    assert table_number("表3-1 部门支出总表") == "表3-1"
    assert strip_number("表5 一般公共预算支出情况表") == "一般公共预算支出情况表"
    assert table_unit("部门：江苏省人民检察院 单位：万元") == "万元"
    assert table_unit("金额单位：元") == "元"
    assert says_empty("注：本部门没有政府性基金预算拨款安排的支出，故本表无数据。")
    assert says_empty("注：本表本年无发生额。")
    assert not says_empty("注：由于四舍五入因素，部分分项加和与合计可能略有差异")


def test_column_keys() -> None:
    assert column_key("本年支出/基本支出/人员经费") == "expenditure.basic.personnel"
    assert column_key("收入/预算数") == "income.amount"
    assert column_key("2026年预算数/公务用车购置及运行费/公务用车运行费") == "amount.vehicle.operation"
    assert column_key("功能分类科目/科目编码") == "label"


@given(st.text())
def test_row_normalisers_never_fail(text: str) -> None:
    code, name = split_glued(text)
    if code is not None:
        assert code.isdigit() and len(code) in (3, 5, 7)
        assert code in normalise_digits(text) and name
    column_key(text)
    table_number(text)
    strip_number(text)
    says_empty(text)
    row_identity([("编码", text)], [("名称", text)], CodeContext())
