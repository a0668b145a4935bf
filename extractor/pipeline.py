"""read -> locate -> interpret: one disclosure in, one :class:`~extractor.records.Document` out."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from extractor import __version__
from extractor.checks import CheckResult, Status, check_narrative, check_records
from extractor.checks.report import check_record, count_checks
from extractor.domain.amounts import parse_amount
from extractor.domain.codes import parent_code, repaired_code
from extractor.domain.columns import FINANCIAL_KINDS, ColumnMeaning, column_key, table_meanings
from extractor.domain.facts import find_facts
from extractor.domain.identity import DocumentType, Identity, ReportKind, identify
from extractor.domain.line_items import find_line_items
from extractor.domain.regions import region_code
from extractor.domain.table_kinds import TableKind
from extractor.domain.table_rows import (
    CodeContext,
    TreeRow,
    UnitRow,
    budget_units,
    code_level_name,
    parent_of,
    row_identity,
    row_tree,
    split_unit,
)
from extractor.errors import InputNotFoundError, NoTextLayerError, SettingsError
from extractor.layout.narrative import Narrative, build_narrative
from extractor.layout.sections import TableArea, find_sections, toc_pages
from extractor.layout.strategies import DEFAULT_STRATEGY, STRATEGIES
from extractor.layout.tables import Table, find_tables
from extractor.model import InputFormat, Page, SourceDocument
from extractor.readers import ReaderSettings, ocr, read_source
from extractor.records import (
    SCHEMA_VERSION,
    AttachmentRecord,
    CellRecord,
    ColumnRecord,
    Document,
    DocumentInfo,
    EvidenceRecord,
    FactRecord,
    LineItemRecord,
    PlacementRecord,
    RowRecord,
    SectionRecord,
    SourceInfo,
    TableRecord,
    WarningRecord,
)

logger = logging.getLogger(__name__)
_QUOTE_MAX = 160
OCR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class ExtractSettings:
    """Options of one extraction; recorded in every output."""

    password: str | None = None
    max_pages: int | None = None
    tables: str = DEFAULT_STRATEGY  # a name in extractor.layout.strategies.STRATEGIES, or "none"
    ocr: str = "auto"  # auto: OCR pages without a usable text layer; always: every page; never: none
    pages: str | None = None  # only these pages, as a reader writes them: "1,3-5"

    def __post_init__(self) -> None:
        self.selected_pages()  # fails early on a malformed selection
        if self.ocr not in OCR_MODES:
            raise SettingsError(f"unknown OCR mode {self.ocr!r}; choose from {', '.join(OCR_MODES)}")
        if self.max_pages is not None and self.max_pages < 1:
            raise SettingsError(f"max_pages must be at least 1, not {self.max_pages}")
        if self.tables != "none" and self.tables not in STRATEGIES:
            raise SettingsError(f"unknown table strategy {self.tables!r}; choose from {', '.join([*STRATEGIES, 'none'])}")

    def selected_pages(self) -> frozenset[int] | None:
        """The page numbers of :attr:`pages`, or None for every page."""
        return parse_pages(self.pages) if self.pages is not None else None

    def recorded(self) -> dict[str, object]:
        """The options as written to the output (a password is never written)."""
        options = asdict(self)
        options["password"] = "***" if self.password else None
        return options


Source = str | os.PathLike[str] | bytes | IO[bytes]
_MAX_PAGE = 1_000_000


def parse_pages(text: str) -> frozenset[int]:
    """``"1,3-5"`` -> {1, 3, 4, 5}: page numbers from 1, single or as ranges, comma-separated."""
    numbers: set[int] = set()
    for part in text.replace("，", ",").split(","):
        first, dash, last = part.strip().partition("-")
        try:
            low = int(first)
            high = int(last) if dash else low
        except ValueError:
            raise SettingsError(f"pages must be numbers and ranges such as 1,3-5, not {text!r}") from None
        if not 1 <= low <= high <= _MAX_PAGE:
            raise SettingsError(f"pages must run from 1 upwards, each range low to high, not {part.strip()!r}")
        numbers.update(range(low, high + 1))
    return frozenset(numbers)


def verified(table: TableRecord, results: list[CheckResult]) -> TableRecord:
    """The table with its verdict: the comparisons whose figures include one of its cells or rows decide it."""
    boxes = {(cell.page, cell.bbox) for row in table.rows for cell in row.cells} | {(row.page, row.bbox) for row in table.rows}
    touching = [r for r in results if any((e.page, e.bbox) in boxes for e in r.evidence)]
    if not touching:
        return table
    failed = tuple(sorted({r.rule.id for r in touching if r.status is Status.MISMATCH}))
    return replace(table, verified=not failed, failed_checks=failed)


def _settings(settings: ExtractSettings | None, options: dict[str, object]) -> ExtractSettings:
    if settings is not None and options:
        raise SettingsError("give the options either as settings or as keywords, not both")
    if settings is not None:
        return settings
    unknown = sorted(set(options) - set(ExtractSettings.__dataclass_fields__))
    if unknown:
        raise SettingsError(f"unknown option {unknown[0]!r}; the options are {', '.join(ExtractSettings.__dataclass_fields__)}")
    return ExtractSettings(**options)  # type: ignore[arg-type]


def _pages_wanted(readable: tuple[Page, ...], selected: frozenset[int] | None, settings: ExtractSettings, name: str) -> tuple[Page, ...]:
    """The pages --pages keeps of those --max-pages does; a selection that keeps none is an error."""
    if selected is None:
        return readable
    kept = tuple(p for p in readable if p.number in selected)
    if not kept:
        raise SettingsError(f"the document has {len(readable)} page(s), none of them in {settings.pages!r}", path=name)
    return kept


def _load(source: Source) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InputNotFoundError("no such file", path=str(path))
        return path.read_bytes(), str(path)
    data = source.read()
    return data, getattr(source, "name", "<stream>")


def extract(source: Source, settings: ExtractSettings | None = None, **options: object) -> Document:
    """Extract identity, sections, narrative figures, line items and tables from one disclosure.

    ``source`` is a path, the file's bytes, or a binary file object (left open). The options are those of
    :class:`ExtractSettings`, given as ``settings`` or as keywords: ``extract(path, ocr="never", pages="1-5")``.
    """
    settings = _settings(settings, options)
    data, name = _load(source)
    selected = settings.selected_pages()
    doc = read_source(data, name, ReaderSettings(password=settings.password, ocr=settings.ocr, max_pages=settings.max_pages, pages=selected))
    readable = doc.pages[: settings.max_pages] if settings.max_pages else doc.pages
    pages = _pages_wanted(readable, selected, settings, name)
    ocr_pages = {p.number for p in pages if p.ocr}
    why = _no_ocr_reason(settings.ocr, doc)
    warnings = [
        WarningRecord("page_unreadable", "page is corrupt and cannot be loaded; it is left out", p.number) if p.unreadable
        else WarningRecord("no_text_layer", f"page has no text layer (scanned?); its content is not extracted{why}", p.number)
        for p in pages
        if not p.has_text and not p.ocr
    ]
    warnings.extend(_ocr_page_warning(p) for p in pages if p.ocr)
    if pages and not any(p.has_text for p in pages):
        if ocr_pages:
            raise NoTextLayerError("no text found on any page, even by OCR (blank pages or pictures only)", path=name)
        raise NoTextLayerError(f"no page has a text layer (scanned document){why}", path=name)
    identity = identify(readable)  # the title pages, whatever --pages keeps
    doc_type = identity.document_type
    # a document typed anything but a disclosure is still read: budget tables make it a disclosure after all
    probe = doc_type is not DocumentType.DISCLOSURE
    failures: list[tuple[int, str]] = []
    found = find_tables(pages, toc_pages(pages), identity.unit, failures, settings.tables) if settings.tables != "none" else []
    if probe and _budget_tables(found):
        kinds = sorted({t.kind.value for t in found if t.kind is not TableKind.OTHER})
        warnings.append(WarningRecord("type_unsure", f"its first pages make it a {doc_type.value}, but it prints budget tables "
                                                     f"({', '.join(kinds)}): read as a disclosure"))
        doc_type = DocumentType.DISCLOSURE
    elif probe:
        found, failures = [], []
    is_disclosure = doc_type is DocumentType.DISCLOSURE
    sections = find_sections(pages, [TableArea(page, box, t.title) for t in found for page, box in t.bboxes])
    narrative = build_narrative(pages, sections)
    facts: list[FactRecord] = []
    items: list[LineItemRecord] = []
    final = identity.report_kind is ReportKind.FINAL_ACCOUNTS
    if is_disclosure:
        facts = [_fact_record(f, narrative) for f in find_facts(narrative.text, identity.fiscal_year, final, narrative.section)]
        items = [_item_record(i, narrative) for i in find_line_items(narrative.text) if narrative.section(i.start) != "glossary"]
    if doc.format is InputFormat.HTML and not (facts or items or _budget_tables(found)):
        doc_type = _web_page_type(doc, identity, doc_type)
        found = found if doc_type is DocumentType.DISCLOSURE else []
    is_disclosure = doc_type is DocumentType.DISCLOSURE
    if not is_disclosure:
        facts, items = [], []
        warnings.append(WarningRecord("not_a_disclosure", f"document looks like a {doc_type.value}, not a budget disclosure"
                                      + (f" ({len(doc.attachments)} links to disclosures or attached files)" if doc.attachments else "")))
    tables = [_table_record(t, identity.fiscal_year, final) for t in found]
    warnings.extend(
        WarningRecord("columns_unmapped", f"{t.title or t.kind}: amount column(s) {', '.join(unmapped)} name nothing the column "
                                          "vocabulary knows; their cells have no measure, year or component", t.pages[0])
        for t in tables if t.kind in FINANCIAL_KINDS and (unmapped := [repr(c.path) for c in t.columns if c.status == "unmapped"])
    )
    if ocr_pages:
        by_number = {p.number: p for p in pages}
        tables = [_ocr_table(t, by_number, warnings) for t in tables]
        facts = [replace(f, confidence=ocr.confidence_in(by_number[f.page], f.bbox, f.value)) for f in facts]
        items = [replace(i, confidence=ocr.confidence_in(by_number[i.page], i.bbox, i.value)) for i in items]
    warnings.extend(WarningRecord("tables_not_read", f"tables on this page could not be read ({reason})", page) for page, reason in failures)
    if doc.format is InputFormat.PDF and is_disclosure and settings.tables != "none":
        warnings.extend(
            WarningRecord("tables_not_read", "the characters on this page have no positions; its tables are not read", p.number)
            for p in pages
            if p.has_text and not p.chars and p.number not in {page for page, _ in failures}
        )
    checks: list[CheckResult] = []
    if is_disclosure:
        file = os.path.basename(name)
        checks = check_narrative(narrative, file) + check_records(
            [(t, file) for t in tables], [(f, file) for f in facts], [(i, file) for i in items],
        )
        tables = [verified(t, checks) for t in tables]
    if is_disclosure and not (facts or tables or items or sections):
        links = f" ({len(doc.attachments)} links to attached files)" if doc.attachments else ""
        warnings.append(WarningRecord("no_content", f"no figures, tables or sections found: is this the disclosure itself?{links}"))
    attachments = list(doc.attachments)
    if doc.format is InputFormat.HTML and doc_type in _NAMED_KIND and not tables and doc.images:
        message = f"the page shows {doc.images} picture(s) and no table: its tables may be published as images (listed in attachments)"
        warnings.append(WarningRecord("tables_as_images", message))
        attachments += [(src, "(picture)") for src in doc.pictures]
    if not sections:
        warnings.append(WarningRecord("no_sections", "no numbered sections found"))
    portal = doc_type is DocumentType.PORTAL  # a portal or news page is no one's document of one year: its headlines name others
    if ocr_pages:
        warnings.extend(_ocr_doubts(tables, facts, checks, ocr_pages))
    document = Document(
        schema_version=SCHEMA_VERSION,
        tool={"name": "extractor", "version": __version__},
        options=settings.recorded(),
        source=_source_info(doc, name),
        document=DocumentInfo(
            department=None if portal else identity.department,
            region=None if portal else identity.region,
            government_level=None if portal else identity.government_level,
            fiscal_year=None if portal else identity.fiscal_year,
            report_kind=identity.report_kind.value if identity.report_kind and doc_type in _NAMED_KIND else None,
            document_type=doc_type.value,
            entity=identity.entity,
            scope=identity.scope,
            unit=identity.unit,
            title=identity.title,
            evidence={k: EvidenceRecord(v.quote, v.page) for k, v in identity.evidence.items()},
            published=doc.pages[0].published if doc.pages else None,
            region_code=None if portal else region_code(identity.region, identity.fiscal_year),
        ),
        sections=tuple(SectionRecord(s.key, s.number, s.title, s.level, s.page, s.bbox, s.parent) for s in sections),
        facts=tuple(facts),
        line_items=tuple(items),
        tables=tuple(tables),
        checks=tuple(check_record(c) for c in checks if c.status is not Status.OK),
        check_counts=count_checks(checks),
        attachments=tuple(AttachmentRecord(href, text) for href, text in attachments),
        warnings=tuple(warnings),
    )
    # where the pages came from, for Document.show (not part of the record or its JSON)
    object.__setattr__(document, "_origin", Path(source) if isinstance(source, (str, os.PathLike)) else data)
    return document


_NAMED_KIND = (DocumentType.DISCLOSURE, DocumentType.LISTING)


def _budget_tables(found: list[Table]) -> bool:
    return any(t.kind is not TableKind.OTHER and not t.empty for t in found)


_KIND_WORDS = re.compile(r"预算|决算")


def _web_page_type(doc: SourceDocument, identity: Identity, doc_type: DocumentType) -> DocumentType:
    """A web page with no figures or budget tables of its own: a listing when its own title names a 预算/决算 (it
    links to the disclosure, attaches it or shows it as pictures); a portal or news page otherwise."""
    if doc_type not in (DocumentType.DISCLOSURE, DocumentType.OTHER):
        return doc_type  # a notice, an evaluation report, a template
    titled = bool(identity.title and _KIND_WORDS.search(identity.title))
    return DocumentType.LISTING if titled else DocumentType.PORTAL


def _source_info(doc: SourceDocument, name: str) -> SourceInfo:
    return SourceInfo(
        file=os.path.basename(name), sha256=doc.sha256, size_bytes=doc.size_bytes,
        format=doc.format.value, reader=doc.reader, pages=len(doc.pages), ocr_pages=tuple(p.number for p in doc.pages if p.ocr),
    )


def _no_ocr_reason(mode: str, doc: SourceDocument) -> str:
    """Why a page without text was not OCR'd, for the warning and the error."""
    if doc.format is not InputFormat.PDF:
        return ""
    if mode == "never":
        return "; OCR is off (--ocr never)"
    return "" if ocr.available() else f"; {ocr.install_hint()}"


def _ocr_page_warning(page: Page) -> WarningRecord:
    turned = f", turned {page.turned}° upright" if page.turned else ""
    skew = f", straightened by {page.skew}°" if page.skew else ""
    mean = f"; mean character confidence {sum(page.confidence) / len(page.confidence):.3f}" if page.confidence else "; no text found"
    return WarningRecord("ocr_page", f"page read by OCR from its image{turned}{skew}{mean}", page.number)


def _ocr_table(table: TableRecord, pages: dict[int, Page], warnings: list[WarningRecord]) -> TableRecord:
    """A table with its OCR'd cells' confidence, and codes misread by a digit or two put right by their label."""
    rows = []
    for row in table.rows:
        cells = tuple(replace(c, confidence=ocr.confidence_in(pages[c.page], c.bbox)) for c in row.cells)
        code = repaired_code(row.code, row.label) if row.code and pages[row.page].ocr else None
        if code and row.code:
            message = f"{table.title or table.kind}: code read as {row.code} beside {row.label!r}, whose listed code {code} is used"
            warnings.append(WarningRecord("ocr_code_corrected", message, row.page))
            parent = row.parent if row.parent and code.startswith(row.parent) else parent_code(code)
            row = replace(row, code=code, parent=parent, level=code_level_name(code))
        rows.append(replace(row, cells=cells))
    return replace(table, rows=tuple(rows))


def _ocr_doubts(tables: list[TableRecord], facts: list[FactRecord], checks: list[CheckResult], ocr_pages: set[int]) -> list[WarningRecord]:
    """Figures OCR was unsure of, and failed checks whose figures were OCR'd: the digits to verify on the page image."""
    doubts = []
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.confidence is not None and cell.confidence < ocr.LOW_CONFIDENCE:
                    where = f"{table.title or table.kind} · {row.label or row.code or '?'} · {cell.column}"
                    message = f"{where}: {cell.text!r} read with confidence {cell.confidence}"
                    doubts.append(WarningRecord("ocr_low_confidence", message, cell.page))
    for fact in facts:
        if fact.confidence is not None and fact.confidence < ocr.LOW_CONFIDENCE:
            doubts.append(WarningRecord("ocr_low_confidence", f"{fact.key} = {fact.value} read with confidence {fact.confidence}", fact.page))
    for check in checks:
        pages = sorted({e.page for e in check.evidence if e.page in ocr_pages})
        if check.status is Status.MISMATCH and pages:
            figures = "; ".join(f"{e.label} = {e.value}" for e in check.evidence if e.page in ocr_pages)
            doubts.append(WarningRecord("ocr_check_failed", f"{check.rule.id}: {check.message}; verify the OCR'd digits: {figures}", pages[0]))
    return doubts


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


def _fact_record(fact, narrative: Narrative) -> FactRecord:  # type: ignore[no-untyped-def]
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


def _item_record(item, narrative: Narrative) -> LineItemRecord:  # type: ignore[no-untyped-def]
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


def _table_record(table: Table, fiscal_year: int | None, final_accounts: bool) -> TableRecord:
    context = CodeContext()
    seen: list[str] = []
    printed_units, idents = [], []
    for row in table.rows:
        unit, labels = split_unit(row.labels)
        printed_units.append(unit)
        idents.append(row_identity(row.codes, labels, context))
    notes = list(table.notes)
    if table.title_repeats:
        pages = ", ".join(f"p{n}" for n in table.title_repeats)
        notes.append(f"{pages}: the title printed again; read as this table continued, not a new table")
    tree = row_tree([TreeRow(row.side, i.code, i.label, row.indent, i.total, tuple(c.text for c in row.cells), i.code2)
                     for row, i in zip(table.rows, idents, strict=True)], notes)
    first_column = min((c.column for row in table.rows for c in row.cells), default=None)
    units = budget_units([
        UnitRow(row.side, unit, ident.total, next((a.value for c in row.cells if c.column == first_column and (a := parse_amount(c.text))), None),
                parent_row)
        for row, ident, unit, (_, parent_row) in zip(table.rows, idents, printed_units, tree, strict=True)
    ])
    meanings = table_meanings([(c.name, c.role, c.side) for c in table.columns], table.kind.value, fiscal_year, final_accounts)
    keys = [column_key(c.name) for c in table.columns]  # once per column, not once per cell
    rows = []
    for row, ident, (depth, parent_row), unit in zip(table.rows, idents, tree, units, strict=True):
        parent = parent_of(ident.code, seen)
        if ident.code:
            seen.append(ident.code)
        cells = tuple(
            CellRecord(
                column=table.columns[c.column].name, key=keys[c.column], text=c.text,
                value=_value(c.text), page=c.page, bbox=c.bbox, **_model_of(meanings[c.column]),
            )
            for c in row.cells
        )
        rows.append(RowRecord(
            side=row.side, code=ident.code, code2=ident.code2, level=ident.level, parent=parent, label=ident.label,
            label_normalised=ident.label_normalised, total=ident.total, subitem=ident.subitem, depth=depth, parent_row=parent_row,
            budget_unit=unit, page=row.page, bbox=row.bbox,
            cells=cells,
        ))
    return TableRecord(
        kind=table.kind.value, title=table.title, number=table.number, unit=table.unit, pages=tuple(table.pages),
        placements=tuple(PlacementRecord(p, b) for p, b in table.bboxes), empty=table.empty,
        columns=tuple(
            ColumnRecord(c.name, key if c.role == "amount" else "", c.role, c.side, *((m.measure, m.year, m.component, m.status) if m else ()))
            for c, m, key in zip(table.columns, meanings, keys, strict=True)
        ),
        rows=tuple(rows), notes=tuple(notes + _unit_notes(rows, printed_units)),
    )


def _model_of(meaning: ColumnMeaning | None) -> dict[str, Any]:
    if meaning is None or meaning.status != "mapped":
        return {}
    return {"measure": meaning.measure, "year": meaning.year, "component": meaning.component}


def _unit_notes(rows: list[RowRecord], printed: list[str | None]) -> list[str]:
    """How a table of rows per 预算单位 was read: its units, and the rows taken for the department's own."""
    units = {r.budget_unit for r in rows if r.budget_unit}
    if len(units) < 2:
        return []
    own = [f"row {i} ({p if p == r.label else f'{p} {r.label}'})" for i, (r, p) in enumerate(zip(rows, printed, strict=True))
           if p and not r.total and r.budget_unit is None]
    note = f"rows per 预算单位: {len(units)} units"
    return [note + (f"; {', '.join(own)} adds up the units and is the department's own" if own else "")]


def _value(text: str) -> str | None:
    amount = parse_amount(text)
    return None if amount is None else amount.text
