"""Every text PDF of the corpus: no crash, identity as printed, sections found, schema-valid output."""

from __future__ import annotations

import pytest

from extractor import extract
from extractor.errors import NoTextLayerError
from extractor.pipeline import ExtractSettings
from tests.conftest import CORPUS, extracted, read_csv, schema_validator

EXPECTED = read_csv("corpus_identity.csv")
SCANNED = ["renwu/BJ_zsj_2026_附件1_scanned.pdf", "renwu/CS_czj_2025_文旅资金通知_scanned.pdf", "renwu/CS_scjgj_2022_绩效评价_scanned.pdf"]


def test_expected_file_covers_every_text_pdf() -> None:
    listed = {row["path"] for row in EXPECTED} | set(SCANNED)
    present = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.pdf")}
    assert present == listed


@pytest.mark.parametrize("row", EXPECTED, ids=[r["path"].split("/")[-1] for r in EXPECTED])
def test_identity_sections_and_schema(row: dict[str, str]) -> None:
    doc = extracted(str(CORPUS / row["path"]))
    assert doc.document.department == row["department"]
    assert doc.document.fiscal_year == int(row["fiscal_year"])
    assert doc.document.report_kind == row["report_kind"]
    assert doc.document.document_type == "disclosure"
    assert "department" in doc.document.evidence
    if row["has_sections"] == "yes":
        assert doc.sections, "no sections found"
        assert all(s.page not in (None, 0) for s in doc.sections)
    errors = [e.message for e in schema_validator().iter_errors(doc.to_dict())]
    assert errors == []


@pytest.mark.slow  # OCR of three whole scanned documents
@pytest.mark.parametrize("path", SCANNED)
def test_scanned_pdfs_are_read_by_ocr_and_fail_clearly_without_it(path: str) -> None:
    doc = extracted(str(CORPUS / path))
    assert doc.source.ocr_pages == tuple(range(1, doc.source.pages + 1))
    assert doc.document.fiscal_year is not None
    assert [e.message for e in schema_validator().iter_errors(doc.to_dict())] == []
    with pytest.raises(NoTextLayerError, match="no page has a text layer"):
        extract(CORPUS / path, ExtractSettings(ocr="never"))


def test_table_of_contents_is_not_taken_for_the_body() -> None:
    # GZ prints a contents page (p2) listing 一、… before the body starts on p3
    doc = extracted(str(CORPUS / "renwu/GZ_zfbgt_2026_部门预算.pdf"))
    assert all(s.page != 2 for s in doc.sections)
    assert [s.key for s in doc.sections if s.level == 1] == ["overview", "tables", "explanation", "glossary"]


def test_unnumbered_body_headings_are_found_through_the_contents() -> None:
    doc = extracted(str(CORPUS / "tianbaoxitong/SH_PT_czj_2025_部门预算.pdf"))
    keys = [s.key for s in doc.sections if s.level == 1]  # the contents' 一、… are this document's top rank
    assert keys[:4] == ["functions", "organisation", "glossary", "explanation"]


def test_facts_carry_provenance_inside_the_page() -> None:
    doc = extracted(str(CORPUS / "renwu/CQ_zfbgt_2026_部门预算.pdf"))
    fact = next(f for f in doc.facts if f.key == "three_public_total")
    assert fact.value == "394.49" and fact.page == 3
    assert "394.49" in fact.quote
    x0, top, x1, bottom = fact.bbox
    assert 0 <= x0 < x1 and 0 <= top < bottom


def test_the_collector_walks_only_the_objects_a_document_makes_and_gets_the_rest_back_after(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import weakref

    import extractor.pipeline as pipeline

    class Node:
        pass

    made_before = Node()
    made_before.cycle = made_before  # type: ignore[attr-defined]
    gone = weakref.ref(made_before)
    del made_before
    frozen_while_reading: list[int] = []
    identify = pipeline.identify

    def watched(pages):  # type: ignore[no-untyped-def]
        frozen_while_reading.append(gc.get_freeze_count())
        return identify(pages)

    monkeypatch.setattr(pipeline, "identify", watched)
    path = CORPUS / "open-budget/JS_rdbgt_2019_部门预算公开表.pdf"
    doc = extract(path, ExtractSettings(ocr="never"))
    assert doc.tables and frozen_while_reading[0] > 0  # the objects made before were set aside while it read
    assert gc.get_freeze_count() == 0 and gone() is not None
    gc.collect()
    assert gone() is None  # and handed back: a cycle made before is collected afterwards

    gc.freeze()  # a caller's own freeze (before forking workers) is left as it is
    try:
        held = gc.get_freeze_count()
        extract(path, ExtractSettings(ocr="never"))
        # frozen objects can die, never join: nothing more was frozen, nothing handed back
        assert frozen_while_reading[1] <= held and 0 < gc.get_freeze_count() <= held
    finally:
        gc.unfreeze()
