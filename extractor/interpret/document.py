"""What a document is (a disclosure, a listing, a portal page …), decided from its first pages, its tables and
its figures; its identity and source as records; and the warnings on what it holds."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from extractor.domain.identity import DocumentType, Identity
from extractor.domain.regions import region_code
from extractor.domain.table_kinds import TableKind, kind_info
from extractor.layout.sections import Section
from extractor.layout.tables import Table, TableSearch
from extractor.model import InputFormat, SourceDocument
from extractor.records import (
    AttachmentRecord,
    DocumentInfo,
    EvidenceRecord,
    FactRecord,
    LineItemRecord,
    SectionRecord,
    SourceInfo,
    TableRecord,
    WarningRecord,
)

NAMED_KINDS = (DocumentType.DISCLOSURE, DocumentType.LISTING)  # the kinds whose report kind (预算/决算) is recorded
_KIND_WORDS = re.compile(r"预算|决算")


@dataclass(frozen=True)
class Typed:
    """The document's type, the located tables it keeps for it, and the warnings the typing gave."""

    doc_type: DocumentType
    search: TableSearch
    warnings: list[WarningRecord] = field(default_factory=list)

    @property
    def is_disclosure(self) -> bool:
        return self.doc_type is DocumentType.DISCLOSURE


def type_by_tables(identity: Identity, search: TableSearch) -> Typed:
    """The type the first pages give; a document typed anything but a disclosure is still read, and budget tables
    make it a disclosure after all (else its tables are dropped)."""
    doc_type = identity.document_type
    if doc_type is DocumentType.DISCLOSURE:
        return Typed(doc_type, search)
    if budget_tables(search.tables):
        kinds = sorted({t.kind.value for t in search.tables if t.kind.info.budget_table})
        warning = WarningRecord("type_unsure", f"its first pages make it a {doc_type.value}, but it prints budget tables "
                                               f"({', '.join(kinds)}): read as a disclosure")
        return Typed(DocumentType.DISCLOSURE, search, [warning])
    return Typed(doc_type, TableSearch([]))


def type_by_figures(doc: SourceDocument, identity: Identity, typed: Typed, figures: tuple[list[FactRecord], list[LineItemRecord]]) -> Typed:
    """A web page with no figures, line items or budget tables of its own is a listing or a portal page (and keeps
    no table), and plain text with none is no disclosure either; anything not a disclosure is said so."""
    doc_type, search = typed.doc_type, typed.search
    if doc.format is InputFormat.HTML and not (figures[0] or figures[1] or budget_tables(search.tables)):
        doc_type = _web_page_type(identity, doc_type)
        search = search if doc_type is DocumentType.DISCLOSURE else TableSearch([], search.failures)
    elif doc.format is InputFormat.TEXT and doc_type is DocumentType.DISCLOSURE and not (figures[0] or figures[1] or search.tables):
        doc_type = DocumentType.OTHER  # plain text that names budgets but states no figure: a README, a list of files
    warnings = list(typed.warnings)
    if doc_type is not DocumentType.DISCLOSURE:
        links = f" ({len(doc.attachments)} links to disclosures or attached files)" if doc.attachments else ""
        warnings.append(WarningRecord("not_a_disclosure", f"document looks like a {doc_type.value}, not a budget disclosure{links}"))
    return Typed(doc_type, search, warnings)


def budget_tables(found: list[Table]) -> bool:
    return any(t.kind.info.budget_table and not t.empty for t in found)


def _web_page_type(identity: Identity, doc_type: DocumentType) -> DocumentType:
    """A web page with no figures or budget tables of its own: a listing when its own title names a 预算/决算 (it
    links to the disclosure, attaches it or shows it as pictures); a portal or news page otherwise."""
    if doc_type not in (DocumentType.DISCLOSURE, DocumentType.OTHER):
        return doc_type  # a notice, an evaluation report, a template
    titled = bool(identity.title and _KIND_WORDS.search(identity.title))
    return DocumentType.LISTING if titled else DocumentType.PORTAL


def content_warnings(
    doc: SourceDocument, typed: Typed, tables: list[TableRecord], found_any: bool, sections: bool,
) -> tuple[list[WarningRecord], list[AttachmentRecord]]:
    """A disclosure in which nothing was found, a web page whose tables may be pictures (listed among the
    attachments), a document without numbered sections; and the document's attachments."""
    warnings = []
    attachments = [AttachmentRecord(href, text) for href, text in doc.attachments]
    if typed.is_disclosure and not found_any:
        links = f" ({len(doc.attachments)} links to attached files)" if doc.attachments else ""
        warnings.append(WarningRecord("no_content", f"no figures, tables or sections found: is this the disclosure itself?{links}"))
    if doc.format is InputFormat.HTML and typed.doc_type in NAMED_KINDS and not tables and doc.images:
        message = f"the page shows {doc.images} picture(s) and no table: its tables may be published as images (listed in attachments)"
        warnings.append(WarningRecord("tables_as_images", message))
        attachments += [AttachmentRecord(src, "(picture)") for src in doc.pictures]
    files = attached_files(doc.attachments)
    if doc.format is InputFormat.HTML and typed.doc_type in NAMED_KINDS and not tables and files:
        names = "、".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        message = (f"the page prints no table and attaches {len(files)} file(s) that may hold them ({names}): read them too; "
                   "a batch given them beside the page checks them with it")
        warnings.append(WarningRecord("tables_in_attachments", message))
    if not sections:
        warnings.append(WarningRecord("no_sections", "no numbered sections found"))
    return warnings, attachments


_FILE_SUFFIX = re.compile(r"\.(?:pdf|xlsx?|xlsm|et|docx?|wps|zip|rar|7z)$", re.IGNORECASE)


def attached_files(links: Sequence[tuple[str, str]]) -> list[str]:
    """The names of the files a page attaches (a spreadsheet, a document, a PDF or an archive): the last part of the
    address, or the link's text where the address names no file (a download script: 附表.xls)."""
    names = []
    for href, text in links:
        name = unquote(urlsplit(href).path.rsplit("/", 1)[-1])
        if not _FILE_SUFFIX.search(name):
            query = unquote(urlsplit(href).query)
            name = next((v for v in re.split(r"[&=]", query) if _FILE_SUFFIX.search(v)), "") or text.strip()
        if _FILE_SUFFIX.search(name) and name not in names:
            names.append(name)
    return names


_EMPTY_WORDS = re.compile(r"无|为空|空表|不涉及|没有|未安排|未发生|未使用")


def completeness_warnings(tables: list[TableRecord], text: str) -> list[WarningRecord]:
    """The standard tables a disclosure that prints its tables leaves out, neither printed (empty or not) nor stated
    empty in its text (本部门无当年国有资本经营预算收支): what auditors check first. A file printing fewer than three
    of them is a narrative whose tables come apart, or no table set at all: not judged."""
    printed = {t.kind for t in tables}
    required = [info for info in map(kind_info, TableKind) if info.required]
    if sum(1 for info in required if info.kind.value in printed) < 3:
        return []
    sentences = re.split(r"[。；;\n]", text)
    missing = [info for info in required if info.kind.value not in printed
               and not any(info.stated_as in s and _EMPTY_WORDS.search(s) for s in sentences)]
    if not missing:
        return []
    names = "、".join(info.zh for info in missing)
    message = f"the standard set of {len(required)} tables lacks {names}: not printed, and not stated empty in the text"
    return [WarningRecord("tables_missing", message)]


def document_info(doc: SourceDocument, identity: Identity, doc_type: DocumentType) -> DocumentInfo:
    """Who published the document, for which year and region; a portal or news page is no one's document of
    one year (its headlines name others)."""
    portal = doc_type is DocumentType.PORTAL
    return DocumentInfo(
        department=None if portal else identity.department,
        region=None if portal else identity.region,
        government_level=None if portal else identity.government_level,
        fiscal_year=None if portal else identity.fiscal_year,
        report_kind=identity.report_kind.value if identity.report_kind and doc_type in NAMED_KINDS else None,
        document_type=doc_type.value,
        entity=identity.entity,
        scope=identity.scope,
        unit=identity.unit,
        title=identity.title,
        evidence={k: EvidenceRecord(v.quote, v.page) for k, v in identity.evidence.items()},
        published=doc.pages[0].published if doc.pages else None,
        region_code=None if portal else region_code(identity.region, identity.fiscal_year),
    )


def source_info(doc: SourceDocument, name: str) -> SourceInfo:
    return SourceInfo(
        file=os.path.basename(name), sha256=doc.sha256, size_bytes=doc.size_bytes,
        format=doc.format.value, reader=doc.reader, pages=len(doc.pages), ocr_pages=tuple(p.number for p in doc.pages if p.ocr),
    )


def section_records(sections: Sequence[Section]) -> tuple[SectionRecord, ...]:
    return tuple(SectionRecord(s.key, s.number, s.title, s.level, s.page, s.bbox, s.parent) for s in sections)
