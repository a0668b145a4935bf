"""The figures a narrative states, as records: each with its sentence, page and box."""

from __future__ import annotations

from decimal import Decimal

from extractor.domain.facts import FactMatch, find_facts
from extractor.domain.identity import Identity, ReportKind
from extractor.domain.line_items import LineItemMatch, find_line_items
from extractor.layout.narrative import Narrative
from extractor.records import FactRecord, LineItemRecord

_QUOTE_MAX = 160


def narrative_records(narrative: Narrative, identity: Identity) -> tuple[list[FactRecord], list[LineItemRecord]]:
    """The figures (总预算, 三公经费 …) and the 类/款/项 line items the narrative states; none from its glossary."""
    final = identity.report_kind is ReportKind.FINAL_ACCOUNTS
    facts = [fact_record(f, narrative) for f in find_facts(narrative.text, identity.fiscal_year, final, narrative.section)]
    items = [item_record(i, narrative) for i in find_line_items(narrative.text) if narrative.section(i.start) != "glossary"]
    return facts, items


def fact_record(fact: FactMatch, narrative: Narrative) -> FactRecord:
    page, bbox = narrative.locate(fact.start, fact.end)
    return FactRecord(
        key=fact.key,
        value=format(fact.value, "f"),
        unit=fact.unit,
        scope=fact.scope,
        quote=_quote(narrative, fact.start, fact.end, fact.sentence),
        page=page,
        bbox=bbox,
        section=fact.section,
        prior_value=_text(fact.prior_value),
        change=_text(fact.change),
        change_direction=fact.change_direction,
        budget_value=_text(fact.budget_value),
    )


def item_record(item: LineItemMatch, narrative: Narrative) -> LineItemRecord:
    page, bbox = narrative.locate(item.start, item.end)
    level = "项" if item.item_name else ("款" if item.segment_name else "类")
    return LineItemRecord(
        class_name=item.class_name,
        segment_name=item.segment_name,
        item_name=item.item_name,
        code=item.code,
        code_source=item.code_source,
        level=level,
        value=format(item.value, "f"),
        unit=item.unit,
        purpose=item.purpose,
        quote=narrative.text[item.start : item.end],
        page=page,
        bbox=bbox,
    )


def _quote(narrative: Narrative, start: int, end: int, sentence: tuple[int, int]) -> str:
    left, right = sentence
    text = narrative.text[left:right].strip("\n")
    if len(text) > _QUOTE_MAX:
        # keep the figure inside the shortened quote
        offset = max(start - left - 60, 0)
        text = narrative.text[left + offset : left + offset + _QUOTE_MAX].strip("\n")
    return text


def _text(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")
