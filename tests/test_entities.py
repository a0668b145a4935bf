"""Entities that line up across years and spellings (issue 16): the official region code, one entity key for a
department however a file names it, companion files grouped by entity, and a user's alias file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from extractor.companions import group_documents
from extractor.domain.entities import entity_key, entity_name, load_aliases
from extractor.domain.identity import region_of
from extractor.domain.regions import region_code
from extractor.errors import SettingsError
from tests.conftest import CORPUS, DATA, SHARED, extracted

JS_SWBGT = ["JS_swbgt_2017_部门预算.pdf", "JS_swbgt_2017_预算公开表格.pdf", "JS_swbgt_2018_部门预算公开表.pdf", "JS_swbgt_2019_部门预算公开文件.pdf"]


def test_every_labelled_region_has_its_official_code() -> None:
    # the departments read off the title pages of the pool and the corpus (tests/data/document_identity.csv)
    with open(DATA / "document_identity.csv", encoding="utf-8", newline="") as handle:
        departments = {row["department"] for row in csv.DictReader(handle) if row["department"]}
    regions = {region for d in departments if (region := region_of(d)[0]) and region != "中央"}
    assert len(regions) > 10
    assert {r for r in regions if region_code(r) is None} == set()
    assert (region_code("上海市普陀区"), region_code("广州市"), region_code("江苏省")) == ("310107", "440100", "320000")
    assert region_code("普陀区") is None  # 上海 and 舟山 both have one


def test_a_retired_code_names_a_document_of_its_time() -> None:
    # 密云县 became 密云区 (110118) in 2015; a 2014 document's region keeps its code of the time
    assert (region_code("北京市密云县", 2014), region_code("北京市密云区", 2026)) == ("110228", "110118")


def test_one_entity_across_the_spellings_of_a_series() -> None:
    # 江苏省委办公厅 prints itself 江苏省委办公厅, 中国共产党江苏省委员会办公厅 and 中共江苏省委办公厅 over 2017-2019
    docs = [extracted(str(CORPUS / "open-budget" / name)).document for name in JS_SWBGT]
    assert len({d.department for d in docs}) == 3
    assert {entity_key(d.department, d.region, d.fiscal_year) for d in docs} == {"320000|江苏省委办公厅"}
    assert sorted({d.fiscal_year for d in docs}) == [2017, 2018, 2019]
    assert all(d.region_code == "320000" for d in docs)


def test_companion_files_group_by_entity_not_by_spelling(tmp_path: Path) -> None:
    # the 2017 narrative (江苏省委办公厅) and its tables (中国共产党江苏省委员会办公厅) are one disclosure
    items = []
    for index, name in enumerate(JS_SWBGT):
        path = tmp_path / f"{index}.json"
        path.write_text(json.dumps(extracted(str(CORPUS / "open-budget" / name)).to_dict(), ensure_ascii=False), encoding="utf-8")
        items.append((str(index), path))
    groups = group_documents(items, tmp_path)
    assert set(groups) == {"0", "1"} and groups["0"] == groups["1"]
    report = json.loads((tmp_path / "groups" / f"{groups['0']}.json").read_text(encoding="utf-8"))
    assert report["documents"] == ["0", "1"] and report["check_counts"]


def test_short_forms_and_a_users_renames(tmp_path: Path) -> None:
    assert entity_name("江苏省人民代表大会常务委员会办公厅") == entity_name("江苏省人大常委会办公厅")
    assert entity_name("重庆市人民政府办公厅") == entity_name("重庆市政府办公厅")
    renames = tmp_path / "aliases.csv"
    renames.write_text("alias,name,note\n上海市普陀区规划和土地管理局,上海市普陀区规划和自然资源局,2018 机构改革\n", encoding="utf-8")
    aliases = load_aliases(renames)
    assert entity_name("上海市普陀区规划和土地管理局", aliases) == entity_name("上海市普陀区规划和自然资源局", aliases)
    assert entity_name("上海市普陀区规划和土地管理局") != entity_name("上海市普陀区规划和自然资源局")  # not without the file
    bad = tmp_path / "bad.csv"
    bad.write_text("from,to\na,b\n", encoding="utf-8")
    with pytest.raises(SettingsError):
        load_aliases(bad)


def test_a_renumbered_code_goes_on_under_its_new_code() -> None:
    # 大中型水库移民后期扶持基金支出: 佛山 2019 决算 prints 20822 (under 208), 重庆 2026 预算 prints 21372 (under 213)
    from extractor.export.dataset import code_parts

    keys = {}
    for path in (next(CORPUS.glob("*/FS_gdjtj_2019_部门决算.pdf")), SHARED / "pool/重庆_2ec956a87389.pdf"):
        for table in extracted(str(path)).tables:
            names = {r.code: r.label for r in table.rows if r.code}
            for row in table.rows:
                if row.label == "大中型水库移民后期扶持基金支出" and row.code:
                    keys[row.code] = code_parts(row.code, names)["code_key"]
    assert keys == {"20822": "21372", "21372": "21372"}
    # a renamed code keeps its digits: 20805 行政事业单位离退休 (2017-2019) is 行政事业单位养老支出 from the 2020s
    assert code_parts("20805", {"20805": "行政事业单位离退休"})["code_key"] == "20805"
