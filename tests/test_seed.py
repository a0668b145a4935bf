"""The seed narrative: every figure it states, and its ten 类/款/项 line items with codes."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import SEED, extracted, read_csv, schema_validator


def test_identity() -> None:
    doc = extracted(str(SEED))
    assert (doc.document.department, doc.document.region, doc.document.fiscal_year, doc.document.report_kind) == (
        "攀枝花市西区人民政府办公室", "攀枝花市西区", 2026, "budget")
    assert [s.number for s in doc.sections if s.level == 1] == list("一二三四五六七八九十") + ["十一", "十二"]  # its top rank is 一、


def test_every_stated_fact() -> None:
    doc = extracted(str(SEED))
    got = {}
    for fact in doc.facts:
        got.setdefault(fact.key, fact)
    for row in read_csv("seed_facts.csv"):
        fact = got[row["key"]]
        assert (Decimal(fact.value), fact.unit) == (Decimal(row["value"]), row["unit"]), row["key"]
        assert fact.value in fact.quote.replace(",", "")


def test_change_is_kept_beside_the_figure() -> None:
    doc = extracted(str(SEED))
    fact = next(f for f in doc.facts if f.key == "admin_operating_cost")
    assert (fact.change, fact.change_direction) == ("5.76", "increase")


def test_line_items_with_codes() -> None:
    doc = extracted(str(SEED))
    want = read_csv("seed_line_items.csv")
    got = [(i.code, i.item_name, i.value) for i in doc.line_items]
    assert got == [(r["code"], r["item_name"], r["value"]) for r in want]
    assert all(i.purpose for i in doc.line_items)
    assert schema_validator().is_valid(doc.to_dict())
