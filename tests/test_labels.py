from hypothesis import given
from hypothesis import strategies as st

from extractor.domain.codes import code_level, lookup_function_code, parent_code
from extractor.domain.labels import name_key, normalise_label


def test_leading_ordinals_and_brackets() -> None:
    assert normalise_label("一、一般公共预算拨款收入") == "一般公共预算拨款收入"
    assert normalise_label("（二） 政府办公厅(室)及相关机构事务") == "政府办公厅（室）及相关机构事务"
    assert normalise_label("其中：人员经费") == "人员经费"
    assert normalise_label("“三公”经费") == "三公经费"


def test_name_key_meets_variants() -> None:
    assert name_key("一般公共服务（类）") == name_key("一般公共服务支出")
    assert name_key("其它行政事业单位养老支出") == name_key("其他行政事业单位养老支出")


def test_lookup_walks_the_hierarchy() -> None:
    assert lookup_function_code(["一般公共服务", "政府办公厅（室）及相关机构事务", "行政运行"]) == "2010301"
    assert lookup_function_code(["一般公共服务", "人大事务", "行政运行"]) == "2010101"
    assert lookup_function_code(["一般公共服务", "不存在的款"]) is None
    assert parent_code("2010301") == "20103" and parent_code("20103") == "201" and parent_code("201") is None
    assert code_level("20103") is not None and code_level("2010") is None


@given(st.text())
def test_normalise_label_is_idempotent_and_total(text: str) -> None:
    once = normalise_label(text)
    assert normalise_label(once) == once


@given(st.text())
def test_name_key_never_crashes(text: str) -> None:
    name_key(text)
