"""read -> locate -> interpret -> check: one disclosure in, one :class:`~extractor.records.Document` out.

Each stage is a package: ``readers`` turn the file into pages, ``layout`` locates the tables, sections and
narrative on them, ``interpret`` turns what was located into records (what the document is, its tables' rows
and columns, its stated figures), ``checks`` compare the figures the document prints twice. :func:`extract`
is the list of stages; each returns its result with its warnings.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

from extractor.checks import CheckResult, Status, check_narrative, check_records
from extractor.checks.report import check_record, count_checks
from extractor.domain.identity import identify
from extractor.errors import InputNotFoundError, NoTextLayerError, SettingsError
from extractor.export.origin import FileOrigin
from extractor.interpret import ocr
from extractor.interpret.document import (
    Typed,
    completeness_warnings,
    content_warnings,
    document_info,
    section_records,
    source_info,
    type_by_figures,
    type_by_tables,
)
from extractor.interpret.figures import narrative_records
from extractor.interpret.tables import table_records, verified
from extractor.layout.narrative import Narrative, build_narrative
from extractor.layout.sections import TableArea, find_sections, toc_pages
from extractor.layout.strategies import DEFAULT_STRATEGY, STRATEGIES
from extractor.layout.tables import TableSearch, find_tables
from extractor.model import InputFormat, Page, SourceDocument
from extractor.names import shown_name
from extractor.readers import ReaderSettings, read_source
from extractor.readers import ocr as readers_ocr
from extractor.records import SCHEMA_VERSION, Document, FactRecord, LineItemRecord, TableRecord, WarningRecord
from extractor.version import __version__

logger = logging.getLogger(__name__)
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
    """The input's bytes, and its name as messages and the output give it (see :func:`shown_name`)."""
    if isinstance(source, bytes):
        return source, "<bytes>"
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise InputNotFoundError("no such file", path=str(path))
        return path.read_bytes(), shown_name(path)
    data = source.read()
    name = getattr(source, "name", "<stream>")
    return data, shown_name(name) if isinstance(name, str) else name


def extract(source: Source, settings: ExtractSettings | None = None, **options: object) -> Document:
    """Extract identity, sections, narrative figures, line items and tables from one disclosure.

    ``source`` is a path, the file's bytes, or a binary file object (left open). The options are those of
    :class:`ExtractSettings`, given as ``settings`` or as keywords: ``extract(path, ocr="never", pages="1-5")``.
    """
    settings = _settings(settings, options)
    with _collecting_new_objects_only():
        return _extract(source, settings)


@contextmanager
def _collecting_new_objects_only() -> Iterator[None]:
    """Keep the cyclic garbage collector to the objects made while it is open.

    A document makes hundreds of thousands of objects that live until its output is written, and each of the
    collector's full passes walks every object the process holds (the modules, the domain tables, the caches) to
    find little: over the pool's text PDFs those passes were 8 % of the pipeline's time (docs/measured.md). The
    objects made before are frozen (``gc.freeze``, constant time) and handed back to the collector on the way out;
    a caller that froze objects of its own (before forking workers, say) has its freeze left as it is.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _extract(source: Source, settings: ExtractSettings) -> Document:
    data, name = _load(source)
    doc, readable, pages, read_warnings = _read(data, name, settings)
    identity = identify(readable)  # the title pages, whatever --pages keeps
    search = find_tables(pages, toc_pages(pages), identity.unit, settings.tables) if settings.tables != "none" else TableSearch([])
    typed = type_by_tables(identity, search)
    sections = find_sections(pages, [TableArea(page, box, t.title) for t in typed.search.tables for page, box in t.bboxes])
    narrative = build_narrative(pages, sections)
    facts, items = narrative_records(narrative, identity) if typed.is_disclosure else ([], [])
    typed = type_by_figures(doc, identity, typed, (facts, items))
    facts, items = (facts, items) if typed.is_disclosure else ([], [])
    tables, table_warnings = table_records(typed.search.tables, identity)
    ocr_pages = {p.number for p in pages if p.ocr}
    if ocr_pages:
        tables, facts, items, corrected = ocr.with_confidence(tables, facts, items, list(pages))
        table_warnings += corrected
    located_warnings = _located_warnings(doc, pages, typed, settings)
    checks: list[CheckResult] = []
    if typed.is_disclosure:
        checks = _check(narrative, tables, facts, items, os.path.basename(name), identity.fiscal_year)
        tables = verified(tables, checks)
    found_warnings, attachments = content_warnings(doc, typed, tables, bool(facts or tables or items or sections), bool(sections))
    found_warnings += completeness_warnings(tables, narrative.text) if typed.is_disclosure else []
    doubts = ocr.doubts(tables, facts, checks, ocr_pages) if ocr_pages else []
    document = Document(
        schema_version=SCHEMA_VERSION, tool={"name": "extractor", "version": __version__}, options=settings.recorded(),
        source=source_info(doc, name), document=document_info(doc, identity, typed.doc_type), sections=section_records(sections),
        facts=tuple(facts), line_items=tuple(items), tables=tuple(tables),
        checks=tuple(check_record(c) for c in checks if c.status is not Status.OK), check_counts=count_checks(checks),
        attachments=tuple(attachments),
        warnings=tuple(read_warnings + typed.warnings + table_warnings + located_warnings + found_warnings + doubts),
        origin=FileOrigin(Path(source) if isinstance(source, (str, os.PathLike)) else data),
    )
    return document


def _check(narrative: Narrative, tables: list[TableRecord], facts: list[FactRecord], items: list[LineItemRecord], file: str,
           year: int | None) -> list[CheckResult]:
    """Every rule on one document: its narrative's own arithmetic, its tables (their codes for its year), and its
    figures against its tables."""
    return check_narrative(narrative, file) + check_records(
        [(t, file) for t in tables], [(f, file) for f in facts], [(i, file) for i in items], year)


def _read(data: bytes, name: str, settings: ExtractSettings) -> tuple[SourceDocument, tuple[Page, ...], tuple[Page, ...], list[WarningRecord]]:
    """The document, its readable pages (--max-pages), the pages to extract (--pages), and a warning for each page
    without text (or read by OCR); a document with no text on any page is an error."""
    selected = settings.selected_pages()
    doc = read_source(data, name, ReaderSettings(password=settings.password, ocr=settings.ocr, max_pages=settings.max_pages, pages=selected))
    readable = doc.pages[: settings.max_pages] if settings.max_pages else doc.pages
    pages = _pages_wanted(readable, selected, settings, name)
    why = _no_ocr_reason(settings.ocr, doc)
    warnings = [
        WarningRecord("page_unreadable", "page is corrupt and cannot be loaded; it is left out", p.number) if p.unreadable
        else WarningRecord("no_text_layer", f"page has no text layer (scanned?); its content is not extracted{why}", p.number)
        for p in pages
        if not p.has_text and not p.ocr
    ]
    warnings.extend(ocr.page_warning(p) for p in pages if p.ocr)
    if pages and not any(p.has_text for p in pages):
        if any(p.ocr for p in pages):
            raise NoTextLayerError("no text found on any page, even by OCR (blank pages or pictures only)", path=name)
        raise NoTextLayerError(f"no page has a text layer (scanned document){why}", path=name)
    return doc, readable, pages, warnings


def _located_warnings(doc: SourceDocument, pages: tuple[Page, ...], typed: Typed, settings: ExtractSettings) -> list[WarningRecord]:
    """The pages whose tables could not be read: the layout defeated the reader, or a PDF page's characters have
    no positions."""
    failures = typed.search.failures
    warnings = [WarningRecord("tables_not_read", f"tables on this page could not be read ({reason})", page) for page, reason in failures]
    if doc.format is InputFormat.PDF and typed.is_disclosure and settings.tables != "none":
        warnings.extend(
            WarningRecord("tables_not_read", "the characters on this page have no positions; its tables are not read", p.number)
            for p in pages
            if p.has_text and not p.chars and p.number not in {page for page, _ in failures}
        )
    return warnings


def _no_ocr_reason(mode: str, doc: SourceDocument) -> str:
    """Why a page without text was not OCR'd, for the warning and the error."""
    if doc.format is not InputFormat.PDF:
        return ""
    if mode == "never":
        return "; OCR is off (--ocr never)"
    return "" if readers_ocr.available() else f"; {readers_ocr.install_hint()}"
