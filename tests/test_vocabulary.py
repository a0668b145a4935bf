"""The shared vocabulary (``extractor/domain/vocabulary.py``) on phrases printed in corpus documents: total rows and
columns in each named variant, 其中 rows, years, units. ``tests/data/vocabulary_phrases.csv`` lists each phrase, a
document that prints it (as a row label or a column head) and what each pattern says of it."""

from __future__ import annotations

import re

import pytest

from extractor.domain.amounts import parse_amount
from extractor.domain.table_kinds import table_unit
from extractor.domain.vocabulary import (
    OF_WHICH,
    TOTAL_ALONE,
    TOTAL_CELL,
    TOTAL_COLUMN,
    TOTAL_ROW,
    UNIT,
    UNIT_SCALE,
    YEAR_ALONE,
    YEAR_NAMED,
)
from tests.conftest import CORPUS, extracted, read_csv

PHRASES = read_csv("vocabulary_phrases.csv")


def _printed(row: dict[str, str]) -> tuple[list, list]:  # type: ignore[type-arg]
    """The document's rows labelled the phrase, and its columns with the phrase as a head."""
    doc = extracted(str(CORPUS / row["document"]))
    rows = [r for t in doc.tables for r in t.rows if r.label == row["phrase"]]
    columns = [c for t in doc.tables for c in t.columns if row["phrase"] in c.path.split("/")]
    return rows, columns


@pytest.mark.parametrize("row", PHRASES, ids=[row["phrase"] for row in PHRASES])
def test_a_printed_phrase(row: dict[str, str]) -> None:
    phrase, yes = row["phrase"], {k: v == "yes" for k, v in row.items()}
    assert bool(TOTAL_ROW.search(phrase)) is yes["total_row"]
    assert bool(TOTAL_ALONE.match(phrase)) is yes["total_alone"]
    assert bool(TOTAL_CELL.match(phrase)) is yes["total_cell"]
    assert bool(TOTAL_COLUMN.match(phrase)) is yes["total_column"]
    assert phrase.startswith(OF_WHICH) is yes["of_which"]
    assert [int(y) for y in YEAR_NAMED.findall(phrase)] == ([int(row["year"])] if row["year"] else [])
    # the document prints it so, and its records read it as the vocabulary says
    rows, columns = _printed(row)
    if row["printed_as"] == "row":
        assert rows, f"{row['document']} prints no row {phrase}"
        assert all(r.total is yes["total_row"] and r.subitem is yes["of_which"] for r in rows if not r.code)
    else:
        assert columns, f"{row['document']} prints no column head {phrase}"
        if row["year"]:
            assert {c.year for c in columns if c.role == "amount"} == {int(row["year"])}


def test_the_variants_differ_where_they_say() -> None:
    # a named total is a total row but no column group's total; a named 小计 is content above a table's body
    assert TOTAL_ROW.search("人员经费合计") and not TOTAL_ALONE.match("人员经费合计")
    assert TOTAL_ROW.search("当年收入小计") and not TOTAL_CELL.match("当年收入小计") and TOTAL_CELL.match("收入总计")
    # the two grand totals a 收入支出决算表 heads its columns with are the total component; other named totals not
    assert TOTAL_COLUMN.match("本年收入合计") and not TOTAL_COLUMN.match("收入总计")


def test_years() -> None:
    assert YEAR_NAMED.sub("", "2026年度部门预算") == "部门预算"  # 度 goes with the year
    assert YEAR_NAMED.findall("2025 年预算数 / 2026年预算数") == ["2025", "2026"]
    assert YEAR_ALONE.match("2025") and not YEAR_ALONE.match("3000") and not YEAR_ALONE.match("2025.00")
    assert not YEAR_NAMED.search("1,066.60万元")


@pytest.mark.parametrize("path", sorted({row["document"] for row in PHRASES}))
def test_every_table_unit_is_a_vocabulary_unit(path: str) -> None:
    units = {t.unit for t in extracted(str(CORPUS / path)).tables if t.unit}
    assert units and units <= set(UNIT_SCALE)
    assert all(re.fullmatch(UNIT, unit) for unit in units)


def test_units_as_printed() -> None:
    assert table_unit("单位：万元") == "万元" and table_unit("金额单位：元") == "元" and table_unit("单位:千元") == "千元"
    amount = parse_amount("1,066.60万元")
    assert amount is not None and amount.unit == "万元" and amount.to_yuan() == UNIT_SCALE["万元"] * amount.value
