"""What OCR adds to the records of a scanned page: each figure's recognition confidence, codes put right by
their labels, and the figures a reader should verify on the page image."""

from __future__ import annotations

from dataclasses import replace

from extractor.checks import CheckResult, Status
from extractor.interpret.tables import ocr_table
from extractor.model import Page
from extractor.readers import ocr
from extractor.records import FactRecord, LineItemRecord, TableRecord, WarningRecord


def page_warning(page: Page) -> WarningRecord:
    """How a page was read by OCR: turned, straightened, and its mean character confidence."""
    turned = f", turned {page.turned}° upright" if page.turned else ""
    skew = f", straightened by {page.skew}°" if page.skew else ""
    mean = f"; mean character confidence {sum(page.confidence) / len(page.confidence):.3f}" if page.confidence else "; no text found"
    return WarningRecord("ocr_page", f"page read by OCR from its image{turned}{skew}{mean}", page.number)


def with_confidence(
    tables: list[TableRecord], facts: list[FactRecord], items: list[LineItemRecord], pages: list[Page],
) -> tuple[list[TableRecord], list[FactRecord], list[LineItemRecord], list[WarningRecord]]:
    """The records with the confidence OCR had in each figure, and a warning for each code it put right."""
    by_number = {p.number: p for p in pages}
    warnings: list[WarningRecord] = []
    corrected = []
    for table in tables:
        record, table_warnings = ocr_table(table, by_number)
        corrected.append(record)
        warnings += table_warnings
    facts = [replace(f, confidence=ocr.confidence_in(by_number[f.page], f.bbox, f.value)) for f in facts]
    items = [replace(i, confidence=ocr.confidence_in(by_number[i.page], i.bbox, i.value)) for i in items]
    return corrected, facts, items, warnings


def doubts(tables: list[TableRecord], facts: list[FactRecord], checks: list[CheckResult], ocr_pages: set[int]) -> list[WarningRecord]:
    """Figures OCR was unsure of, and failed checks whose figures were OCR'd: the digits to verify on the page image."""
    found = []
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.confidence is not None and cell.confidence < ocr.LOW_CONFIDENCE:
                    where = f"{table.title or table.kind} · {row.label or row.code or '?'} · {cell.column}"
                    message = f"{where}: {cell.text!r} read with confidence {cell.confidence}"
                    found.append(WarningRecord("ocr_low_confidence", message, cell.page))
    for fact in facts:
        if fact.confidence is not None and fact.confidence < ocr.LOW_CONFIDENCE:
            found.append(WarningRecord("ocr_low_confidence", f"{fact.key} = {fact.value} read with confidence {fact.confidence}", fact.page))
    for check in checks:
        pages = sorted({e.page for e in check.evidence if e.page in ocr_pages})
        if check.status is Status.MISMATCH and pages:
            figures = "; ".join(f"{e.label} = {e.value}" for e in check.evidence if e.page in ocr_pages)
            found.append(WarningRecord("ocr_check_failed", f"{check.rule.id}: {check.message}; verify the OCR'd digits: {figures}", pages[0]))
    return found
