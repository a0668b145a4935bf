"""Tables whose rules are missing: real ruled pages with their rules taken away must read the same."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache

import pytest

from extractor.errors import SettingsError
from extractor.layout.tables import find_tables
from extractor.model import Page
from extractor.pipeline import ExtractSettings
from extractor.readers.pdf import read_pdf
from tests.conftest import CORPUS, extracted


@cache
def _page(path: str, number: int) -> Page:
    return read_pdf((CORPUS / path).read_bytes())[number - 1]


def _cells(page: Page, strategy: str) -> Counter[tuple[str, str]]:
    tables = find_tables([page], set(), "万元", strategy=strategy).tables
    return Counter(("".join(t for _, t in row.codes), cell.text) for table in tables for row in table.rows for cell in row.cells)


CASES = [
    ("renwu/CQ_zfbgt_2026_部门预算.pdf", 15, "horizontal rules only"),
    ("renwu/CQ_zfbgt_2026_部门预算.pdf", 9, "horizontal rules only"),
    ("open-budget/JS_swbgt_2018_部门预算公开表.pdf", 9, "no rules"),
    ("tianbaoxitong/SH_PT_czj_2025_部门预算.pdf", 15, "horizontal rules only"),
]


@pytest.mark.parametrize(("path", "number", "kept"), CASES)
def test_a_table_without_its_rules_reads_the_same_codes_and_amounts(path: str, number: int, kept: str) -> None:
    page = _page(path, number)
    rules = tuple(r for r in page.rules if r.horizontal) if kept == "horizontal rules only" else ()
    bare = replace(page, rules=rules)
    assert not _cells(bare, "lattice")  # the ruled reader alone sees nothing
    ruled = _cells(page, "lattice")
    assert ruled and _cells(bare, "hybrid") == ruled


def test_the_fallback_adds_no_table_to_the_corpus_documents() -> None:
    # every corpus table is ruled: hybrid (the default) and lattice find the same tables
    path = "renwu/GZ_zfbgt_2026_部门预算.pdf"
    pages = read_pdf((CORPUS / path).read_bytes())
    assert len(find_tables(pages, set(), "万元", strategy="hybrid").tables) == len(find_tables(pages, set(), "万元", strategy="lattice").tables)


def test_table_strategy_is_checked_and_can_be_turned_off() -> None:
    with pytest.raises(SettingsError, match="unknown table strategy"):
        ExtractSettings(tables="stream")
    import extractor

    doc = extractor.extract(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf", ExtractSettings(tables="none"))
    assert doc.tables == () and doc.facts == extracted(str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf")).facts
