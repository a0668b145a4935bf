"""The classification catalogue against real documents: every coded row of their verified tables is a catalogue code
with a name the catalogue accepts for the document's year; misreadings, department codes and codes of another
scheme are refused; renames of ``code_changes.csv`` hold for their years."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractor.domain.classifications import Scheme, catalogue, lookup, name_key, name_matches, parent_of, scheme_of
from tests.conftest import CORPUS, extracted

# old and new names, 2017 to 2026: 行政事业单位离退休 (JS 2017-2019), 20822 before its renumbering and the long name of
# 21208 (FS 2019), the regional 7-digit 经济分类 项 (CQ 2026), the Shanghai template (SH 2025), Guangzhou (GZ 2026)
DOCUMENTS = [
    "open-budget/JS_gjfy_2017_部门预算公开.pdf",
    "open-budget/JS_rdbgt_2019_部门预算公开表.pdf",
    "renwu/FS_gdjtj_2019_部门决算.pdf",
    "renwu/CQ_zfbgt_2026_部门预算.pdf",
    "GovBudgetChecker/SH_PT_zfbgs_2025_单位预算.pdf",
    "renwu/GZ_zfbgt_2026_部门预算.pdf",
]


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.split("/")[-1] for p in DOCUMENTS])
def test_every_coded_row_of_a_verified_table_is_in_the_catalogue(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    year = doc.document.fiscal_year
    rows = [(table.kind, row) for table in doc.tables if table.verified for row in table.rows if scheme_of(row.code)]
    assert len(rows) > 40
    unknown = [(kind, row.code, row.label) for kind, row in rows if lookup(scheme_of(row.code), row.code, year) is None]
    misnamed = [(kind, row.code, row.label) for kind, row in rows if not name_matches(scheme_of(row.code), row.code, row.label, year)]
    assert unknown == [] and misnamed == []
    for _, row in rows:  # and sits under its parent, the row the table prints it under
        entry = lookup(scheme_of(row.code), row.code, year)
        assert entry is not None and entry.parent == parent_of(row.code)
        assert row.parent is None or row.parent == entry.parent
        assert entry.parent is None or (entry.scheme, entry.parent) in catalogue()


def test_misreadings_are_refused() -> None:
    # YT 2026 prints a 部门/政府 crosswalk: the two name columns read as one label beside the 政府 code
    assert not name_matches("economic_gov", "50101", "基本工资工资奖金津补贴", 2026)
    assert name_matches("economic_gov", "50101", "工资奖金津补贴", 2026)
    # SH_PT_shfly 2024 prints its own numbering (302 02 咨询费): a sibling's name printed once is not a name of 30202
    assert not name_matches("economic_dept", "30202", "咨询费", 2024)
    # 无锡 prints department codes (305 无锡市教育局) where the tool looks for 经济分类 类
    assert lookup("economic_dept", "305") is None
    assert not name_matches("function", "2010301", "合计")


def test_a_code_of_another_scheme_is_refused() -> None:
    assert scheme_of("30101") is Scheme.ECONOMIC_DEPT and scheme_of("50101") is Scheme.ECONOMIC_GOV
    assert scheme_of("2010301") is Scheme.FUNCTION and scheme_of("204001") is None and scheme_of("71102") is None
    assert lookup("economic_gov", "30101") is None and lookup("function", "30101") is None
    assert not name_matches("function", "30101", "基本工资")
    assert name_matches("economic_dept", "30101", "基本工资")


def test_renames_hold_for_their_years() -> None:
    assert name_matches("function", "20805", "行政事业单位离退休", 2018)
    assert not name_matches("function", "20805", "行政事业单位离退休", 2024)
    assert name_matches("function", "20805", "行政事业单位养老支出", 2024)
    assert name_matches("function", "210", "医疗卫生与计划生育支出", 2017)
    assert not name_matches("function", "210", "医疗卫生与计划生育支出", 2025)
    assert name_matches("function", "210", "卫生健康支出", 2025)
    # 20822 went on as 21372; the change table knows only that 20822 lasted until the 2019 edition at least
    assert lookup("function", "20822", 2019) is not None and lookup("function", "21372", 2018) is None
    assert name_matches("function", "21372", "大中型水库移民后期扶持基金支出", 2026)


def test_catalogue_rows_sit_under_their_parents() -> None:
    entries = catalogue()
    assert {e.scheme for e in entries.values()} == set(Scheme)
    for (scheme, code), entry in entries.items():
        assert entry.parent == parent_of(code) and (entry.parent is None or (scheme, entry.parent) in entries)
        assert entry.level == {3: "类", 5: "款", 7: "项"}[len(code)]
        assert entry.observed == (entry.documents > 0) == bool(entry.cited)


def test_name_key_drops_what_printing_varies() -> None:
    assert name_key("其中： 一般公共服务（类）") == name_key("一般公共服务")
    assert name_key("（一）政府办公厅(室)及相关机构事务") == "政府办公厅（室）及相关机构事务"
    assert name_key("1、其它行政事业单位养老支出") == "其他行政事业单位养老支出"
    # a trailing 支出 is not dropped: only names documents print are accepted (医疗费, JS 2017's name of 30307)
    assert name_key("医疗费补助支出") != name_key("医疗费补助")
    assert not name_matches("economic_dept", "30307", "医疗费补助支出")
    assert name_matches("economic_dept", "30307", "医疗费", 2017)


@given(st.text())
def test_name_key_is_idempotent_and_total(text: str) -> None:
    once = name_key(text)
    assert name_key(once) == once
