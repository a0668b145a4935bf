"""Narrative figures in the phrasings real documents use (issue 15), each on a sentence of the corpus or the pool."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.domain.facts import find_facts
from extractor.readers import ReaderSettings, read_source
from tests.conftest import CORPUS, SHARED, extracted


def _facts(path: str) -> dict[tuple[str, str | None], object]:
    return {(f.key, f.scope): f for f in extracted(path).facts}


def test_spaces_inside_numbers_years_and_units() -> None:
    # 福州交警支队 p37 as its text layer prints it: "2026 年，…安排的 / 机关运行经费支出 2916.1 万元，比上年减少 206.4 万元。"
    path = str(SHARED / "pool/福州_69f79ec3c50b.pdf")
    with open(path, "rb") as handle:
        page = read_source(handle.read(), path, ReaderSettings(max_pages=37)).pages[36]
    printed = "".join(line.text for line in page.lines if "机关运行经费" in line.text or line.text.startswith("2026 年，"))
    assert "2916.1 万元" in printed and "2026 年" in printed
    (fact,) = [f for f in find_facts(printed, 2026) if f.key == "admin_operating_cost"]
    assert (str(fact.value), str(fact.change), fact.change_direction) == ("2916.1", "206.4", "decrease")


def test_personnel_and_public_expenditure_under_other_names() -> None:
    # 湖州财政局 p7: "2.按支出用途分类,包括人员支出4944.99万元,占72.3%；日常公用支出626.67万元,占9.2%"
    facts = _facts(str(CORPUS / "renwu/HuZ_czj_2026_部门预算.pdf"))
    assert str(facts[("personnel_expenditure", "department")].value) == "4944.99"  # type: ignore[attr-defined]
    assert str(facts[("public_expenditure", "department")].value) == "626.67"  # type: ignore[attr-defined]
    # 杭州司法局 p13: "一般公共预算基本支出70,724.29万元,其中：" then a line "人员支出58,486.35万元,主要包括：…"
    assert str(_facts(str(CORPUS / "renwu/HZ_sfj_2026_部门预算.pdf"))[("personnel_expenditure", "gpb")].value) == "58486.35"  # type: ignore[attr-defined]
    # 深圳生态环境局 p35: "（一）人员支出614.78万元" in the block of one of its units, not the department's
    assert ("personnel_expenditure", "department") not in _facts(str(SHARED / "pool/深圳_132c3ead125b.pdf"))


def test_projects_under_performance_targets_in_their_several_wordings() -> None:
    # 湖州财政局 p12: "…均实行绩效目标管理,共计7个一级项目"; 上海 "本单位编报绩效目标的项目共4个"
    assert str(_facts(str(CORPUS / "renwu/HuZ_czj_2026_部门预算.pdf"))[("performance_project_count", None)].value) == "7"  # type: ignore[attr-defined]
    assert str(_facts(str(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf"))[("performance_project_count", None)].value) == "4"  # type: ignore[attr-defined]
    # 广州客运交通管理处 p45: "达到如下绩效目标：1.保持本项目500个视频监控图像接入…": a target, not a count of projects
    assert ("performance_project_count", None) not in _facts(str(SHARED / "pool/广州_7d4050860320.pdf"))


def test_vehicles_held_not_vehicles_bought_or_moved() -> None:
    # 深圳卫健委 p12 "…用于本单位5辆公务用车…接收调拨车辆2辆" and p17 "共有车辆5辆"; 深圳交警 "更新购置警用车辆32台"
    assert str(_facts(str(SHARED / "pool/深圳_5ea9b8ac6dd4.pdf"))[("vehicles_count", None)].value) == "5"  # type: ignore[attr-defined]
    assert str(_facts(str(SHARED / "pool/深圳_7f08e3f407a3.pdf"))[("vehicles_count", None)].value) == "664"  # type: ignore[attr-defined]


def test_vehicles_to_be_bought_with_their_count_and_cost() -> None:
    # 深圳 p71 "2026年计划购置车辆9辆、162万元,报废更新,其中：使用财政拨款预算购置车辆8辆,144万元…": the plan, not its parts
    facts = _facts(str(SHARED / "pool/深圳_132c3ead125b.pdf"))
    assert (str(facts[("vehicles_purchase_count", None)].value), str(facts[("vehicles_purchase_amount", None)].value)) == ("9", "162")  # type: ignore[attr-defined]
    # 深圳人社局: p37 "…增加6.00万元,主要是2026年计划购置公务用车3辆" is a reason; p53 "2026年计划购置车辆7辆、153.00万元" the plan
    facts = _facts(str(SHARED / "pool/深圳_66464f8eeef9.pdf"))
    assert (str(facts[("vehicles_purchase_count", None)].value), str(facts[("vehicles_purchase_amount", None)].value)) == ("7", "153.00")  # type: ignore[attr-defined]
    # 深圳口岸办 p9 "…计划于2027年申请新购置公务车1辆" is another year's; p12 "2026年计划购置车辆0辆、0万元"
    assert str(_facts(str(SHARED / "pool/深圳_60bb8d512d90.pdf"))[("vehicles_purchase_count", None)].value) == "0"  # type: ignore[attr-defined]


def test_income_with_its_breakdown_whose_first_part_is_the_general_budget() -> None:
    # 烟台政府办 p28 "（一）收入预算：2026年收入预算9,325.57万元,其中：一般公共预算收入9,232.56万元,其他收入93.01万元。"
    path = next(CORPUS.glob("*/YT_zfbgs_2026_部门预算.pdf"))
    facts = _facts(str(path))
    assert (str(facts[("income_total", None)].value), str(facts[("gpb_appropriation", None)].value)) == ("9325.57", "9232.56")  # type: ignore[attr-defined]
    # 北京 p2 "2026度收入预算515,665.27万元,其中:一般公共预算收入19,828.57万元比2025年初预算数20,292.85万元减少464.27万元":
    # the comparison is the part's, not the total's
    total = _facts(str(SHARED / "pool/北京_a625fbbabe03.pdf"))[("income_total", None)]
    assert (str(total.value), total.prior_value, total.change) == ("515665.27", None, None)  # type: ignore[attr-defined]


def test_a_verb_between_the_name_and_the_number() -> None:
    # 福州医保局 p23: "2026年,福州市医疗保障局收入预算为351904.90万元,比上年增加125454.38万元"
    fact = _facts(str(CORPUS / "renwu/FZ_ybj_2026_部门预算.pdf"))[("income_total", None)]
    assert (str(fact.value), str(fact.change)) == ("351904.90", "125454.38")  # type: ignore[attr-defined]
    # the words that only lead to the number do not hide the name before them
    (gpb,) = [f for f in find_facts("2026年一般公共预算拨款收入预算数为1000.00万元。", 2026) if f.value]
    assert gpb.key == "gpb_appropriation"


def test_final_accounts_state_the_budget_and_the_outturn_side_by_side() -> None:
    # 国家信访局 2024 决算 p24: "…“三公”经费财政拨款支出预算为76.43万元,2024年度支出决算为46.21万元"
    fact = _facts(str(CORPUS / "renwu/CN_gjxfj_2024_部门决算.pdf"))[("three_public_total", None)]
    assert (str(fact.value), str(fact.budget_value)) == ("46.21", "76.43")  # type: ignore[attr-defined]


def test_a_rate_is_not_an_amount() -> None:
    # 烟台退役军人事务局: "短期休养人员支出标准=1920元/人/月"
    assert not find_facts("短期休养人员支出标准=1920元/人/月，公用经费1920元/人。", 2026)


def test_phrasings_no_corpus_or_pool_file_prints() -> None:
    # built sentences: no file of the corpus or the pool states 财务总收入, or an amount in 元 with thousands separators
    (income,) = find_facts("2026年本部门财务总收入1,234.56万元，比上年增加12.00万元。", 2026)
    assert (income.key, str(income.value), str(income.change)) == ("income_total", "1234.56", "12.00")
    (cost,) = find_facts("2026年机关运行经费预算1,234,567.89元，比上年减少10,000.00元。", 2026)
    assert (cost.key, str(cost.value), cost.unit, str(cost.change)) == ("admin_operating_cost", "1234567.89", "元", "10000.00")


def test_a_line_item_that_prints_each_levels_own_digits_is_the_item_of_the_whole_code() -> None:
    # built sentence (issue 27): no file of the corpus or the pool prints codes inside the brackets; documents
    # elsewhere print a 款 and a 项 by their own two digits, read on from the 类's three
    from extractor.domain.line_items import find_line_items

    (item,) = find_line_items("一般公共服务支出（201类）财政事务（06款）行政运行（01项）120万元，主要用于机关基本运行。")
    assert (item.code, item.code_source, item.item_name, str(item.value)) == ("2010601", "printed", "行政运行", "120")
    (whole,) = find_line_items("卫生健康支出（210类）行政事业单位医疗（21011款）行政单位医疗（2101101项）12.50万元。")
    assert whole.code == "2101101"
    # a 项 without the 款's digits between cannot be placed: the reference list names it instead
    (gap,) = find_line_items("一般公共服务支出（201类）财政事务（款）行政运行（01项）120万元。")
    assert gap.code_source != "printed"


def test_a_count_named_by_the_words_after_it() -> None:
    # 苏州审计局 p30: "本部门共 7 个项目纳入绩效目标管理"; 江苏检察院 2019 p32: "本部门共 0 个项目实行绩效目标管理";
    # 深圳交通运输局 p17: "…设置并编报 24 个项目绩效目标"
    assert str(_facts(str(CORPUS / "renwu/SuZ_sjj_2026_部门预算.pdf"))[("performance_project_count", None)].value) == "7"  # type: ignore[attr-defined]
    assert str(_facts(str(CORPUS / "open-budget/JS_jcy_2019_部门预算公开.pdf"))[("performance_project_count", None)].value) == "0"  # type: ignore[attr-defined]
    assert str(_facts(str(CORPUS / "renwu/SZ_jtysj_2026_部门预算.pdf"))[("performance_project_count", None)].value) == "24"  # type: ignore[attr-defined]
    # a count of projects whose self-evaluation is reported is not the count under 绩效目标管理 (国家信访局 2024 决算:
    # "…”4 个项目绩效自评结果")
    assert ("performance_project_count", None) not in {(f.key, f.scope) for f in find_facts("访干部培训专项”4 个项目绩效自评结果。", 2024)}


def test_the_year_s_budget_income_and_expenditure_in_so_many_words() -> None:
    # 西安司法局 p16: "本部门当年预算收入13,650.79万元，其中：一般公共预算拨款13,650.79万元，…；本部门当年预算支出13,650.79万元"
    facts = _facts(str(CORPUS / "renwu/XA_sfj_2026_部门预算.pdf"))
    assert (str(facts[("income_total", None)].value), str(facts[("expenditure_total", None)].value)) == ("13650.79", "13650.79")  # type: ignore[attr-defined]
    # "2018年政府性基金预算收入38610万元" is the 政府性基金's, not the department's income
    found = find_facts("2018年政府性基金预算收入38610万元，政府性基金预算支出38610万元。", 2018)
    assert not [f for f in found if f.key in ("income_total", "expenditure_total")]


def test_a_figure_takes_its_funding_scope_from_its_section_when_the_sentence_names_none() -> None:
    # 北京司法局 p7, under 三、支出预算情况说明: "(一)基本支出。基本支出预算 19170.50 万元，占本年支出预算63.99%": all funds
    facts = _facts(str(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf"))
    assert str(facts[("basic_expenditure", "department")].value) == "19170.50"  # type: ignore[attr-defined]
    assert ("basic_expenditure", "gpb") not in facts
    # 江苏省委办公厅 2019 p11: "（一）人员经费9467.72万元" under the 财政拨款基本支出 heading and again under the
    # 一般公共预算财政拨款基本支出 one: 财政拨款 and 一般公共预算 figures, not the department's
    facts = _facts(str(CORPUS / "open-budget/JS_swbgt_2019_部门预算公开文件.pdf"))
    assert {scope for key, scope in facts if key == "personnel_expenditure"} == {"fiscal", "gpb"}


def test_the_three_public_items_and_the_procurement_parts_stated_in_one_sentence() -> None:
    # 重庆 (pool) p5: "其中：因公出国（境）费用100.00万元，公务接待费63.80万元，公务用车运行维护费112.00万元，公务用车购置费
    # 0万元，均与上年持平" after "2026年“三公”经费预算275.80万元"; "政府采购预算总额712.49万元：政府采购货物预算486.50万元、…"
    facts = {f.key: (str(f.value), f.page) for f in extracted(str(SHARED / "pool/重庆_df5191972149.pdf")).facts}
    assert [facts[k] for k in ("three_public_total", "three_public_abroad", "three_public_reception",
                               "three_public_vehicle_operation", "three_public_vehicle_purchase")] == [
        ("275.80", 5), ("100.00", 5), ("63.80", 5), ("112.00", 5), ("0", 5)]
    assert [facts[k][0] for k in ("procurement_total", "procurement_goods", "procurement_works", "procurement_services")] == [
        "712.49", "486.50", "0", "225.99"]
    # 北京市司法局 p8, the parts after 其中 in the total's sentence: "政府采购预算总额 7565.76 万元，其中：政府采购货物预算
    # 196.91 万元，政府采购工程预算 0 万元，政府采购服务预算 7368.85 万元。"
    beijing = {f.key: str(f.value) for f in extracted(str(CORPUS / "renwu/BJ_sfj_2026_附件1_情况说明.pdf")).facts}
    assert [beijing[k] for k in ("procurement_total", "procurement_goods", "procurement_works", "procurement_services")] == [
        "7565.76", "196.91", "0", "7368.85"]


def test_the_three_public_total_stated_after_its_items() -> None:
    # a built sentence: no file of the corpus or the pool states the total after its items
    facts = {f.key: str(f.value) for f in find_facts(
        "2026年因公出国（境）费0万元，公务接待费3.00万元，公务用车购置及运行维护费12.00万元，“三公”经费合计15.00万元。", 2026)}
    assert facts == {"three_public_abroad": "0", "three_public_reception": "3.00", "three_public_vehicle_total": "12.00",
                     "three_public_total": "15.00"}


_ITEM_PIECES = ["一般公共服务", "支出", "政府办公厅", "（室）", "及相关机构事务", "行政运行", "（类）", "（款）", "（项）", "（201类）", "(06款)",
                "（01项）", "类）", "款)", "“", "”", "-", "，", "。", "120万元", "主要用于", "\n", "a", "1", "类", "（"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ITEM_PIECES) | st.text(alphabet="类款项（）()一二三", max_size=3), max_size=60), st.integers(0, 200))
def test_line_items_are_sought_only_near_a_closed_class_yet_all_found(pieces: list[str], run: int) -> None:
    # the pattern is tried only within reach of each 类） (issue 31): the same matches as trying it everywhere, also
    # after runs of name characters longer than a name may be
    from extractor.domain.line_items import _ITEM, _item_matches

    text = "".join(pieces[: len(pieces) // 2]) + "事" * run + "".join(pieces[len(pieces) // 2 :])
    assert [m.span() for m in _item_matches(text)] == [m.span() for m in _ITEM.finditer(text)]
