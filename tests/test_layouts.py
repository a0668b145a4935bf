"""Layouts seen on real pages outside the truth documents (issue 14), each on a document that prints it."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from extractor.checks import CheckResult, Status, check_narrative, check_records
from extractor.interpret.tables import table_record
from extractor.layout.narrative import build_narrative
from extractor.layout.sections import find_sections
from extractor.layout.tables import find_tables
from extractor.readers import ReaderSettings, read_source
from extractor.readers.pdf import read_pdf
from extractor.records import RowRecord
from tests.conftest import CORPUS, SHARED, extracted

POOL = SHARED / "pool"


def test_a_numbered_list_opened_by_of_which_keeps_its_items_side_by_side() -> None:
    # 福建's template prints 3、公务用车购置及运行费 / 其中：（1）公务用车购置费 / （2）公务用车运行费: (2) is (1)'s sibling
    doc = extracted(str(POOL / "福州_2ba46bba3ef7.pdf"))
    table = next(t for t in doc.tables if t.kind == "three_public")
    rows = {r.label: (i, r) for i, r in enumerate(table.rows)}
    parent, _ = rows["3、公务用车购置及运行费"]
    assert rows["其中：（1）公务用车购置费"][1].parent_row == parent and rows["（2）公务用车运行费"][1].parent_row == parent
    assert not [c for c in doc.checks if c.status == "mismatch" and c.rule == "table.row_hierarchy"]
    assert table.verified is True


def test_a_table_continued_under_its_title_repeated_without_its_number_is_one_table() -> None:
    # 西安科技创新局 p46 prints 表5 and its title; p47 repeats the title and the header, not the number
    doc = extracted(str(POOL / "西安_d8b69a4ecb5c.pdf"))
    table = next(t for t in doc.tables if t.number == "表5")
    assert table.pages == (46, 47) and not [t for t in doc.tables if t.number is None and 47 in t.pages]
    assert table.verified is True  # its 合计 now meets the sum of all its 类 rows


def test_a_transfer_payment_budget_is_not_the_total_budget() -> None:
    # 深圳 p13: "本单位上级专项转移支付支出预算为1,047.61万元": a part of the budget, checked against no total
    doc = extracted(str(POOL / "深圳_726f59ca66a4.pdf"))
    assert not [f for f in doc.facts if f.key == "expenditure_total" and f.value == "1047.61"]
    assert not [c for c in doc.checks if c.status == "mismatch" and c.rule == "narrative.totals_table"]


def test_rows_of_one_period_in_a_block_per_unit_hold_no_other_row() -> None:
    # 深圳's 三公 table: per 预算单位 a block 某单位2025年 / 2026年 / 增减变化金额; no unit's row is another's child
    doc = extracted(str(POOL / "深圳_b03dee1eff12.pdf"))
    table = next(t for t in doc.tables if t.kind == "three_public" and any(r.label.endswith("2025年") for r in t.rows))
    blocks = [r for r in table.rows if r.label.endswith(("2025年", "2026年")) or r.label == "增减变化金额"]
    assert len(blocks) >= 9 and all(r.parent_row is None and r.depth == 0 for r in blocks)
    assert not [c for c in doc.checks if c.status == "mismatch" and c.rule == "table.row_hierarchy"]


def _list_sums(name: str) -> list[CheckResult]:
    path = str(POOL / name)
    with open(path, "rb") as f:
        source = read_source(f.read(), path, ReaderSettings())
    return [r for r in check_narrative(build_narrative(source.pages, find_sections(source.pages))) if r.rule.id == "narrative.list_sum"]


def test_a_numbered_list_adds_up_its_items_not_the_amounts_inside_them() -> None:
    # 深圳生态环境局 p19: "（五）项目支出9,402.71万元，具体包括：1.综合管理356.65万元，主要用于…53.92万元、…181.91万元…
    # 2.环境科学研究日常运行管理(原…)9,046.06万元": the parts are 1. and 2., not the amounts item 1 is spent on
    found = next(r for r in _list_sums("深圳_132c3ead125b.pdf") if r.expected == "9402.71")
    assert found.status is Status.OK
    assert [e.value for e in found.evidence[1:]] == ["356.65", "9,046.06"]


def test_a_numbered_list_over_a_page_break_loses_no_item() -> None:
    # 深圳退役军人事务局 pp. 8-10: seven numbered items, the list running over two page breaks
    found = next(r for r in _list_sums("深圳_7209394ce08a.pdf") if r.expected == "52660.55")
    assert found.status is Status.OK and len(found.evidence) == 8
    assert {e.page for e in found.evidence} == {8, 9, 10}


def test_an_amount_in_brackets_or_after_of_which_is_inside_its_item() -> None:
    # 深圳信访局 p7: "大厅律师服务支出120万元（含结转2025年采购经费6.9万元）": 328.69 + 155.15 + 120 = 603.84
    found = next(r for r in _list_sums("深圳_4dc4cd8aabf0.pdf") if r.expected == "603.84")
    assert found.status is Status.OK and [e.value for e in found.evidence[1:]] == ["328.69", "155.15", "120"]
    # 深圳公安局 p7: "常用装备保障项目615.04万元，其中结转结余126.00万元": 126.00 is part of 615.04, not a sixth item
    found = next(r for r in _list_sums("深圳_fb31e41ca5d4.pdf") if r.expected == "1262.04")
    assert "126.00" not in [e.value for e in found.evidence[1:]]


def test_the_budget_unit_is_a_dimension_of_the_row_and_the_department_is_the_sum_over_its_units() -> None:
    # 深圳建筑工务署 表3 pp. 20-28: 预算单位 | 科目编码 | 科目名称, the department's row, then a block of coded rows per unit
    doc = extracted(str(POOL / "深圳_b03dee1eff12.pdf"))
    table = next(t for t in doc.tables if t.number == "表3")
    assert table.rows[0].label == "深圳市建筑工务署" and table.rows[0].budget_unit is None  # the sum of the four units
    units = {r.budget_unit for r in table.rows[1:]}
    assert units == {"深圳市建筑工务署（本级）", "深圳市建筑工务署文体和水务工程管理中心", "深圳市建筑工务署工程管理中心",
                     "深圳市建筑工务署工程设计管理中心"}
    education = [r for r in table.rows if r.code == "205"]
    assert len({r.budget_unit for r in education}) == len(education) == 3
    # 收支总表 一、教育支出 28.00 meets 13.36 + 7.59 + 7.05 over the units, not one unit's 205 row
    found = [c for c in doc.checks if c.rule == "cross.class_rows"]
    assert found and all(c.status in ("ok", "rounding") for c in found)
    # 表9 三公: 预算单位 | 年度: the row is the year of its unit
    three = next(t for t in doc.tables if t.number == "表9")
    assert [(r.label, r.budget_unit) for r in three.rows[3:6]] == [("2025年", "深圳市建筑工务署（本级）"),
                                                                    ("2026年", "深圳市建筑工务署（本级）"),
                                                                    ("增减变化金额", "深圳市建筑工务署（本级）")]
    assert all(r.budget_unit is None for r in three.rows[:3])


def test_an_income_table_that_counts_the_carry_over_meets_the_summary_grand_total() -> None:
    # 福州民政局 p13: the 收入预算总表's 合计 2249.92 has a 上年结转结余 column (30.00); the 收支总表 prints
    # 本年收入合计 2219.92 and, after 上年结转结余 30.00, 收入合计 2249.92: the table meets the latter
    doc = extracted(str(POOL / "福州_341c9dd0aa8e.pdf"))
    found = [r for r in check_records([(t, None) for t in doc.tables]) if r.rule.id == "cross.summary_totals" and "收入" in r.message]
    assert [r.status for r in found] == [Status.OK] and "收入合计 = " in found[0].message


def test_the_numbered_list_opened_by_of_which_adds_up_to_its_parent() -> None:
    # 福州交警支队 p18: 3、公务用车购置及运行费 1335.21 = 其中：（1）购置费 221.04 + （2）运行费 1114.17
    doc = extracted(str(POOL / "福州_69f79ec3c50b.pdf"))
    found = [r for r in check_records([(t, None) for t in doc.tables]) if r.rule.id == "table.row_hierarchy"]
    assert [(r.status, r.expected, r.actual) for r in found] == [(Status.OK, "1335.21", "1335.21")]


def test_two_economic_classifications_side_by_side_keep_their_codes_and_names_apart() -> None:
    # 西安科技创新局 表6 p48: 部门经济科目编码 | 名称 | 政府经济科目编码 | 名称 — "30101 基本工资 50101 工资奖金津补贴"
    doc = extracted(str(POOL / "西安_d8b69a4ecb5c.pdf"))
    table = next(t for t in doc.tables if t.number == "表6")
    coded = [r for r in table.rows if r.code and len(r.code) == 5]
    assert coded and all(r.code.startswith("3") and r.code2 and r.code2.startswith("5") for r in coded)
    assert (coded[0].code, coded[0].code2, coded[0].label, coded[0].parent) == ("30101", "50101", "基本工资", "301")
    assert not [r for r in coded if "工资奖金津补贴" in r.label or re.search(r"\d", r.label)]
    assert table.verified is True


def test_text_that_overflows_its_cell_goes_back_to_the_cell_it_runs_on_from() -> None:
    # 西安科技创新局 表7 p52: "机关事业单位基本养老保险缴费支" runs over the rule, 支 astride it beside 2947399.16
    doc = extracted(str(POOL / "西安_d8b69a4ecb5c.pdf"))
    table = next(t for t in doc.tables if t.number == "表7")
    row = next(r for r in table.rows if r.code == "2080505")
    assert row.label.endswith("缴费支") and row.cells[0].text == "2947399.16" and row.cells[0].value == "2947399.16"
    assert table.verified is True  # 20805 = 2080505 + 2080506 now holds
    # 表4 p45: a header running over into the next header cell ("政府预算支出经济科目(按大类)" | "预算数")
    summary = next(t for t in doc.tables if t.number == "表4")
    assert {c.path for c in summary.columns if c.role == "amount"} >= {
        "支出/支出功能分科目(按大类)/预算数", "支出/部门预算支出经济科目(按大类)/预算数", "支出/政府预算支出经济科目(按大类)/预算数"}


def test_a_unit_code_is_not_a_classification_code() -> None:
    # 西安科技创新局 表2 p43: 单位编码 | 单位名称: "204 西安市科学技术局" over "204001 西安市科学技术局", "204003 …";
    # 204 happens to be the 类 公共安全支出, but here it is the department's code
    doc = extracted(str(POOL / "西安_d8b69a4ecb5c.pdf"))
    table = next(t for t in doc.tables if t.number == "表2")
    department = next(r for r in table.rows if r.code == "204")
    units = [r for r in table.rows if r.code and len(r.code) == 6]
    assert department.level is None and department.budget_unit is None and len(units) == 7
    assert all(r.level is None and r.parent == "204" and r.budget_unit == r.label for r in units)
    assert not [c for c in doc.checks if c.rule.startswith("code.") and (c.actual or "").startswith("204 ")]
    # the department is checked as the sum of its units
    found = [r for r in check_records([(table, None)]) if r.rule.id == "table.row_hierarchy"]
    assert found and {r.status for r in found} <= {Status.OK, Status.ROUNDING}


def test_a_figure_in_a_reason_or_named_in_brackets_is_not_the_figure_named() -> None:
    # 广州规划和自然资源局 p71: "…增长4%，主要原因是…将用于支付因公出国（境）工作的国内服务费3.2万元由委托业务费调整为
    # 因公出国（境）经费；其中：因公出国（境）费86.47万元": 3.2 explains the change, 86.47 is the figure
    facts = {f.key: f for f in extracted(str(POOL / "广州_ffc1ea1d03e4.pdf")).facts}
    assert facts["three_public_abroad"].value == "86.47" and facts["three_public_abroad"].change == "3.2"
    # 广州道路养护中心 p58: "…隧道运营维护项目（基本支出）项目，主要达到以下目标：1.收取车辆通行费达到30549.61万元"
    doc = extracted(str(POOL / "广州_7d4050860320.pdf"))
    assert not [f for f in doc.facts if f.key == "basic_expenditure" and f.value == "30549.61"]
    assert not [c for c in doc.checks if c.status == "mismatch"]


def test_a_row_printed_again_under_itself_is_its_part_not_a_second_row() -> None:
    # 无锡发改委 公开03表 p14: "219 援助其他地区支出 502.00 / 21999 其他支出 502.00 / 21999 其他支出 502.00" — read as two
    # 款 the 类 would be half their sum; the second is the first's only part (its 项 printed with the 款's code)
    doc = extracted(str(POOL / "无锡_5f8f9471c2e0.pdf"))
    table = next(t for t in doc.tables if t.number == "公开03表")
    first, second = (i for i, r in enumerate(table.rows) if r.code == "21999")
    assert table.rows[second].parent_row == first and table.rows[first].parent_row == first - 1
    assert not [c for c in doc.checks if c.status == "mismatch"]
    # 西安 表8: 31002 办公设备购置 printed twice with two 政府经济 codes (50306, 50601): two rows side by side
    xian = extracted(str(POOL / "西安_d8b69a4ecb5c.pdf"))
    rows = [r for t in xian.tables if t.number == "表8" for r in t.rows if r.code == "31002"]
    assert len(rows) == 2 and rows[0].parent_row == rows[1].parent_row


def test_a_table_says_which_reading_it_took_and_why() -> None:
    doc = extracted(str(POOL / "无锡_5f8f9471c2e0.pdf"))
    table = next(t for t in doc.tables if t.number == "公开03表")
    assert any("21999 其他支出" in n and "only part" in n for n in table.notes)
    shenzhen = extracted(str(POOL / "深圳_b03dee1eff12.pdf"))
    expenditure = next(t for t in shenzhen.tables if t.number == "表3")
    assert any(n.startswith("p21, p22") and "continued" in n for n in expenditure.notes)
    assert any("4 units" in n and "row 0 (深圳市建筑工务署)" in n for n in expenditure.notes)


def test_a_row_printing_both_economic_classifications_keeps_the_departments_code_and_name() -> None:
    # 烟台市政府办公室 公开表6: 科目编码 类 | 款 | 部门预算支出经济分类科目名称 | 科目编码 类 | 款 | 政府预算支出经济分类科目名称
    doc = extracted(str(CORPUS / "renwu/YT_zfbgs_2026_部门预算.pdf"))
    table = next(t for t in doc.tables if t.number == "公开表6")
    rows: dict[str, RowRecord] = {}
    for row in table.rows:  # each 部门 code once per 政府 code it maps to: 301 under 501 (机关) and under 505 (事业单位)
        rows.setdefault(row.code or "", row)
    assert [(r.code2, r.label) for r in table.rows if r.code == "301"] == [("501", "工资福利支出"), ("505", "工资福利支出")]
    assert (rows["30101"].code2, rows["30101"].label, rows["30101"].parent) == ("50101", "基本工资", "301")
    assert (rows["301"].label2, rows["30101"].label2) == ("机关工资福利支出", "工资奖金津补贴")  # the 政府 names, kept
    assert (rows["30108"].code2, rows["30108"].label) == ("50102", "机关事业单位基本养老保险缴费")
    assert table.verified and "code.name" not in table.failed_checks


def test_a_department_code_column_names_units_not_classes() -> None:
    # 无锡市教育局 公开02表: 部门代码 | 部门名称: 305 无锡市教育局 over 305001 …; 305 would be the 经济分类 类 对个人和家庭的补助
    doc = extracted(str(POOL / "无锡_c182fdf9c467.pdf"))
    table = next(t for t in doc.tables if t.number == "公开02表")
    coded = [r for r in table.rows if r.code and r.code.startswith("305")]
    assert len(coded) >= 3 and all(r.level is None for r in coded)
    assert not [c for c in doc.checks if c.rule.startswith("code.") and (c.actual or "").startswith("305")]


@pytest.mark.parametrize("path", [str(CORPUS / "renwu/GZ_zfbgt_2026_部门预算.pdf"), str(POOL / "福州_2ba46bba3ef7.pdf")])
def test_a_three_public_table_of_one_item_per_row_gives_each_row_its_item(path: str) -> None:
    # 广州市政府办公厅 表8: 行政经费 | “三公”经费 | 其中：（一）因公出国（境）支出 | （二）公务用车购置及运行维护支出 | 1. … | （三）…
    # under 合计 / 一般公共预算 / 政府性基金预算 / 国有资本经营预算; 福州: 合计 | 1、因公出国（境）费用 | 2、公务接待费 …
    table = next(t for t in extracted(path).tables if t.kind == "three_public")
    first = {r.label: next(c for c in r.cells if c.value is not None) for r in table.rows}
    whole = [(label, c.value) for label, c in first.items() if c.component == "three_public"]
    assert len(whole) == 1 and ("三公" in whole[0][0] or whole[0][0] == "合计")  # the 三公 total once, not every row
    items = {c.component: Decimal(c.value) for c in first.values() if c.component in ("abroad", "vehicle", "reception")}
    assert set(items) == {"abroad", "vehicle", "reception"} and sum(items.values()) == Decimal(whole[0][1])
    assert all(c.component != "three_public" for label, c in first.items() if label == "行政经费")


def test_a_table_printing_names_only_gets_its_codes_from_the_catalogue_and_its_sums_check_them() -> None:
    # 杭州市司法局 表5: 一般公共服务支出 / 社会工作事务 / 其他社会工作事务支出 / … with no code column
    doc = extracted(str(CORPUS / "renwu/HZ_sfj_2026_部门预算.pdf"))
    table = next(t for t in doc.tables if t.kind == "gpb_expenditure")
    rows: dict[str, RowRecord] = {}
    for row in table.rows:  # 行政运行 under 司法 first, then under 监狱 …: each 项 the one of the 款 above it
        rows.setdefault(row.label, row)
    running = [r for r in table.rows if r.label == "行政运行"]
    assert len(running) >= 2 and all(r.code and r.code == f"{table.rows[r.parent_row].code}01" for r in running if r.parent_row is not None)
    assert (rows["一般公共服务支出"].code, rows["一般公共服务支出"].code_source) == ("201", "inferred")
    assert (rows["司法"].code, rows["司法"].parent, rows["行政运行"].code) == ("20406", "204", "2040601")
    assert any("codes inferred from the names" in n for n in table.notes) and table.classification == "function"
    assert table.verified and doc.check_counts["table.code_hierarchy"].get("ok", 0) > 0  # the sums now see the codes
    basic = next(t for t in doc.tables if t.kind == "gpb_basic_expenditure")
    assert {r.code for r in basic.rows if r.label == "其他社会保障缴费"} == {"30112"}  # 30104 before the 2018 list


def test_a_header_phrase_over_several_columns_is_one_header_and_each_blocks_total_stays_under_its_block() -> None:
    # 西安市司法局 表13, rows of 6.6 points: 上年 | 当年 | 增减变化情况 each over 合计, 一般公共预算拨款安排的“三公”经费预算
    # (小计 … 公务用车购置及运行维护费), 会议费, 培训费; the column rules below end at the header rows' edges
    doc = extracted(str(CORPUS / "renwu/XA_sfj_2026_部门预算.pdf"))
    table = next(t for t in doc.tables if t.number == "表13")
    paths = [c.path for c in table.columns if c.role == "amount"]
    assert paths[:3] == ["上年/合计", "上年/一般公共预算拨款安排的“三公”经费预算/小计",
                         "上年/一般公共预算拨款安排的“三公”经费预算/因公出国(境)费用"]
    assert "当年/一般公共预算拨款安排的“三公”经费预算/公务用车购置及运行维护费/公务用车运行维护费" in paths
    assert {p.split("/")[0] for p in paths} == {"上年", "当年", "增减变化情况"} and table.verified


def test_a_unit_numbered_in_its_label_is_a_unit_not_a_classification_line() -> None:
    # 西安科技创新局 表2 p43 prints 单位编码 | 单位名称 apart; budget systems also print the two in one cell
    # (106_某某局). No document of corpus or pool does, so the page is read again with each row's number and name
    # joined that way: the rows must mean what the page's own columns say, with no 类 204 (公共安全支出) made of the
    # department's number and the department's line still the sum of its units
    path = POOL / "西安_d8b69a4ecb5c.pdf"
    pages = read_pdf(path.read_bytes())
    printed = next(t for t in find_tables([pages[42]], set(), "元").tables if t.title and "收入总表" in t.title)
    joined = replace(printed, rows=[replace(r, codes=(), labels=(("单位名称", f"{r.codes[0][1]}_{r.labels[0][1]}"),)) if r.codes else r
                                    for r in printed.rows])
    assert any("_" in r.labels[0][1] for r in joined.rows)
    as_printed, as_joined = table_record(printed, 2022, False), table_record(joined, 2022, False)
    assert [(r.code, r.level, r.label, r.budget_unit) for r in as_joined.rows] == [
        (r.code, r.level, r.label, r.budget_unit) for r in as_printed.rows]
    assert {r.budget_unit for r in as_joined.rows} - {None} and not [r for r in as_joined.rows if r.level]
    found = [r for r in check_records([(as_joined, None)]) if r.rule.id == "table.row_hierarchy"]
    assert found and {r.status for r in found} <= {Status.OK, Status.ROUNDING}
