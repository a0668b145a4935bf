"""All rules in one place: the narrative rules on one document's text, the record rules on one or more
documents' tables, facts and line items (a narrative file and its tables file checked together)."""

from __future__ import annotations

from collections.abc import Sequence

from extractor.checks import codes, cross, facts, narrative, tables
from extractor.checks.model import CheckResult, Figures, Rule, Status
from extractor.checks.report import check_record, count_checks
from extractor.layout.narrative import Narrative
from extractor.records import CheckRecord, Document, FactRecord, LineItemRecord, TableRecord

RULES: tuple[Rule, ...] = tables.RULES + codes.RULES + cross.RULES + facts.RULES + narrative.RULES


def check_narrative(text: Narrative, file: str | None = None) -> list[CheckResult]:
    """The rules on the narrative's own arithmetic."""
    return list(narrative.check_text(text, file))


def check_records(
    table_records: Sequence[tuple[TableRecord, str | None]],
    fact_records: Sequence[tuple[FactRecord, str | None]] = (),
    item_records: Sequence[tuple[LineItemRecord, str | None]] = (),
    year: int | None = None,
) -> list[CheckResult]:
    """The rules on tables, and on narrative figures against tables; each record with the file it came from, and
    the fiscal year the codes are checked for. Each figure a finding took from a table points at it by index:
    ``evidence.table`` is its place in ``table_records``."""
    results: list[CheckResult] = []
    figures = Figures([t for t, _ in table_records])
    with figures.pointing():
        for table, file in table_records:
            results.extend(tables.check_table(table, file))
            results.extend(codes.check_codes(table, file, year))
        results.extend(cross.check_tables([t for t, _ in table_records], [f for _, f in table_records]))
        results.extend(facts.check_facts(fact_records, table_records))
        results.extend(facts.check_line_items(item_records, table_records))
        results.extend(facts.check_totals(fact_records, table_records))
    return results


_TEXT_RULES = {rule.id for rule in narrative.RULES}


def check_documents(documents: Sequence[Document]) -> tuple[list[CheckRecord], dict[str, dict[str, int]]]:
    """Check several files as one disclosure (北京: 附件1 情况说明 + 附件2 报表): each narrative's own arithmetic
    as found in its file, and every record rule over the tables, facts and line items of all files together.

    Returns the findings that are not plainly ok, and the counts of comparisons per rule and status.
    """
    tables_, facts_, items_ = [], [], []
    findings: list[CheckRecord] = []
    counts: dict[str, dict[str, int]] = {}
    for doc in documents:
        file = doc.source.file
        tables_ += [(t, file) for t in doc.tables]
        facts_ += [(f, file) for f in doc.facts]
        items_ += [(i, file) for i in doc.line_items]
        findings += [c for c in doc.checks if c.rule in _TEXT_RULES]
        for rule, by_status in doc.check_counts.items():
            if rule in _TEXT_RULES:
                for status, n in by_status.items():
                    counts.setdefault(rule, {})[status] = counts.get(rule, {}).get(status, 0) + n
    years = {doc.document.fiscal_year for doc in documents}
    results = check_records(tables_, facts_, items_, years.pop() if len(years) == 1 else None)
    findings += [check_record(r) for r in results if r.status is not Status.OK]
    for rule, by_status in count_checks(results).items():
        counts.setdefault(rule, {}).update(by_status)
    return findings, counts
