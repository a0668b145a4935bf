"""Numbered sections as the document numbers them: every heading, no list item, every part (issue 20).

Each rule is shown on a real page of the corpus or the pool where the layout occurs; the outline test runs
every narrative document of both against ``tests/data/section_outline.csv``, where each document's top-rank
headings and the headings of its 说明 part are listed as its 目录 lists them (``read_from`` 目录) or, where the
目录 does not list them, as read off the body pages (``body``); ``note`` names the 目录 entries that have no
heading in the body (a part of tables only), the only gaps allowed.
"""

from __future__ import annotations

import pytest

from extractor.layout.sections import cn_number
from tests.conftest import CORPUS, SHARED, extracted, read_csv

POOL = SHARED / "pool"
OUTLINE = read_csv("section_outline.csv")


def _sections(path):  # type: ignore[no-untyped-def]
    return extracted(str(path)).sections


def _outline(sections) -> tuple[list[str], str, list[str]]:  # type: ignore[no-untyped-def]
    """The top-rank numbers (or, where the body prints no part before them, the headings under the missing
    part), and the 说明 part with the most headings under it with those headings' numbers."""
    first_part = next((i for i, s in enumerate(sections) if s.level == 1), len(sections))
    before = [s.number for s in sections[:first_part] if s.level == 2]
    top = [s.number for s in sections if s.level == 1]
    best: tuple[str, list[str]] = ("", [])
    for index, section in enumerate(sections):
        if section.level == 1 and "说明" in section.title:
            under = [s.number for s in sections[index + 1 :] if s.parent == index and s.level == 2]
            if len(under) > len(best[1]):
                best = (section.title, under)
    return (before if len(before) > len(top) else top), best[0], best[1]


def _runs_on(numbers: list[str], note: str) -> bool:
    """Each number follows the one before, but past a 目录 entry that has no heading in the body."""
    values = [cn_number(n) for n in numbers]
    skipped = {cn_number(word) for word in note.split() if set(word) <= set("一二三四五六七八九十")}
    return all(all(m in skipped for m in range(a + 1, b)) and b > a for a, b in zip(values, values[1:], strict=False))


@pytest.mark.slow
@pytest.mark.parametrize("row", OUTLINE, ids=[row["path"].split("/")[-1] for row in OUTLINE])
def test_every_narrative_document_has_its_headings_in_order_with_no_gap(row: dict[str, str]) -> None:
    top, part, headings = _outline(_sections(SHARED / row["path"]))
    assert " ".join(top) == row["top"]
    assert (part, " ".join(headings)) == (row["part"], row["part_headings"])
    assert _runs_on(top, row["note"]) and _runs_on(headings, row["note"]), row["note"]


def test_the_outline_list_covers_the_corpus_and_the_pool() -> None:
    paths = {row["path"].split("/")[0] for row in OUTLINE}
    assert paths == {"corpus", "pool"} and len(OUTLINE) >= 130
    assert sum(row["read_from"].startswith("目录") for row in OUTLINE) >= 40


def test_levels_are_the_documents_own_ranks() -> None:
    beijing = _sections(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf")  # 第一部分 / 一、 / （一）
    assert [(s.level, s.number) for s in beijing[:3]] == [(1, "一"), (2, "一"), (3, "一")]
    chongqing = _sections(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf")  # no parts: 一、 is its top rank
    assert [s.number for s in chongqing if s.level == 1] == list("一二三四五六")
    assert all(s.parent is None for s in chongqing if s.level == 1)


def test_duties_and_glossary_terms_are_not_headings() -> None:
    guangzhou = _sections(CORPUS / "renwu/GZ_zfbgt_2026_部门预算.pdf")
    # p3: 一、主要职责 then （一）负责…（十二）承办…, a list of duties; p27: 名词解释 then 一、财政拨款收入: 指…
    assert [s.title for s in guangzhou if s.page == 3] == ["广州市人民政府办公厅概况", "主要职责"]
    assert [s.title for s in guangzhou if s.page == 27] == ["名词解释"]
    shanghai = _sections(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf")  # （一）基本支出预算：区级…
    assert [s.title for s in shanghai if s.page == 6] == ["名词解释"]


def test_breakdowns_of_an_amount_are_not_headings_but_a_heading_may_state_one() -> None:
    jiangsu = _sections(CORPUS / "open-budget/JS_gjfy_2017_部门预算公开.pdf")
    # p19 （一）收入预算总计 28849.38 万元。包括：  p23 （一）人员经费 13594.82 万元。主要包括：…
    assert not [s for s in jiangsu if "万元" in s.title]
    shanghai = _sections(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf")  # p22 （一）因公出国（境）费0万元，与…
    assert [s.title for s in shanghai if s.page == 22][:2] == ["其他相关情况说明", "2025年“三公”经费预算情况说明"]
    assert not [s for s in shanghai if "万元" in s.title]
    beijing = _sections(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf")  # a line of its own, its items below it
    assert [s.title for s in beijing if s.page == 6] == ["本年财政拨款收入29569.52万元", "本年其他资金收入7.49万元", "上年结转结余379.26万元"]


def test_table_rows_and_table_titles_are_not_headings() -> None:
    chongqing = _sections(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf")  # p9: 七、附属单位上缴收入资金 is a row
    assert not [s for s in chongqing if s.page == 9]
    shanghai = _sections(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf")  # p15: a table's title
    assert not [s for s in shanghai if s.page == 15]


def test_a_part_titled_over_two_centred_lines_takes_both() -> None:
    jiangsu = _sections(CORPUS / "open-budget/JS_gjfy_2017_部门预算公开.pdf")
    assert ("三", "江苏省高级人民法院2017年度部门预算情况说明", 19) in [(s.number, s.title, s.page) for s in jiangsu if s.level == 1]


def test_a_number_alone_on_a_separator_page_takes_the_title_below_it() -> None:
    wuxi = _sections(POOL / "无锡_fa1b1c71a011.pdf")  # 第二部分 / 2026 年度 / 无锡市商务局 / 部门预算表
    assert ("二", "2026年度无锡市商务局部门预算表", 8) in [(s.number, s.title, s.page) for s in wuxi if s.level == 1]


def test_a_heading_drawn_on_the_line_of_the_paragraph_above_is_its_own_line() -> None:
    shenzhen = _sections(POOL / "深圳_60bb8d512d90.pdf")  # PDFium gives “…口岸”建设。 第二部分 部门预算收支总体情况”
    parts = [(s.number, s.title) for s in shenzhen if s.title.endswith(("情况", "情况说明", "名词解释"))]
    assert ("二", "部门预算收支总体情况") in parts and ("九", "名词解释") in parts


def test_a_heading_that_wraps_keeps_its_whole_title() -> None:
    beijing = _sections(POOL / "北京_116f55d82c56.pdf")  # （五）市对区专项或共同事权转移支付项目绩效目标情 / 况说明
    assert ("五", "市对区专项或共同事权转移支付项目绩效目标情况说明", 10) in [(s.number, s.title, s.page) for s in beijing]


def test_the_contents_confirm_a_part_the_body_never_heads() -> None:
    shanghai = _sections(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf")  # 五 is tables only, never headed
    assert [s.number for s in shanghai if s.level == 1] == ["一", "二", "三", "四", "六", "七"]


def test_a_part_titled_unnumbered_at_the_top_of_its_first_table_page_takes_the_contents_number() -> None:
    # the 目录 lists 第二部分 上海市普陀区规划和自然资源局2024年度部门决算表; page 7 prints, above 收入支出决算总表,
    # 上海市规划和自然资源局 2024 年度部门决算表 (the district left out), with no number
    shanghai = _sections(CORPUS / "GovBudgetChecker/SH_PT_ghzyj_2024_部门决算.pdf")
    assert [(s.number, s.title, s.page) for s in shanghai if s.level == 1] == [
        ("一", "上海市普陀区规划和自然资源局概况", 4), ("二", "上海市规划和自然资源局2024年度部门决算表", 7),
        ("三", "上海市普陀区规划和自然资源局2024年度部门决算情况说明", 20), ("四", "名词解释", 29),
    ]
    # a sentence wrapped over lines that names the same department and year (纳入…部门决算编制范围…) is no part
    assert not [s for s in shanghai if s.title.startswith("纳入")]


def test_numbers_that_run_on_across_parts() -> None:
    xian = _sections(CORPUS / "renwu/XA_sfj_2026_部门预算.pdf")  # 一…四 under part one, 五…九 under part two
    part = next(i for i, s in enumerate(xian) if s.level == 1 and s.number == "二")
    assert [s.number for s in xian if s.parent == part] == list("五六七八九")


def test_a_contents_page_without_its_heading_is_not_the_body() -> None:
    beijing = _sections(POOL / "北京_977a55b8f517.pdf")  # pages 1-2 list the parts and headings, no 目录 line
    assert not [s for s in beijing if s.page <= 2]
    assert [s.number for s in beijing if s.level == 2 and s.parent is None] == list("一二三四五六")


def test_pages_drawn_out_of_reading_order_are_read_by_position() -> None:
    chongqing = _sections(POOL / "重庆_0d1282d352e7.pdf")  # p4 drawn a character or two at a time
    assert [s.number for s in chongqing if s.level == 1] == list("一二三四五六")
    xian = _sections(POOL / "西安_d8b69a4ecb5c.pdf")  # p36 draws 十、 before 九、 and the last 明 of 十、 apart
    titles = [(s.number, s.title) for s in xian if s.page == 36]
    assert titles == [("八", "政府采购情况说明"), ("九", "部门预算绩效目标情况说明"), ("十", "机关运行经费安排情况说明")]


def test_a_run_in_heading_goes_on_into_its_sentence() -> None:
    doc = extracted(str(POOL / "北京_280c5fd86fe4.pdf"))  # （三）公务用车购置和运行维护费。2026 年预算数 / 121.81 万元
    facts = {(f.key, f.value, f.page) for f in doc.facts}
    assert ("three_public_vehicle_total", "121.81", 7) in facts and ("three_public_reception", "1.35", 7) in facts


def test_web_pages_get_the_same_sections() -> None:
    page = _sections(CORPUS / "renwu/CQ_swxcb_2026_部门预算情况说明.html")
    assert [s.number for s in page if s.level == 1] == list("一二三四五六")


def test_arabic_numbered_headings_under_a_sub_heading_are_headings_at_the_next_rank() -> None:
    hangzhou = _sections(CORPUS / "renwu/HZ_sfj_2026_部门预算.pdf")  # 一、 / （一） / 1.
    # p6: （五）一般公共预算当年拨款情况说明 then 1.一般公共预算当年拨款规模变化情况。 2.… 3.…
    parent = next(i for i, s in enumerate(hangzhou) if s.title.startswith("一般公共预算当年拨款情况说明"))
    under = [(s.level, s.number, s.title, s.page) for s in hangzhou if s.parent == parent]
    assert under == [(3, "1", "一般公共预算当年拨款规模变化情况", 6), (3, "2", "一般公共预算当年拨款结构情况", 6),
                     (3, "3", "一般公共预算当年拨款具体使用情况", 6)]
    others = next(i for i, s in enumerate(hangzhou) if s.title == "其他重要事项的情况说明")
    assert [s.title for s in hangzhou if s.parent == others][:2] == ["机关运行经费", "政府采购情况"]
    assert {hangzhou[others].key, *(s.key for s in hangzhou if s.parent == others)} >= {"admin_operating_cost", "procurement"}
    # not headings: the duties (p3 1.承担全面依法治市…), the breakdown of the expenditure (1.按支出功能分类，包括…) and
    # the glossary's terms (1.财政拨款收入：…)
    assert not [s for s in hangzhou if s.number.isdigit() and (s.page in (3, 4, 5) or s.key == "glossary")]


def test_arabic_numbers_that_list_things_are_not_headings() -> None:
    # SH p5: 具体包括： / 1.财政局本部 (a unit, with no text of its own); BJ p6: 1.一般公共预算拨款收入 29569.52 万元。…
    shanghai = _sections(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf")
    assert not [s for s in shanghai if s.number.isdigit()]
    beijing = _sections(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf")
    assert not [s for s in beijing if s.number.isdigit()]
    # 国家信访局 p21: 其中： / 1.一般公共服务（类）信访事务（款）行政运行（项）。年初预算为…, fourteen items of a breakdown
    national = _sections(CORPUS / "renwu/CN_gjxfj_2024_部门决算.pdf")
    assert not [s for s in national if "（类）" in s.title]


def test_the_headings_of_an_attached_report_sit_at_their_ranks_under_the_attachment() -> None:
    national = _sections(CORPUS / "renwu/CN_gjxfj_2024_部门决算.pdf")  # 第五部分 附件: a project's evaluation report
    attachment = next(i for i, s in enumerate(national) if s.level == 1 and s.title == "附件")
    report = [(s.level, s.number, s.title) for s in national[attachment + 1 :]]
    assert report[:5] == [(2, "一", "基本情况"), (3, "一", "项目概况"), (4, "1", "项目背景"), (4, "2", "项目主要内容"),
                          (4, "3", "项目资金投入")]
    assert (2, "六", "有关建议") == report[-1] and all(level > 1 for level, _, _ in report)
